/**
 * In-memory `Store` for a single instance (the development default). Expired entries are
 * swept periodically; the entry count is bounded, and when full, a write of a new key fails
 * closed with `ERR_STORE_FULL` (503 `temporarily_unavailable`) instead of evicting — evicting a
 * replay-detection entry would allow a replay. `/health` sees it through its write probe.
 */
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';
import { VerifierError } from '../errors/verifier-error.ts';

export interface MemoryStoreOptions {
  clock?: Clock;
  maxEntries?: number;
  sweepIntervalMs?: number;
}

/** Public description of a full store (the memory store at its entry limit, Redis out of memory). */
export const STORE_FULL_MESSAGE = 'the session store is full; try again later';
const storeFull = () => new VerifierError('ERR_STORE_FULL', STORE_FULL_MESSAGE);

export function createMemoryStore(options: MemoryStoreOptions = {}): Store & { readonly size: number } {
  const clock = options.clock ?? systemClock;
  const max = options.maxEntries ?? 2_000_000;
  const map = new Map<string, { value: string; expiresAt: number }>();
  // Keys by expiry second, so that a sweep touches only what has expired (a full scan of a
  // busy replay store would block the event loop for tens of milliseconds).
  const buckets = new Map<number, string[]>();
  const track = (key: string, expiresAt: number) => {
    const second = Math.ceil(expiresAt / 1000);
    const bucket = buckets.get(second);
    if (bucket) bucket.push(key);
    else buckets.set(second, [key]);
  };

  const live = (key: string) => {
    const e = map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= clock.now()) {
      map.delete(key);
      return undefined;
    }
    return e;
  };
  const sweep = () => {
    const now = clock.now();
    for (const [second, keys] of buckets) {
      if (second * 1000 > now) continue;
      for (const k of keys) {
        const e = map.get(k);
        if (e && e.expiresAt <= now) map.delete(k);
      }
      buckets.delete(second);
    }
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 1_000);
  timer.unref();
  const ensureRoom = () => {
    if (map.size < max) return true;
    sweep();
    return map.size < max;
  };
  const put = (key: string, value: string, ttlMs: number) => {
    const expiresAt = clock.now() + ttlMs;
    map.set(key, { value, expiresAt });
    track(key, expiresAt);
  };

  return {
    get size() {
      return map.size;
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      if (!ensureRoom()) throw storeFull();
      put(key, value, ttlMs);
      return true;
    },
    async set(key, value, ttlMs) {
      if (!map.has(key) && !ensureRoom()) throw storeFull();
      put(key, value, ttlMs);
    },
    async get(key) {
      return live(key)?.value;
    },
    async take(key) {
      const e = live(key);
      if (!e) return undefined;
      map.delete(key);
      return e.value;
    },
    async delete(key) {
      map.delete(key);
    },
    async close() {
      clearInterval(timer);
      map.clear();
      buckets.clear();
    },
  };
}
