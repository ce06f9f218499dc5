/**
 * Verified-credential cache. A machine presents the same long-lived LEARCredentialMachine JWT
 * on every token request, so its decoding and the time-independent part of its verification
 * (x5c chain to a trust anchor, issuer signature, organisation check) are done once and reused
 * while every certificate of the chain is within validity; so are its LEAR mapping and its parsed
 * validity dates (pure functions of the cached payload), stored only once they succeeded. Presentations and client assertions
 * are never cached: they are fresh per request. Time windows, revocation and trust-list
 * lookups still run on every request (those have their own bounded TTLs).
 */
import type { DecodedJws } from '../jose/jws.ts';
import type { LearCredential } from './lear-credential.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';

export interface CredentialSignatureVerdict {
  /** The chain's validity window (ms epoch); the verdict is reused only inside it. */
  readonly notBefore: number;
  readonly notAfter: number;
}

export interface CachedCredential {
  /** Decoded VC JWT; shared between requests, so deep-frozen. */
  readonly jws: DecodedJws;
  signature?: CredentialSignatureVerdict;
  /** The `vc` object as tokens carry it (keys sorted, nulls dropped), computed once; deep-frozen. */
  tokenVc?: Record<string, unknown>;
  /** `JSON.stringify(tokenVc)`, computed with it (the access token embeds it as is). */
  tokenVcJson?: string;
  /** The LEAR mapping of the credential (credential-type), set once it succeeded; deep-frozen. */
  credential?: LearCredential;
  /** `validFrom`/`validUntil` as ms epoch (credential-time), set once both parsed; compared with the clock on every request. */
  validity?: { readonly from: number | undefined; readonly until: number | undefined };
}

export interface CredentialCache {
  get(vcJwt: string): CachedCredential | undefined;
  set(vcJwt: string, entry: CachedCredential): void;
}

/** Freezes `value` and everything reachable from it (iteratively): cache entries are shared between requests. */
export function deepFreeze<T>(value: T): T {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || Object.isFrozen(v)) continue;
    Object.freeze(v);
    for (const child of Object.values(v as Record<string, unknown>)) stack.push(child);
  }
  return value;
}

/**
 * Entries are found by the JWT's signature segment and confirmed by comparing the whole JWT: a
 * lookup keyed by the whole ~5 KB string hashed all of it on every request (≈ 7 µs, the string is
 * new each time), while comparing two strings stops at the first difference and a few hundred
 * characters hash in well under a microsecond. Two credentials with the same signature segment
 * (not expected) only evict each other; a hit is always the identical JWT.
 */
const signatureSegment = (jwt: string): string => jwt.slice(jwt.lastIndexOf('.') + 1);

export function createCredentialCache(maxEntries = 1_000): CredentialCache {
  const cache = new BoundedCache<string, { readonly jwt: string; readonly entry: CachedCredential }>(maxEntries);
  return {
    get: (jwt) => {
      const slot = cache.get(signatureSegment(jwt));
      return slot !== undefined && slot.jwt === jwt ? slot.entry : undefined;
    },
    set: (jwt, entry) => {
      deepFreeze(entry.jws.header);
      deepFreeze(entry.jws.payload);
      cache.set(signatureSegment(jwt), { jwt, entry });
    },
  };
}

/** The token form of a cached credential's `vc` and its JSON text: made once, deep-frozen (so the text stays true). */
export function cachedTokenVc(entry: CachedCredential, make: () => Record<string, unknown>): { tokenVc: Record<string, unknown>; tokenVcJson: string } {
  if (entry.tokenVc === undefined || entry.tokenVcJson === undefined) {
    const tokenVc = deepFreeze(make());
    entry.tokenVcJson = JSON.stringify(tokenVc);
    entry.tokenVc = tokenVc;
  }
  return { tokenVc: entry.tokenVc, tokenVcJson: entry.tokenVcJson };
}
