/**
 * The one fetch of a status document (W3C Bitstring / PlainList status list credential, IETF Token
 * Status List token) named by a credential: through the SSRF-guarded Fetcher as `untrusted`. A URL
 * the fetcher refuses (blocked address, bad URL, too large) or a non-200 answer other than 5xx/429
 * is the credential's fault (`ERR_STATUS_LIST_INVALID`, via `invalid`); unreachable, 5xx or 429 is
 * an outage (`ERR_TRUST_SERVICE_UNAVAILABLE`, 503), so the request fails closed either way.
 */
import { FetchError, type Fetcher } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';

export interface StatusDocumentRequest {
  url: string;
  maxBytes: number;
  accept: string;
  timeoutMs?: number;
  /** `status list` or `token status list`, for the 503 descriptions. */
  name: string;
  /** How `invalid` messages call the address (`URL`, `URI`). */
  locator: string;
  invalid: (message: string, cause?: unknown) => VerifierError;
}

export async function fetchStatusDocument(fetch: Fetcher, r: StatusDocumentRequest): Promise<Buffer> {
  let res;
  try {
    res = await fetch({ url: r.url, purpose: 'untrusted', maxBytes: r.maxBytes, accept: r.accept, timeoutMs: r.timeoutMs });
  } catch (e) {
    if (e instanceof FetchError && (e.reason === 'blocked' || e.reason === 'bad_url' || e.reason === 'too_large')) throw r.invalid(`${r.locator} is not acceptable (${e.reason})`, e);
    throw new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', `the ${r.name} is unreachable; try again later`, { cause: e });
  }
  if (res.status !== 200) {
    if (res.status >= 500 || res.status === 429) throw new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', `the ${r.name} is unavailable; try again later`);
    throw r.invalid(`answered HTTP ${res.status}`);
  }
  return res.body;
}
