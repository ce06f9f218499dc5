/**
 * Errors a resource server answers with (RFC 6750 §3.1). Messages and descriptions are fixed
 * texts chosen here: they never contain the token or any value read from it.
 */

export type BearerErrorCode = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

/** Base of every error this package throws for a request it refuses. */
export abstract class AccessTokenError extends Error {
  abstract readonly error: BearerErrorCode | 'temporarily_unavailable';
  abstract readonly status: number;
  readonly description: string;
  constructor(description: string) {
    super(description);
    this.description = description;
  }
}

/**
 * 401. The token is missing, malformed, expired, not signed by the verifier, or carries no LEAR
 * credential. `missing` marks a request without any bearer credentials: RFC 6750 §3.1 says the
 * challenge then carries no error code.
 */
export class InvalidTokenError extends AccessTokenError {
  readonly error = 'invalid_token';
  readonly status = 401;
  readonly missing: boolean;
  override readonly name = 'InvalidTokenError';
  constructor(description: string, options: { missing?: boolean } = {}) {
    super(description);
    this.missing = options.missing === true;
  }
}

/** 400. The request carries the token in a way RFC 6750 / OAuth 2.1 forbids (repeated, in the query, …). */
export class InvalidRequestError extends AccessTokenError {
  readonly error = 'invalid_request';
  readonly status = 400;
  override readonly name = 'InvalidRequestError';
}

/** 403. The token is valid but its credential lacks the power (or the token the scope) the resource needs. */
export class InsufficientScopeError extends AccessTokenError {
  readonly error = 'insufficient_scope';
  readonly status = 403;
  /** OAuth scope(s) the resource needs, for the challenge's `scope` attribute (not set for LEAR powers). */
  readonly scope: string | undefined;
  override readonly name = 'InsufficientScopeError';
  constructor(description: string, options: { scope?: string } = {}) {
    super(description);
    this.scope = options.scope;
  }
}

/**
 * 503. The verifier's keys could not be obtained (discovery or JWKS unreachable and nothing
 * cached): the token may well be valid, so this is not reported as invalid_token.
 */
export class KeySetUnavailableError extends AccessTokenError {
  readonly error = 'temporarily_unavailable';
  readonly status = 503;
  override readonly name = 'KeySetUnavailableError';
}

/**
 * 503. Introspection mode: the verifier's introspection endpoint could not give an answer
 * (unreachable, timed out, refused our client authentication, malformed reply). Fail closed: the
 * token may be valid, but the API must not accept it without knowing it was not revoked.
 */
export class IntrospectionUnavailableError extends AccessTokenError {
  readonly error = 'temporarily_unavailable';
  readonly status = 503;
  override readonly name = 'IntrospectionUnavailableError';
}

export function isAccessTokenError(e: unknown): e is AccessTokenError {
  return e instanceof AccessTokenError;
}
