/** URL checks for everything that becomes an `href`/`src` on the login pages. */

export const OPENID4VP_SCHEME = 'openid4vp://';
export const MAX_AUTH_REQUEST = 4096;
export const MAX_STATE = 1024;

/** Normalised absolute http(s) URL without credentials, or undefined (never `javascript:` & co). */
export function safeHttpUrl(value: string | undefined): string | undefined {
  if (!value || value.length > 2048) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

/**
 * An image source from configuration: absolute http(s), `data:image/…`, or a scheme-less path
 * (resolved against the page). Anything with another scheme is refused.
 */
export function safeAssetUrl(value: string | undefined): string | undefined {
  const v = value?.trim();
  if (!v || v.length > 64 * 1024) return undefined;
  if (/^data:image\/[a-z0-9.+-]+[;,]/i.test(v)) return v;
  if (/^[a-z][a-z0-9+.-]*:/i.test(v)) return safeHttpUrl(v);
  if (/[\s\\]/.test(v)) return undefined;
  return v;
}

/** `baseUrl` + `path` with exactly one `/` between them. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * Same-device link (`verifier.frontend.walletKind`):
 * - `wallet-api` (the deployed DOME wallet): DOME rewrites `openid4vp://` to the wallet's https
 *   URL and keeps the query string (`?client_id=…&request_uri=…`);
 * - `pwa` (the EUDIStack wallet PWA, dome-wallet-pwa.md §1.1): its route
 *   `{wallet}/protocol/callback?authorization_request=<urlencoded openid4vp URL>`.
 * Without an https wallet URL the raw `openid4vp://` link is used.
 */
export function walletHref(authRequest: string, walletUrl: string | undefined, kind: 'wallet-api' | 'pwa' = 'wallet-api'): string {
  const wallet = walletUrl?.trim();
  if (!wallet || !wallet.toLowerCase().startsWith('https://') || !safeHttpUrl(wallet)) return authRequest;
  if (kind === 'pwa') {
    const url = new URL(wallet);
    return `${url.origin}${joinUrl(url.pathname, 'protocol/callback')}?authorization_request=${encodeURIComponent(authRequest)}`;
  }
  const rest = authRequest.slice(OPENID4VP_SCHEME.length);
  const q = rest.indexOf('?');
  if (q === -1) return wallet;
  const query = rest.slice(q + 1);
  if (query === '') return wallet;
  return `${wallet}${wallet.includes('?') ? '&' : '?'}${query}`;
}

/** `authRequest` of the login page: `openid4vp://…`, printable ASCII, ≤ 4096 chars. */
export function isValidAuthRequest(v: unknown): v is string {
  return typeof v === 'string' && v.length <= MAX_AUTH_REQUEST && v.startsWith(OPENID4VP_SCHEME) && /^[\x21-\x7e]+$/.test(v);
}

/** RP `state`: non-empty, ≤ 1024 chars. */
export function isValidState(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= MAX_STATE;
}

/** Issuer path prefix without trailing `/` (`''` at the root), for links back to our own endpoints. */
export function basePath(issuer: string): string {
  return new URL(issuer).pathname.replace(/\/+$/, '');
}
