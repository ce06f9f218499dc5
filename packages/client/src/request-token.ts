/** Token request (`grant_type=client_credentials` + VP client assertion) and its response handling. */
import { OAuthError } from './oauth-error.ts';

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
 * server did not answer with an RFC 6749 error body. Messages never contain the assertion, the
 * code, the refresh token or any JWT. An `OAuthError`.
 */
export class TokenRequestError extends OAuthError {
  override name = 'TokenRequestError';
  constructor(error: string, status: number, description?: string, options: { cause?: unknown } = {}) {
    super(error, {
      status,
      description,
      message: `token request failed: ${error}${status ? ` (HTTP ${status})` : ''}${description ? `: ${description}` : ''}`,
      cause: options.cause,
    });
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

const SECRET_PARAMETERS = ['client_assertion', 'client_secret', 'code', 'code_verifier', 'refresh_token'];

/**
 * Removes secrets the server might echo (the assertion, code, code verifier, refresh token of
 * the sent form; any JWT-looking text) and bounds the length.
 */
export function scrub(text: string, body?: URLSearchParams): string {
  let out = text;
  if (body) {
    for (const name of SECRET_PARAMETERS) {
      const secret = body.get(name);
      if (secret) out = out.split(secret).join('[redacted]');
    }
  }
  out = out.replace(/eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*/g, '[redacted-jwt]');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_DESCRIPTION ? `${out.slice(0, MAX_DESCRIPTION)}…` : out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * POSTs the form to the token endpoint and returns the raw `Response` (any status). Throws
 * `TokenRequestError('network_error')` only when there is no HTTP answer. Redirects are not followed.
 */
export async function sendTokenRequest(o: RequestTokenOptions): Promise<Response> {
  const doFetch = o.fetch ?? globalThis.fetch;
  try {
    return await doFetch(o.tokenEndpoint, {
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
}

/**
 * Validates a token endpoint `Response`: RFC 6749 error bodies become `TokenRequestError` with the
 * server's `error`; a success must carry `access_token` and `token_type`. `sent` (the request form)
 * lets secrets the server echoes be redacted from descriptions.
 */
export async function processTokenResponse(res: Response, sent?: URLSearchParams): Promise<TokenResponse> {
  const text = await res.text().catch(() => '');
  let json: unknown;
  try {
    json = text.length > 0 ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    if (isObject(json) && typeof json.error === 'string' && json.error.length > 0) {
      const description = typeof json.error_description === 'string' ? scrub(json.error_description, sent) : undefined;
      throw new TokenRequestError(scrub(json.error, sent).slice(0, 100), res.status, description);
    }
    throw new TokenRequestError(`http_${res.status}`, res.status, text ? scrub(text, sent) : undefined);
  }
  if (!isObject(json) || typeof json.access_token !== 'string' || json.access_token.length === 0) {
    throw new TokenRequestError('invalid_response', res.status, 'the token response has no access_token');
  }
  if (typeof json.token_type !== 'string') {
    throw new TokenRequestError('invalid_response', res.status, 'the token response has no token_type');
  }
  return json as TokenResponse;
}

/** POSTs the form to the token endpoint; throws `TokenRequestError` on any non-success. */
export async function requestToken(o: RequestTokenOptions): Promise<TokenResponse> {
  return processTokenResponse(await sendTokenRequest(o), o.body);
}
