/** Errors of the test wallet. `code` is stable (tests and the CLI match on it); `reason` narrows request-object failures. */

export type WalletErrorCode =
  /** The openid4vp:// (or wallet https) URL is unusable. */
  | 'bad_url'
  /** GET request_uri failed: network, redirect, non-2xx, wrong content type, empty body. */
  | 'request_object_fetch'
  /** The request object fails a check the DOME wallet makes (see `reason`). */
  | 'request_object_invalid'
  /** The holder key cannot be used (not a P-256 private key). */
  | 'bad_key'
  /** The credential is neither a compact VC-JWT nor base64 of one. */
  | 'bad_credential'
  /** POST response_uri failed at the network level (an HTTP error status is NOT an error). */
  | 'response_post';

export class WalletError extends Error {
  override name = 'WalletError';
  readonly code: WalletErrorCode;
  /** For 'request_object_invalid': 'jwt' | 'typ' | 'kid' | 'client_id' | 'signature' | 'exp' | 'client_id_mismatch' | 'response_type' | 'response_mode' | 'response_uri' | 'nonce' | 'state' | 'scope' (free text otherwise). */
  readonly reason: string | undefined;
  /** HTTP status when the failure came with one (request_object_fetch). */
  readonly status: number | undefined;

  constructor(code: WalletErrorCode, message: string, extra: { reason?: string; status?: number; cause?: unknown } = {}) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.code = code;
    this.reason = extra.reason;
    this.status = extra.status;
  }
}
