/**
 * Outbound HTTP, injected into the core so that every fetch goes through one policy:
 * timeouts, response size caps, no redirects, and — for URLs that clients or credentials
 * supply — SSRF protection (https only, public addresses only, checked at connect time).
 */
export type FetchPurpose =
  /** URL from operator configuration (trust lists): any scheme/host the operator chose. */
  | 'operator'
  /** URL named by a client or a credential (jwkSetUrl, request_uri, status list): guarded. */
  | 'untrusted';

export interface FetchRequest {
  url: string;
  purpose: FetchPurpose;
  /** Response body cap in bytes. */
  maxBytes: number;
  timeoutMs?: number;
  accept?: string;
  /** Default GET. POST is for operator URLs only (registries that are queried by POST, e.g. Gaia-X). */
  method?: 'GET' | 'POST';
  /** POST body. */
  body?: string | Buffer;
  /** POST body media type. */
  contentType?: string;
}

export interface FetchResponse {
  status: number;
  contentType: string | undefined;
  body: Buffer;
  /** `Cache-Control: max-age` in seconds when the server sent one. */
  maxAgeSeconds?: number;
}

export type FetchErrorReason = 'timeout' | 'too_large' | 'blocked' | 'network' | 'bad_url';

export class FetchError extends Error {
  override name = 'FetchError';
  readonly reason: FetchErrorReason;
  constructor(reason: FetchErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Resolves with any HTTP status (the caller decides); rejects only with FetchError. */
export type Fetcher = (request: FetchRequest) => Promise<FetchResponse>;
