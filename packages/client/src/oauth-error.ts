/**
 * The one error class of the OAuth helpers (machine client, RP helpers). `error` is either the
 * server's RFC 6749 error code (`invalid_grant`, `access_denied`, …) or a client-side code:
 *  - `network_error`     — no HTTP answer (connection refused, timeout); `status` 0;
 *  - `http_<status>`     — an HTTP error without an RFC 6749 error body;
 *  - `invalid_response`  — a success answer that is not what the protocol requires;
 *  - `invalid_metadata`  — discovery document unusable (issuer mismatch, missing or insecure endpoint);
 *  - `invalid_jwks`      — the `jwks_uri` document is unusable;
 *  - `issuer_mismatch`   — authorization response without / with another `iss` (RFC 9207);
 *  - `state_mismatch`    — authorization response `state` is not the expected one;
 *  - `invalid_id_token`  — the ID token fails a check (signature, iss, aud, exp, iat, nonce).
 * Messages and descriptions never contain keys, assertions, codes or tokens.
 */
export interface OAuthErrorOptions {
  description?: string | undefined;
  /** HTTP status of the response the error came from; 0 (default) when there was none. */
  status?: number;
  /** Overrides the default message (`<error>: <description> (HTTP <status>)`). */
  message?: string;
  cause?: unknown;
}

export class OAuthError extends Error {
  override name = 'OAuthError';
  readonly error: string;
  readonly description: string | undefined;
  /** HTTP status of the answer, 0 when there was no HTTP answer (or the check is local). */
  readonly status: number;

  constructor(error: string, options: OAuthErrorOptions = {}) {
    const status = options.status ?? 0;
    const description = options.description;
    super(options.message ?? `${error}${description ? `: ${description}` : ''}${status ? ` (HTTP ${status})` : ''}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.error = error;
    this.description = description;
    this.status = status;
  }
}
