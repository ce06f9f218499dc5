import { ERROR_CODES, type ErrorCode, type OAuthErrorName } from './codes.ts';

/**
 * The one error type of the core. `message` is the public `error_description`; `cause` may
 * hold a private detail for logs (never a token). The HTTP layer maps it to RFC 6749 JSON.
 */
export class VerifierError extends Error {
  override name = 'VerifierError';
  readonly code: ErrorCode;
  readonly error: OAuthErrorName;
  readonly status: number;
  /** When the caller may try again, in seconds (HTTP `Retry-After`), if the thrower knows. */
  readonly retryAfterSeconds?: number;

  constructor(code: ErrorCode, description: string, options?: { cause?: unknown; retryAfterSeconds?: number }) {
    super(description, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.error = ERROR_CODES[code].error;
    this.status = ERROR_CODES[code].status;
    if (options?.retryAfterSeconds !== undefined) this.retryAfterSeconds = Math.max(1, Math.ceil(options.retryAfterSeconds));
  }
}

export const fail = (code: ErrorCode, description: string, cause?: unknown): never => {
  throw new VerifierError(code, description, cause === undefined ? undefined : { cause });
};
