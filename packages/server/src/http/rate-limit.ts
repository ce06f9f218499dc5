/**
 * Token-bucket rate limits, one bucket per key (a client address, a client id): `burst` requests
 * at once, refilled at `perSecond`. The map of buckets is bounded: at `maxKeys` the least
 * recently seen key is forgotten (a forgotten key starts again with a full bucket, so the bound
 * can only make the limiter more lenient, never refuse a request it should accept). Time is a
 * monotonic millisecond clock (injected in tests). Per replica: N replicas allow N times the rate.
 */
export interface RateLimiterOptions {
  readonly perSecond: number;
  readonly burst: number;
  readonly maxKeys: number;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

export interface RateLimiter {
  /** Takes one request from `key`'s bucket: 0 when allowed, else the seconds until one is (≥ 1, for Retry-After). */
  take(key: string): number;
  /** Keys remembered now. */
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const { perSecond, burst, maxKeys } = options;
  if (!(perSecond > 0) || !(burst >= 1) || !(maxKeys >= 1)) throw new RangeError('perSecond, burst and maxKeys must be positive');
  const now = options.now ?? (() => performance.now());
  // A Map iterates in insertion order: re-inserting on every use keeps the least recently seen first.
  const buckets = new Map<string, Bucket>();
  return {
    take(key) {
      const t = now();
      let b = buckets.get(key);
      if (b) {
        buckets.delete(key);
        b.tokens = Math.min(burst, b.tokens + ((t - b.at) * perSecond) / 1000);
        b.at = t;
      } else {
        b = { tokens: burst, at: t };
        if (buckets.size >= maxKeys) buckets.delete(buckets.keys().next().value!);
      }
      buckets.set(key, b);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return 0;
      }
      return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
    },
    get size() {
      return buckets.size;
    },
  };
}
