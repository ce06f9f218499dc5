/**
 * In-memory `Store` for a single instance (the development default). The entry count is
 * bounded: when full, a write of a new key fails closed with `ERR_STORE_FULL` (503
 * `temporarily_unavailable`) instead of evicting — evicting a replay-detection entry would allow
 * a replay. `/health` sees it through its write probe.
 *
 * A busy verifier holds one replay entry per token request for the assertion's lifetime plus the
 * clock skew (≈ 360,000 entries at 2,000 tokens/s with DOME's 120 s assertions). Kept on the V8
 * heap (a Map of strings, as this store did before), every major garbage collection marked them
 * all and the old generation grew to about twice their size before collecting. So the entries
 * live off the heap, in one open-addressing hash table (linear probing) of typed arrays that the
 * garbage collector neither traces nor moves. A slot is 25 bytes: the first 16 bytes of the key's
 * SHA-256 (which also place it: they are uniformly spread), the expiry (ms) and an in-use byte.
 * The table is kept at most 3/4 full; it grows by doubling (to 3/8 full), ≈ 35–65 bytes a live entry. Values
 * other than `'1'` (codes, login sessions, refresh tokens: few beside the reservations, whose
 * value is `'1'`) are kept in a Map by slot.
 *
 * A deletion shifts the entries of its cluster back (no tombstones), so a lookup ends at the first
 * empty slot. Expired entries are removed by the reads that meet them, by a sweep that visits a
 * bounded share of the table per tick (the whole table every 8 ticks at most, so that no tick
 * blocks the event loop for long), and when the table must grow or the store is full; a write
 * never replaces one, so `size` grows by one per new key otherwise.
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

export type MemoryStore = Store & {
  /** Entries held, expired ones not removed yet included. */
  readonly size: number;
  /** Slots of the hash table (25 bytes each): what the store's entries hold of memory. */
  readonly capacity: number;
  /** Removes the expired entries of the next share of the table (what the timer does every `sweepIntervalMs`). */
  sweep(): void;
};

/** Public description of a full store (the memory store at its entry limit, Redis out of memory). */
export const STORE_FULL_MESSAGE = 'the session store is full; try again later';
const storeFull = () => new VerifierError('ERR_STORE_FULL', STORE_FULL_MESSAGE);

const MIN_CAPACITY = 1024;
/** A sweep tick visits at least this many slots, and at least 1/8 of the table. */
const SWEEP_SLOTS = 65_536;
/** A full store looks for expired entries to remove at most this often (a full scan is O(table)). */
const FULL_STORE_SCAN_MS = 1_000;

