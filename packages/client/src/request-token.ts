/** Token request (`grant_type=client_credentials` + VP client assertion) and its response handling. */

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in?: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
  [member: string]: unknown;
}

export interface BuildTokenRequestBodyOptions {
  clientId: string;
  clientAssertion: string;
  scope?: string;
}

export function buildTokenRequestBody(o: BuildTokenRequestBodyOptions): URLSearchParams {
  const body = new URLSearchParams();
  body.set('grant_type', 'client_credentials');
  body.set('client_id', o.clientId);
  body.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
  body.set('client_assertion', o.clientAssertion);
  if (o.scope !== undefined) body.set('scope', o.scope);
  return body;
}

/**
 * A failed token request. `error` is the OAuth error code of the response (`invalid_client`,
 * `invalid_grant`, …) or one of `network_error` / `invalid_response` / `http_<status>` when the
 * server did not answer with an RFC 6749 error body. Messages never contain the assertion.
 */
export class TokenRequestError extends Error {
  override name = 'TokenRequestError';
  readonly error: string;
  readonly status: number;
  readonly description: string | undefined;
  constructor(error: string, status: number, description?: string) {
    super(`token request failed: ${error}${status ? ` (HTTP ${status})` : ''}${description ? `: ${description}` : ''}`);
    this.error = error;
    this.status = status;
    this.description = description;
  }
}

export interface RequestTokenOptions {
  tokenEndpoint: string;
  body: URLSearchParams;
  fetch?: typeof fetch;
  /** Extra request headers (e.g. `X-Tenant`). */
  headers?: Record<string, string>;
  /** Default 15000. */
  timeoutMs?: number;
}

const MAX_DESCRIPTION = 500;

/** Removes secrets the server might echo (the assertion, any JWT-looking text) and bounds the length. */
function scrub(text: string, body: URLSearchParams): string {
  let out = text;
  for (const name of ['client_assertion', 'client_secret']) {
    const secret = body.get(name);
    if (secret) out = out.split(secret).join('[redacted]');
  }
  out = out.replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_DESCRIPTION ? `${out.slice(0, MAX_DESCRIPTION)}…` : out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** POSTs the form to the token endpoint; throws `TokenRequestError` on any non-success. */
export async function requestToken(o: RequestTokenOptions): Promise<TokenResponse> {
  const doFetch = o.fetch ?? globalThis.fetch;
  let res: Response;
  try {
    res = await doFetch(o.tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json', ...o.headers },
      body: o.body.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(o.timeoutMs ?? 15_000),
    });
  } catch (e) {
    const reason = e instanceof Error ? (e.name === 'TimeoutError' ? 'timed out' : e.message) : 'fetch failed';
    throw new TokenRequestError('network_error', 0, scrub(reason, o.body));
  }
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    if (isObject(json) && typeof json.error === 'string' && json.error.length > 0) {
      const description = typeof json.error_description === 'string' ? scrub(json.error_description, o.body) : undefined;
      throw new TokenRequestError(scrub(json.error, o.body).slice(0, 100), res.status, description);
    }
    throw new TokenRequestError(`http_${res.status}`, res.status, text ? scrub(text, o.body) : undefined);
  }
  if (!isObject(json) || typeof json.access_token !== 'string' || json.access_token.length === 0) {
    throw new TokenRequestError('invalid_response', res.status, 'the token response has no access_token');
  }
  if (typeof json.token_type !== 'string') {
    throw new TokenRequestError('invalid_response', res.status, 'the token response has no token_type');
  }
  return json as TokenResponse;
}
