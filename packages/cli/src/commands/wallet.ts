import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { answerAuthorizationRequest, parseOpenId4VpUrl, WalletError } from '@dome-verifier/client';
import { CliError, errorLine, printJson, type CliIO } from '../io.ts';

interface WalletCommandOptions {
  key: string;
  credential: string;
  audience?: string;
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
 * `wallet`: test wallet — answers an openid4vp:// request (QR / deep link, or the login page URL)
 * with a LEARCredentialEmployee exactly as the DOME wallet does (request object checks, VP JWT,
 * direct_post). Prints `{status, body, client_id, response_uri}`; never prints the key or the VP.
 */
export function walletCommand(io: CliIO): Command {
  return new Command('wallet')
    .description('test wallet: answer an openid4vp:// request with a LEARCredentialEmployee (direct_post), as the DOME wallet does')
    .argument('<openid4vp-url>', 'openid4vp://?client_id=…&request_uri=… (or the same query on an https wallet URL, or the login page URL)')
    .requiredOption('--key <file>', 'holder private key file (JWK, PEM or hex) — the did:key the credential was issued to')
    .requiredOption('--credential <file>', 'LEARCredentialEmployee file (VC-JWT, raw or base64)')
    .option('--audience <aud>', 'VP aud (default https://self-issued.me/v2, what the DOME wallet sends)')
    .action(async (url: string, o: WalletCommandOptions) => {
      let authRequest;
      try {
        authRequest = parseOpenId4VpUrl(url);
      } catch (e) {
        walletFailure(e);
      }
      const key = await readInput(o.key, 'key');
      const credential = await readInput(o.credential, 'credential');
      io.stderr(`answering the request of ${authRequest.clientId} (request_uri ${authRequest.requestUri})\n`);
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
