/**
 * In-memory `Store` for a single instance (the development default). Expired entries are
 * swept periodically; the entry count is bounded, and when full, a write of a new key fails
 * closed with `ERR_STORE_FULL` (503 `temporarily_unavailable`) instead of evicting — evicting a
 * replay-detection entry would allow a replay. `/health` sees it through its write probe.
 *
 * Compact: a busy verifier holds one replay entry per token request for the assertion's
 * lifetime (rate × lifetime entries). Keys are kept as the first 16 bytes of their SHA-256 (a
 * 16-character string instead of ≈ 50), and the value `'1'` of a reservation as its bare expiry
 * time, ≈ 100 bytes an entry instead of ≈ 200.
 */
import { createHash } from 'node:crypto';
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

/** The map key of a store key: the first 16 bytes of its SHA-256, as a 16-character latin1 string. */
const compact = (key: string) => createHash('sha256').update(key).digest().toString('latin1', 0, 16);

export function createMemoryStore(options: MemoryStoreOptions = {}): Store & { readonly size: number } {
  const clock = options.clock ?? systemClock;
  const max = options.maxEntries ?? 2_000_000;
  // A number is the expiry of the value '1' (a reservation); anything else is kept as an entry.
  const map = new Map<string, number | { value: string; expiresAt: number }>();
  const expiryOf = (e: number | { expiresAt: number }) => (typeof e === 'number' ? e : e.expiresAt);
  const valueOf = (e: number | { value: string }) => (typeof e === 'number' ? '1' : e.value);
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
    if (e === undefined) return undefined;
    if (expiryOf(e) <= clock.now()) {
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
        if (e !== undefined && expiryOf(e) <= now) map.delete(k);
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
    map.set(key, value === '1' ? expiresAt : { value, expiresAt });
    track(key, expiresAt);
  };

  return {
    get size() {
      return map.size;
    },
    async setIfAbsent(name, value, ttlMs) {
      const key = compact(name);
      if (live(key) !== undefined) return false;
      if (!ensureRoom()) throw storeFull();
      put(key, value, ttlMs);
      return true;
    },
    async set(name, value, ttlMs) {
      const key = compact(name);
      if (!map.has(key) && !ensureRoom()) throw storeFull();
      put(key, value, ttlMs);
    },
    async get(name) {
      const e = live(compact(name));
      return e === undefined ? undefined : valueOf(e);
    },
    async take(name) {
      const key = compact(name);
      const e = live(key);
      if (e === undefined) return undefined;
      map.delete(key);
      return valueOf(e);
    },
    async delete(name) {
      map.delete(compact(name));
    },
    async close() {
      clearInterval(timer);
      map.clear();
      buckets.clear();
    },
  };
}
