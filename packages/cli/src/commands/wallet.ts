import { readFile } from 'node:fs/promises';
import { Command, Option } from 'commander';
import { answerAuthorizationRequest, loadP256PrivateKey, parseOpenId4VpUrl, pwaAnswer, pwaFetchTransport, WalletError, type AuthorizationRequest } from '@dome-verifier/client';
import { CliError, errorLine, printJson, type CliIO } from '../io.ts';

interface WalletCommandOptions {
  key: string;
  credential: string;
  audience?: string;
  as: 'wallet-api' | 'pwa';
}

const TIMEOUT_MS = 15_000;

async function readInput(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the ${what} file ${path}: ${(e as NodeJS.ErrnoException).code ?? errorLine(e)}`);
  }
}

function walletFailure(e: unknown): never {
  if (e instanceof WalletError) throw new CliError(`${e.code} — ${e.message}`);
  throw e;
}

/**
 * `--as pwa`: the EUDIStack wallet PWA's answer (dome-wallet-pwa.md §2–§4): request object checks
 * as the PWA makes them, the credential selected by the request's `dcql_query`, standard base64 of
 * the DCQL map (a VP JWT with header `jwk` + thumbprint `kid`, aud = client_id; or the SD-JWT with
 * a KB-JWT), form posted to `response_uri`.
 */
async function answerAsPwa(request: AuthorizationRequest, key: string, credential: string) {
  const link = `openid4vp://?${new URLSearchParams({ client_id: request.clientId, request_uri: request.requestUri }).toString()}`;
  let holderKey;
  try {
    holderKey = loadP256PrivateKey(key.trim()).privateKey;
  } catch (e) {
    throw new CliError(`the key file is not a P-256 private key: ${errorLine(e)}`);
  }
  let result;
  try {
    result = await pwaAnswer(link, {
      ...pwaFetchTransport({ timeoutMs: TIMEOUT_MS }),
      credentials: [{ credentialEncoded: credential.trim() }],
      keys: [holderKey],
      now: () => Math.floor(Date.now() / 1000),
    });
  } catch (e) {
    throw new CliError(`the PWA could not answer: ${errorLine(e)}`);
  }
  const claims = result.requestObject ?? {};
  if (!result.posted) throw new CliError("no credential matches the request's dcql_query (the PWA posts nothing; the login stays open until it expires)");
  return { status: result.status!, body: result.body ?? '', client_id: claims.client_id, response_uri: claims.response_uri };
}

/**
 * `wallet`: test wallet — answers an openid4vp:// request (QR / deep link, or the login page URL)
 * with a LEARCredentialEmployee exactly as the DOME wallet does (request object checks, VP JWT,
 * direct_post), or with `--as pwa` as the EUDIStack wallet PWA does (any credential the request's
 * DCQL asks for: VCDM 2.0 JWT VC or SD-JWT VC). Prints `{status, body, client_id, response_uri}`;
 * never prints the key, the credential or the VP.
 */
export function walletCommand(io: CliIO): Command {
  return new Command('wallet')
    .description('test wallet: answer an openid4vp:// request (direct_post) as the deployed DOME wallet (legacy LEARCredentialEmployee) or as the wallet PWA (VCDM 2.0 JWT VC or SD-JWT VC)')
    .argument('<openid4vp-url>', 'openid4vp://?client_id=…&request_uri=… (or the same query on an https wallet URL, or the login page URL)')
    .requiredOption('--key <file>', 'holder private key file (JWK, PEM or hex) — the did:key the credential was issued to')
    .requiredOption('--credential <file>', 'credential file: LEARCredentialEmployee VC-JWT (raw or base64); with --as pwa a VCDM 2.0 JWT VC or an SD-JWT VC (<jwt>~<disclosures>~)')
    .addOption(new Option('--as <wallet>', 'which DOME wallet to answer as').choices(['wallet-api', 'pwa']).default('wallet-api'))
    .option('--audience <aud>', 'VP aud (default https://self-issued.me/v2, what the DOME wallet sends; --as wallet-api only)')
    .action(async (url: string, o: WalletCommandOptions) => {
      let authRequest;
      try {
        authRequest = parseOpenId4VpUrl(url);
      } catch (e) {
        walletFailure(e);
      }
      const key = await readInput(o.key, 'key');
      const credential = await readInput(o.credential, 'credential');
      io.stderr(`answering the request of ${authRequest.clientId} (request_uri ${authRequest.requestUri}) as ${o.as === 'pwa' ? 'the wallet PWA' : 'the deployed wallet'}\n`);
      if (o.as === 'pwa') {
        if (o.audience !== undefined) throw new CliError('--audience applies to --as wallet-api only (the PWA sends aud = client_id)');
        const out = await answerAsPwa(authRequest, key, credential);
        printJson(io, out);
        if (out.status < 200 || out.status > 299) throw new CliError(`verifier answered HTTP ${out.status}`);
        return;
      }
      let answer;
      try {
        answer = await answerAuthorizationRequest(url, {
          key,
          credential,
          timeoutMs: TIMEOUT_MS,
          ...(o.audience !== undefined ? { audience: o.audience } : {}),
        });
      } catch (e) {
        walletFailure(e);
      }
      const { claims } = answer.requestObject;
      printJson(io, { status: answer.status, body: answer.body, client_id: claims.client_id, response_uri: claims.response_uri });
      if (answer.status < 200 || answer.status > 299) throw new CliError(`verifier answered HTTP ${answer.status}`);
    });
}
