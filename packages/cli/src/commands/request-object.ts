import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { isDidKey } from '@dome-verifier/did-key';
import { createRequestObject, KeyLoadError, loadP256PrivateKey, randomNonce, randomState, type LoadedP256Key } from '@dome-verifier/client';
import { CliError, errorLine, type CliIO } from '../io.ts';

interface RequestObjectOptions {
  clientId: string;
  key: string;
  redirectUri: string;
  issuer: string;
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  lifetime: number;
  out?: string;
}

const DEFAULT_SCOPE = 'openid learcredential';

function lifetime(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1 || n > 3600) throw new InvalidArgumentError('an integer number of seconds in 1..3600 (the verifier refuses longer)');
  return n;
}

async function loadKey(path: string): Promise<LoadedP256Key> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the key file ${path}: ${(e as NodeJS.ErrnoException).code ?? errorLine(e)}`);
  }
  try {
    return loadP256PrivateKey(text);
  } catch (e) {
    if (e instanceof KeyLoadError) throw new CliError(`${path}: ${e.message}`);
    throw e;
  }
}

/**
 * `request-object`: signs an RFC 9101 request object for a relying party (ES256, `typ`
 * oauth-authz-req+jwt, `kid` = the client did:key) and prints the compact JWT (or writes it to
 * `--out`), for `/oidc/authorize?client_id=…&request=…` or to serve at a `request_uri`.
 */
export function requestObjectCommand(io: CliIO): Command {
  return new Command('request-object')
    .description('sign an RFC 9101 authorization request object (ES256, typ oauth-authz-req+jwt) for a relying party')
    .requiredOption('--client-id <id>', 'client_id of the relying party (its did:key, or its registered id)')
    .requiredOption('--key <file>', 'the client private key (JWK, PEM or hex P-256)')
    .requiredOption('--redirect-uri <uri>', 'a redirect URI registered for the client')
    .requiredOption('--issuer <url>', 'the verifier URL (the request object aud)')
    .option('--scope <scope>', 'requested scope', DEFAULT_SCOPE)
    .option('--state <state>', 'state (default: random)')
    .option('--nonce <nonce>', 'nonce (default: random)')
    .option('--code-challenge <challenge>', 'PKCE S256 code_challenge (code_challenge_method S256 is added)')
    .option('--lifetime <seconds>', 'seconds until exp (at most 3600)', lifetime, 300)
    .option('--out <file>', 'write the request object to this file instead of printing it')
    .action(async (o: RequestObjectOptions) => {
      const key = await loadKey(o.key);
      if (isDidKey(o.clientId) && o.clientId !== key.did) {
        throw new CliError(`--client-id is a did:key but not the one of --key (${key.did}); the verifier would refuse the signature`);
      }
      const jwt = await createRequestObject({
        clientId: o.clientId,
        key,
        issuer: o.issuer.replace(/\/+$/, ''),
        redirectUri: o.redirectUri,
        scope: o.scope,
        state: o.state ?? randomState(),
        nonce: o.nonce ?? randomNonce(),
        lifetimeSeconds: o.lifetime,
        ...(o.codeChallenge !== undefined ? { codeChallenge: o.codeChallenge } : {}),
      });
      if (o.out === undefined) return io.stdout(`${jwt}\n`);
      const file = resolve(o.out);
      await writeFile(file, `${jwt}\n`);
      io.stderr(`wrote the request object of ${o.clientId} to ${file}\n`);
    });
}
