/**
 * Gaia-X trusted participants (fiware-vcverifier.md §6.4, VCVerifier `gaiax/gaiaXClient.go`):
 * the issuer DID is resolved as did:web; a verification method of the DID (our resolver keeps
 * only those whose id is `did#…` and whose controller is the DID) must carry a `publicKeyJwk.x5u`;
 * `POST {"uri": "<x5u>"}` to `<registry>/v2/api/trustAnchor/chain/file` (an operator URL) answers
 * 200 when the chain leads to a Gaia-X trust anchor.
 *
 * Verdicts: 200 → trusted (cached for the TTL); any other 4xx, or no did:web / no x5u / a DID
 * that does not resolve → not trusted (cached for the negative TTL when the registry said so);
 * a transport error, 5xx or 429 → 503 `ERR_TRUST_SERVICE_UNAVAILABLE` (not cached). Concurrent
 * checks of one (registry, x5u) share one POST.
 */
import { FetchError, type Fetcher } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import type { DidResolver } from '../did/resolver.ts';
import { parseDid } from '../did/parse-did.ts';

export interface GaiaXRegistryOptions {
  fetch: Fetcher;
  dids: DidResolver;
  ttlMs: number;
  negativeTtlMs?: number | undefined;
  timeoutMs?: number | undefined;
  now?: (() => number) | undefined;
}

export interface GaiaXRegistry {
  /** True when the registry at `registryUrl` accepts the x5u chain of `did`'s did:web document. */
  isParticipant(registryUrl: string, did: string): Promise<boolean>;
}

const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_X5U = 2048;

export function createGaiaXRegistry(options: GaiaXRegistryOptions): GaiaXRegistry {
  const now = options.now ?? Date.now;
  const negativeTtl = options.negativeTtlMs ?? Math.min(options.ttlMs, 10_000);
  const cache = new BoundedCache<string, boolean>(2_000);
  const inflight = new Map<string, Promise<boolean>>();
  const unavailable = (detail: string, cause?: unknown) =>
    new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'a Gaia-X registry is unavailable; try again later', { cause: cause ?? new Error(detail) });

  async function ask(registryUrl: string, x5u: string): Promise<boolean> {
    let res;
    try {
      res = await options.fetch({
        url: `${registryUrl.replace(/\/+$/, '')}/v2/api/trustAnchor/chain/file`,
        purpose: 'operator',
        method: 'POST',
        body: JSON.stringify({ uri: x5u }),
        contentType: 'application/json',
        maxBytes: MAX_ANSWER_BYTES,
        timeoutMs: options.timeoutMs,
      });
    } catch (e) {
      throw unavailable(e instanceof FetchError ? e.reason : 'fetch failed', e);
    }
    if (res.status >= 500 || res.status === 429) throw unavailable(`Gaia-X registry answered HTTP ${res.status}`);
    return res.status === 200;
  }

  return {
    async isParticipant(registryUrl, did) {
      if (parseDid(did)?.method !== 'web') return false;
      const { didDocument } = await options.dids.resolve(did);
      const x5u = didDocument?.verificationMethod.map((vm) => vm.publicKeyJwk.x5u).find((u): u is string => typeof u === 'string' && u.length > 0 && u.length <= MAX_X5U);
      if (x5u === undefined) return false;
      const key = `${registryUrl} ${x5u}`;
      const hit = cache.get(key, now());
      if (hit !== undefined) return hit;
      let p = inflight.get(key);
      if (!p) {
        p = ask(registryUrl, x5u).finally(() => inflight.delete(key));
        inflight.set(key, p);
        p.then((v) => cache.set(key, v, v ? options.ttlMs : negativeTtl, now()), () => undefined);
      }
      return p;
    },
  };
}
