/**
 * The wallet's entry point: the QR / deep link the verifier shows (OpenID4VP, request by reference),
 * `openid4vp://?client_id=<verifier did>&request_uri=<verifier>/oid4vp/auth-request/<id>`.
 * Also accepted: `openid4vp:?…` (no `//`), the same query on an https wallet URL (the login page's
 * "same device" link, e.g. `https://wallet.dome-marketplace.eu?client_id=…&request_uri=…`), and the
 * verifier's login page URL carrying the deep link in its `authRequest` parameter.
 */
import { WalletError } from './wallet-error.ts';

export interface AuthorizationRequest {
  /** `client_id` of the URL (the verifier's did:key); must equal the request object's `client_id`. */
  clientId: string;
  /** Where the signed request object is fetched (http or https). */
  requestUri: string;
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new WalletError('bad_url', 'not a URL');
  }
}

function isHttp(url: URL): boolean {
  return url.protocol === 'https:' || url.protocol === 'http:';
}

export function parseOpenId4VpUrl(url: string): AuthorizationRequest {
  return parse(url, true);
}

function parse(url: string, unwrap: boolean): AuthorizationRequest {
  if (typeof url !== 'string' || url.trim() === '') throw new WalletError('bad_url', 'empty URL');
  const parsed = parseUrl(url.trim());
  if (parsed.protocol !== 'openid4vp:' && !isHttp(parsed)) {
    throw new WalletError('bad_url', `unsupported URL scheme "${parsed.protocol}" (expected openid4vp: or https:)`);
  }
  const q = parsed.searchParams;
  // The verifier's login page (`/login?authRequest=openid4vp://…&state=…&homeUri=…`): unwrap once.
  if (!q.has('client_id') && !q.has('request_uri') && q.has('authRequest') && isHttp(parsed) && unwrap) {
    return parse(q.get('authRequest') ?? '', false);
  }
  const clientId = q.get('client_id');
  const requestUri = q.get('request_uri');
  if (!clientId) throw new WalletError('bad_url', 'the URL has no client_id');
  if (!requestUri) {
    throw new WalletError('bad_url', q.has('request') ? 'request by value is not supported (the DOME wallet needs request_uri)' : 'the URL has no request_uri');
  }
  let target: URL;
  try {
    target = new URL(requestUri);
  } catch {
    throw new WalletError('bad_url', 'request_uri is not an absolute URL');
  }
  if (!isHttp(target)) throw new WalletError('bad_url', 'request_uri must be an http(s) URL');
  return { clientId, requestUri };
}
