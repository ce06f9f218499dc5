import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import {
  createMachineTokenRequest,
  loadP256PrivateKey,
  requestToken,
  TokenRequestError,
  type MachineDialect,
} from '@dome-verifier/client';
import { CliError, DEFAULT_VERIFIER_URL, demoDirOf, errorLine, printJson, readDemoSummary, type CliIO } from '../io.ts';

interface TokenOptions {
  demo?: true | string;
  key?: string;
  credential?: string;
  issuer?: string;
  clientId?: string;
  dialect: MachineDialect;
  scope?: string;
  verify?: boolean;
}

const TIMEOUT_MS = 15_000;

/** Checks the access token against the verifier's `/oidc/jwks` (signature, `iss` = the verifier URL, exp/nbf). */
async function verifyAccessToken(issuer: string, token: string): Promise<{ header: Record<string, unknown>; claims: Record<string, unknown> }> {
  const url = `${issuer}/oidc/jwks`;
  let jwks: JSONWebKeySet;
  try {
    const res = await fetch(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    jwks = (await res.json()) as JSONWebKeySet;
    if (!Array.isArray(jwks?.keys)) throw new Error('not a JWK set');
  } catch (e) {
    throw new CliError(`cannot fetch ${url}: ${errorLine(e)}`);
  }
  try {
    const { protectedHeader, payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer });
    return { header: { ...protectedHeader }, claims: { ...payload } };
  } catch (e) {
    throw new CliError(`access token verification failed: ${errorLine(e)}`);
  }
}

/** `token`: M2M client — VP(LEARCredentialMachine) in a client assertion, `client_credentials` grant. */
export function tokenCommand(io: CliIO): Command {
  return new Command('token')
    .description('M2M client: request an access token with a LEARCredentialMachine (client_credentials + VP client assertion)')
    .option('--demo [dataDir]', 'take key, credential and verifier URL from <dataDir>/demo/demo.json (default VERIFIER_DATA_DIR or ./data)')
    .option('--key <file>', 'machine private key file (JWK, PEM or hex)')
    .option('--credential <file>', 'LEARCredentialMachine file (VC-JWT, raw or base64)')
    .option('--issuer <url>', `verifier URL (default VERIFIER_URL, the demo's, else ${DEFAULT_VERIFIER_URL})`)
    .option('--client-id <id>', 'client_id (default: the did:key of the key)')
    .addOption(new Option('--dialect <dialect>', 'client dialect').choices(['kid', 'jwk', 'base64url']).default('kid'))
    .option('--scope <scope>', 'requested scope')
    .option('--verify', "verify the access token with the verifier's /oidc/jwks and print its header and claims")
    .action(async (o: TokenOptions) => {
      const demo = o.demo === undefined ? undefined : await readDemoSummary(demoDirOf(o.demo, io.env));
      if (o.demo !== undefined && !demo) throw new CliError(`no demo in ${demoDirOf(o.demo, io.env)} (start the server or run "issue --demo" first)`);
      const keyPath = o.key ?? demo?.machine.keyPath;
      const credentialPath = o.credential ?? demo?.machine.credentialPath;
      if (keyPath === undefined || credentialPath === undefined) throw new CliError('--key <file> and --credential <file> are required (or --demo)');
      const issuer = (o.issuer ?? io.env.VERIFIER_URL ?? demo?.issuerUrl ?? DEFAULT_VERIFIER_URL).replace(/\/+$/, '');

      const request = await createMachineTokenRequest({
        issuer,
        key: loadP256PrivateKey(await readFile(keyPath, 'utf8')),
        credential: await readFile(credentialPath, 'utf8'),
        dialect: o.dialect,
        ...(o.clientId !== undefined ? { clientId: o.clientId } : {}),
        ...(o.scope !== undefined ? { scope: o.scope } : {}),
      });
      io.stderr(`requesting a token from ${request.tokenEndpoint} as ${request.clientId} (${o.dialect} dialect)\n`);
      let response;
      try {
        response = await requestToken({ tokenEndpoint: request.tokenEndpoint, body: request.body, timeoutMs: TIMEOUT_MS });
      } catch (e) {
        if (e instanceof TokenRequestError) throw new CliError(`${e.error} — ${e.description ?? (e.status ? `HTTP ${e.status}` : 'no description')}`);
        throw e;
      }
      if (!o.verify) return printJson(io, response);
      printJson(io, { token_response: response, verified: await verifyAccessToken(issuer, response.access_token) });
    });
}
