/**
 * In-memory `Store` for a single instance (the development default). Expired entries are
 * swept periodically; the entry count is bounded, and when full, `setIfAbsent` fails closed
 * (returns false) instead of evicting — evicting a replay-detection entry would allow a replay.
 */
import type { Clock } from '../ports/clock.ts';
import { systemClock } from '../ports/clock.ts';
import type { Store } from '../ports/store.ts';

export interface MemoryStoreOptions {
  clock?: Clock;
  maxEntries?: number;
  sweepIntervalMs?: number;
}

export class StoreFullError extends Error {
  override name = 'StoreFullError';
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store & { readonly size: number } {
  const clock = options.clock ?? systemClock;
  const max = options.maxEntries ?? 2_000_000;
  const map = new Map<string, { value: string; expiresAt: number }>();

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
    for (const [k, e] of map) if (e.expiresAt <= now) map.delete(k);
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 30_000);
  timer.unref();
  const ensureRoom = () => {
    if (map.size < max) return true;
    sweep();
    return map.size < max;
  };

  return {
    get size() {
      return map.size;
    },
    async setIfAbsent(key, value, ttlMs) {
      if (live(key)) return false;
      if (!ensureRoom()) throw new StoreFullError('memory store is full');
      map.set(key, { value, expiresAt: clock.now() + ttlMs });
      return true;
    },
    async set(key, value, ttlMs) {
      if (!map.has(key) && !ensureRoom()) throw new StoreFullError('memory store is full');
      map.set(key, { value, expiresAt: clock.now() + ttlMs });
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
    },
  };
}
