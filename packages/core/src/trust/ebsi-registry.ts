/**
 * FIWARE-style trust registries (fiware-vcverifier.md §6.4, §7.3, §7.4): EBSI-shaped Trusted
 * Issuers Lists and trusted-participants registries, queried at `<listUrl>/v4/issuers/<DID>` with
 * the `/v3/issuers/<DID>` fallback, and Gaia-X registries (trust/gaia-x-registry.ts).
 *
 * Every list URL gets one `createTrustedIssuersRegistry` (trust/trusted-issuers.ts — the DOME
 * TIL client: per-DID cache with TTL, 404 cached for min(TTL, 10 s), failures never cached,
 * single flight, 503 `ERR_TRUST_SERVICE_UNAVAILABLE` on an outage) held in a bounded pool.
 */
import type { Fetcher } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import type { DidResolver } from '../did/resolver.ts';
import { createTrustedIssuersRegistry, type TrustedIssuerRecord, type TrustedIssuersRegistry } from './trusted-issuers.ts';
import { createGaiaXRegistry, type GaiaXRegistry } from './gaia-x-registry.ts';

export interface TrustRegistriesOptions {
  fetch: Fetcher;
  /** Resolves issuer did:web documents for Gaia-X checks (their `publicKeyJwk.x5u`). */
  dids: DidResolver;
  /** How long an answer (issuer record, participant, Gaia-X verdict) is reused, ms. */
  ttlMs: number;
  /** Not-found / not-trusted answers; default min(ttlMs, 10 000). */
  negativeTtlMs?: number;
  timeoutMs?: number;
  now?: () => number;
  /** Distinct list URLs kept (each with its own per-DID cache); default 64. */
  maxLists?: number;
}

export interface TrustRegistries {
  /** The EBSI Trusted Issuers List at `listUrl` (v4 → v3, attributes decoded). */
  issuersList(listUrl: string): TrustedIssuersRegistry;
  /** The EBSI trusted-participants registry at `listUrl` (v4 → v3, a 200 is enough). */
  participantsList(listUrl: string): TrustedIssuersRegistry;
  readonly gaiaX: GaiaXRegistry;
}

/** `<listUrl>/<version>/issuers/` (a trailing `/` of the list URL ignored; the DID is appended unescaped). */
export function ebsiIssuersUrl(listUrl: string, version: 'v4' | 'v3'): string {
  return `${listUrl.replace(/\/+$/, '')}/${version}/issuers/`;
}

const HTTP_URL_RE = /^https?:\/\/[^\s/?#]+/i;

/** Why a `trustedIssuersLists` value is unusable (for configuration validation), or undefined. */
export function trustedIssuersListsProblem(lists: readonly string[]): string | undefined {
  if (lists.length === 0) return 'is empty: list TIL URLs, or ["*"] to skip the issuer check';
  if (lists.includes('*')) return lists.length === 1 ? undefined : '"*" must be the only entry';
  const bad = lists.find((u) => !HTTP_URL_RE.test(u));
  return bad === undefined ? undefined : `${JSON.stringify(bad.slice(0, 100))} is not an http(s) URL`;
}

export function createTrustRegistries(options: TrustRegistriesOptions): TrustRegistries {
  const pool = new BoundedCache<string, TrustedIssuersRegistry>(options.maxLists ?? 64);
  const common = { fetch: options.fetch, ttlMs: options.ttlMs, negativeTtlMs: options.negativeTtlMs, timeoutMs: options.timeoutMs, now: options.now };
  const get = (kind: 'issuers' | 'participants', listUrl: string): TrustedIssuersRegistry => {
    const key = `${kind} ${listUrl}`;
    let r = pool.get(key);
    if (!r) {
      r = createTrustedIssuersRegistry({
        ...common,
        baseUrl: ebsiIssuersUrl(listUrl, 'v4'),
        fallbackBaseUrl: ebsiIssuersUrl(listUrl, 'v3'),
        presenceOnly: kind === 'participants',
        name: kind === 'issuers' ? 'a Trusted Issuers List' : 'a trusted participants list',
      });
      pool.set(key, r);
    }
    return r;
  };
  return {
    issuersList: (url) => get('issuers', url),
    participantsList: (url) => get('participants', url),
    gaiaX: createGaiaXRegistry({ ...common, dids: options.dids }),
  };
}

export type TrustedIssuerLookup =
  /** `["*"]`: the TIL check is skipped for this credential type. */
  | { readonly status: 'wildcard' }
  | { readonly status: 'trusted'; readonly listUrl: string; readonly record: TrustedIssuerRecord }
  /** No list knows the issuer (404 on v4 and v3 everywhere). */
  | { readonly status: 'notFound' };

/**
 * Looks `did` up in `lists` (FIWARE `trustedIssuersLists`) in order; the first list that answers
 * 200 wins (lists are not merged). No 200 anywhere: `notFound` when every list answered 404,
 * else 503 `ERR_TRUST_SERVICE_UNAVAILABLE` (an outage never reads as "not trusted", nor as
 * trusted). `["*"]` → `wildcard`; an invalid configuration (`*` mixed with URLs, a non-http(s)
 * URL, none) throws `ERR_SERVER` — validate configurations with `trustedIssuersListsProblem`.
 */
export async function lookupTrustedIssuer(lists: readonly string[], did: string, deps: Pick<TrustRegistries, 'issuersList'>): Promise<TrustedIssuerLookup> {
  const problem = trustedIssuersListsProblem(lists);
  if (problem) throw new VerifierError('ERR_SERVER', 'the trusted issuers lists of this credential type are misconfigured', { cause: new Error(`trustedIssuersLists ${problem}`) });
  if (lists[0] === '*') return { status: 'wildcard' };
  let failure: unknown;
  for (const listUrl of lists) {
    try {
      const record = await deps.issuersList(listUrl).lookup(did);
      if (record) return { status: 'trusted', listUrl, record };
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
  return { status: 'notFound' };
}
