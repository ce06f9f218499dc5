/**
 * RFC 6750 on the wire: reading the bearer token from a request (§2.1 only — the query form
 * §2.3 is refused as OAuth 2.1 / RFC 9700 require) and answering a refused request (§3).
 */
import { AccessTokenError, InsufficientScopeError, InvalidRequestError, InvalidTokenError } from './errors.ts';

/** Node/Express/Fastify style headers (`req.headers`, `req.headersDistinct`), or a Fetch API `Headers`. */
export type HeadersLike = Readonly<Record<string, string | readonly string[] | undefined>> | { get(name: string): string | null };

// RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
// RFC 7230 token (auth-scheme), then 1*SP and the credentials.
const CREDENTIALS = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+)(?:[ \t]+(.*))?$/s;

function authorizationValues(headers: HeadersLike): string[] {
  if (typeof headers.get === 'function') {
    const v = (headers as { get(name: string): string | null }).get('authorization');
    return v === null ? [] : [v];
  }
  const out: string[] = [];
  for (const [name, value] of Object.entries(headers as Record<string, unknown>)) {
    if (name.toLowerCase() !== 'authorization' || value === undefined) continue;
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) out.push(...value.filter((x): x is string => typeof x === 'string'));
  }
  return out;
}

function queryHasAccessToken(url: string | undefined): boolean {
  if (!url) return false;
  const q = url.indexOf('?');
  if (q < 0) return false;
  const hash = url.indexOf('#', q);
  return new URLSearchParams(url.slice(q + 1, hash < 0 ? undefined : hash)).has('access_token');
}

/**
 * The bearer token of a request: exactly one `Authorization: Bearer <b64token>` header, the
 * scheme compared case-insensitively (RFC 7235 §2.1).
 * @param url the request target; an `access_token` query parameter is refused (invalid_request).
 * @throws InvalidTokenError with `missing` when there are no bearer credentials (also for another scheme);
 *   InvalidTokenError for an empty or malformed token; InvalidRequestError for repeated headers or a query token.
 */
export function bearerToken(headers: HeadersLike, url?: string): string {
  if (queryHasAccessToken(url)) throw new InvalidRequestError('access tokens are not accepted in the query string; send them in the Authorization header');
  const values = authorizationValues(headers);
  if (values.length === 0) throw new InvalidTokenError('a bearer access token is required', { missing: true });
  if (values.length > 1) throw new InvalidRequestError('the request has more than one Authorization header');
  const m = CREDENTIALS.exec(values[0]!.trim());
  if (!m || m[1]!.toLowerCase() !== 'bearer') throw new InvalidTokenError('a bearer access token is required', { missing: true });
  const token = (m[2] ?? '').trim();
  if (token === '') throw new InvalidTokenError('the bearer token is empty');
  if (token.includes(',')) throw new InvalidRequestError('the request carries more than one set of credentials');
  if (!B64TOKEN.test(token)) throw new InvalidTokenError('the bearer token is malformed');
  return token;
}

const quoted = (s: string): string => `"${s.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/["\\]/g, '\\$&')}"`;
// RFC 6750 §3: error_description and scope values exclude '"' and '\' and anything outside %x20-7E.
const attribute = (s: string): string => `"${s.replace(/"/g, "'").replace(/\\/g, '/').replace(/[^\x20-\x7e]/g, '?')}"`;

/**
 * The `WWW-Authenticate` challenge for a refused request: `Bearer realm="…"` alone when the
 * request had no bearer credentials, else with `error`, `error_description` (and `scope` for
 * insufficient_scope).
 */
export function wwwAuthenticate(err: unknown, realm?: string): string {
  const params: string[] = [];
  if (realm !== undefined) params.push(`realm=${quoted(realm)}`);
  const informative = err instanceof AccessTokenError && err.error !== 'temporarily_unavailable' && !(err instanceof InvalidTokenError && err.missing);
  if (informative) {
    params.push(`error="${err.error}"`, `error_description=${attribute(err.description)}`);
    if (err instanceof InsufficientScopeError && err.scope) params.push(`scope=${attribute(err.scope)}`);
  }
  return params.length > 0 ? `Bearer ${params.join(', ')}` : 'Bearer';
}

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  /** `{error, error_description}`; no `error` when the request had no credentials (RFC 6750 §3.1). */
  body: { error?: string; error_description: string };
}

/**
 * The HTTP answer for an error thrown by this package (status, headers incl. `WWW-Authenticate`
 * and `Cache-Control: no-store`, JSON body), or `undefined` for any other error (a bug or an
 * application error that the framework should handle).
 */
export function errorResponse(err: unknown, options: { realm?: string } = {}): ErrorResponse | undefined {
  if (!(err instanceof AccessTokenError)) return undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  if (err.error === 'temporarily_unavailable') headers['retry-after'] = '30';
  else headers['www-authenticate'] = wwwAuthenticate(err, options.realm);
  const missing = err instanceof InvalidTokenError && err.missing;
  return { status: err.status, headers, body: missing ? { error_description: err.description } : { error: err.error, error_description: err.description } };
}
