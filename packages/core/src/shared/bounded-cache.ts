/**
 * Insertion-ordered map with a size bound and optional per-entry expiry. Oldest entries are
 * evicted first; an expired entry is dropped when read. Used for key, trust and JWKS caches
 * so that no attacker-driven lookup can grow memory without bound.
 */
export class BoundedCache<K, V> {
  readonly #max: number;
  readonly #map = new Map<K, { value: V; expiresAt: number }>();

  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  get(key: K, now = Date.now()): V | undefined {
    const e = this.#map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.#map.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: K, value: V, ttlMs = Number.POSITIVE_INFINITY, now = Date.now()): void {
    this.#map.delete(key);
    if (this.#map.size >= this.#max) {
      const oldest = this.#map.keys().next();
      if (!oldest.done) this.#map.delete(oldest.value);
    }
    this.#map.set(key, { value, expiresAt: now + ttlMs });
  }

  delete(key: K): void {
    this.#map.delete(key);
  }

  clear(): void {
    this.#map.clear();
  }

  get size(): number {
    return this.#map.size;
  }
}