/** The smallest table (a power of two) that holds `n` entries at most `load` full. */
const capacityFor = (n: number, load: number) => {
  let cap = MIN_CAPACITY;
  while (n > cap * load) cap *= 2;
  return cap;
};

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? systemClock;
  const max = options.maxEntries ?? 2_000_000;

  let cap = 0;
  let mask = 0;
  let used = new Uint8Array(0);
  /** Four u32 words of SHA-256 per slot. */
  let keys = new Uint32Array(0);
  let exp = new Float64Array(0);
  let values = new Map<number, string>();
  let count = 0;
  /** No entry expires before this (a lower bound; exact after a full scan). */
  let earliest = Infinity;
  let lastFullScan = -Infinity;
  let cursor = 0;
  const allocate = (n: number) => {
    cap = n;
    mask = n - 1;
    used = new Uint8Array(n);
    keys = new Uint32Array(n * 4);
    exp = new Float64Array(n);
    values = new Map();
    count = 0;
    cursor = 0;
    earliest = Infinity;
  };
  allocate(MIN_CAPACITY);

  /** The key of the current operation: the first 16 bytes of its SHA-256 as four u32 words. */
  const k = new Uint32Array(4);
  const hashKey = (name: string) => {
    const d = createHash('sha256').update(name).digest();
    k[0] = d.readUInt32LE(0);
    k[1] = d.readUInt32LE(4);
    k[2] = d.readUInt32LE(8);
    k[3] = d.readUInt32LE(12);
  };

  /** The slot holding the current key (live or expired), or -1. */
  const find = (): number => {
    for (let i = k[0]! & mask; used[i] === 1; i = (i + 1) & mask) {
      const o = i * 4;
      if (keys[o] === k[0] && keys[o + 1] === k[1] && keys[o + 2] === k[2] && keys[o + 3] === k[3]) return i;
    }
    return -1;
  };

  const write = (i: number, value: string, expiresAt: number) => {
    const o = i * 4;
    keys[o] = k[0]!;
    keys[o + 1] = k[1]!;
    keys[o + 2] = k[2]!;
    keys[o + 3] = k[3]!;
    exp[i] = expiresAt;
    if (value !== '1') values.set(i, value);
    else if (values.size > 0) values.delete(i);
    if (expiresAt < earliest) earliest = expiresAt;
  };

  const move = (from: number, to: number) => {
    const f = from * 4;
    const t = to * 4;
    keys[t] = keys[f]!;
    keys[t + 1] = keys[f + 1]!;
    keys[t + 2] = keys[f + 2]!;
    keys[t + 3] = keys[f + 3]!;
    exp[to] = exp[from]!;
    if (values.size > 0) {
      const v = values.get(from);
      if (v !== undefined) {
        values.set(to, v);
        values.delete(from);
      }
    }
  };

  /** Deletes the entry in slot `slot`; the later entries of its cluster that may move back do. */
  const remove = (slot: number) => {
    if (values.size > 0) values.delete(slot);
    count--;
    let hole = slot;
    for (let j = (hole + 1) & mask; used[j] === 1; j = (j + 1) & mask) {
      const home = keys[j * 4]! & mask;
      // The entry in j stays if its home lies cyclically in (hole, j]: moving it before its home
      // would hide it from its own lookups.
      if (hole <= j ? hole < home && home <= j : hole < home || home <= j) continue;
      move(j, hole);
      hole = j;
    }
    used[hole] = 0;
  };

  /** Copies the live entries into a table of `n` slots. */
  const resize = (n: number, now: number) => {
    const [oldCap, oldUsed, oldKeys, oldExp, oldValues] = [cap, used, keys, exp, values];
    const current = k.slice(); // the key of the operation that grows the table
    allocate(n);
    for (let s = 0; s < oldCap; s++) {
      if (oldUsed[s] !== 1 || oldExp[s]! <= now) continue;
      const o = s * 4;
      k[0] = oldKeys[o]!;
      k[1] = oldKeys[o + 1]!;
      k[2] = oldKeys[o + 2]!;
      k[3] = oldKeys[o + 3]!;
      place(oldValues.get(s) ?? '1', oldExp[s]!);
    }
    k.set(current);
  };

  /** Visits up to `limit` slots from the cursor, removing expired entries; true when the cursor wrapped. */
  const sweepSlots = (limit: number, now: number): boolean => {
    let wrapped = false;
    for (let steps = 0; steps < limit && count > 0; steps++) {
      if (used[cursor] === 1 && exp[cursor]! <= now) {
        remove(cursor); // an entry may have moved into the cursor's slot: visit it again
        continue;
      }
      cursor = (cursor + 1) & mask;
      if (cursor === 0) wrapped = true;
    }
    return wrapped || count === 0;
  };

  /** Removes every expired entry and makes `earliest` exact. */
  const scanAll = (now: number) => {
    lastFullScan = now;
    cursor = 0;
    let min = Infinity;
    for (let i = 0; i < cap; ) {
      if (used[i] !== 1) i++;
      else if (exp[i]! <= now) remove(i);
      else {
        if (exp[i]! < min) min = exp[i]!;
        i++;
      }
    }
    earliest = min;
  };

  /** Before a new key is placed: room under the entry cap, and a table at most 3/4 full. */
  const makeRoom = (now: number) => {
    if (count >= max) {
      if (now >= earliest && now - lastFullScan >= FULL_STORE_SCAN_MS) scanAll(now);
      if (count >= max) throw storeFull();
    }
    if (count + 1 > cap * 0.75) {
      if (now >= earliest) scanAll(now);
      // Still more than half full: twice the size (or more), so that it is at most half full.
      if (count + 1 > cap * 0.5) resize(capacityFor(count + 1, 0.5), now);
    }
  };

  /**
   * Places the current key (known to be absent) in the first free slot of its cluster. An expired
   * entry on the way is left to the sweep: `size` then grows by exactly one per new key, as
   * callers that count what a request stored expect.
   */
  const place = (value: string, expiresAt: number) => {
    let i = k[0]! & mask;
    while (used[i] === 1) i = (i + 1) & mask;
    used[i] = 1;
    count++;
    write(i, value, expiresAt);
  };

  const liveSlot = (name: string): number => {
    hashKey(name);
    const i = find();
    if (i < 0) return -1;
    if (exp[i]! <= clock.now()) {
      remove(i);
      return -1;
    }
    return i;
  };
  const valueAt = (i: number) => values.get(i) ?? '1';

  const sweep = () => {
    const now = clock.now();
    const wrapped = sweepSlots(Math.max(SWEEP_SLOTS, cap >>> 3), now);
    // After a burst, a table at most 1/16 full gives its memory back.
    if (wrapped && cap > MIN_CAPACITY && count < cap / 16) resize(capacityFor(count, 0.25), now);
  };
  const timer = setInterval(sweep, options.sweepIntervalMs ?? 1_000);
  timer.unref();

  return {
    get size() {
      return count;
    },
    get capacity() {
      return cap;
    },
    sweep,
    async setIfAbsent(name, value, ttlMs) {
      hashKey(name);
      const now = clock.now();
      const i = find();
      if (i >= 0) {
        if (exp[i]! > now) return false;
        write(i, value, now + ttlMs);
        return true;
      }
      makeRoom(now);
      place(value, now + ttlMs);
      return true;
    },
    async set(name, value, ttlMs) {
      hashKey(name);
      const now = clock.now();
      const i = find();
      if (i >= 0) return write(i, value, now + ttlMs);
      makeRoom(now);
      place(value, now + ttlMs);
    },
    async get(name) {
      const i = liveSlot(name);
      return i < 0 ? undefined : valueAt(i);
    },
    async take(name) {
      const i = liveSlot(name);
      if (i < 0) return undefined;
      const value = valueAt(i);
      remove(i);
      return value;
    },
    async delete(name) {
      hashKey(name);
      const i = find();
      if (i >= 0) remove(i);
    },
    async close() {
      clearInterval(timer);
      allocate(MIN_CAPACITY);
    },
  };
}
