/** Failures of the JWS layer. `code` is stable; messages never contain the token. */
export type JoseErrorCode =
  | 'ERR_JWS_MALFORMED'
  | 'ERR_JWS_ALG_NOT_ALLOWED'
  | 'ERR_JWS_KEY_MISMATCH'
  | 'ERR_JWS_SIGNATURE_INVALID'
  | 'ERR_JWS_CRIT_UNSUPPORTED'
  | 'ERR_JWS_TOO_LARGE'
  | 'ERR_JWS_IS_JWE';

export class JoseError extends Error {
  override name = 'JoseError';
  readonly code: JoseErrorCode;
  constructor(code: JoseErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
