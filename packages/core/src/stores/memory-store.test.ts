import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createMemoryStore } from './memory-store.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { fixedClock } from '../ports/clock.ts';
import { runStoreContract } from './store-contract.ts';

test('setIfAbsent stores once and refuses a second write until the TTL passes', async () => {
  const clock = fixedClock(1_000_000);
  const store = createMemoryStore({ clock });
  assert.equal(await store.setIfAbsent('k', '1', 1000), true);
  assert.equal(await store.setIfAbsent('k', '2', 1000), false);
  clock.advance(999);
  assert.equal(await store.setIfAbsent('k', '3', 1000), false);
  clock.advance(1);
  assert.equal(await store.setIfAbsent('k', '4', 1000), true);
  assert.equal(await store.get('k'), '4');
  await store.close();
});

test('concurrent setIfAbsent calls on one key succeed exactly once', async () => {
  const store = createMemoryStore();
  const results = await Promise.all(Array.from({ length: 50 }, () => store.setIfAbsent('race', 'x', 10_000)));
  assert.equal(results.filter(Boolean).length, 1);
  await store.close();
});

test('take returns the value once and deletes it', async () => {
  const store = createMemoryStore();
  await store.set('code', 'v', 1000);
  assert.equal(await store.take('code'), 'v');
  assert.equal(await store.take('code'), undefined);
  await store.close();
});

test('a full store refuses new entries with ERR_STORE_FULL (503 temporarily_unavailable) instead of evicting live ones', async () => {
  const clock = fixedClock(0);
  const store = createMemoryStore({ clock, maxEntries: 2 });
  await store.setIfAbsent('a', '1', 1000);
  await store.setIfAbsent('b', '1', 1000);
  const full = (e: unknown) => e instanceof VerifierError && e.code === 'ERR_STORE_FULL' && e.status === 503 && e.error === 'temporarily_unavailable';
  await assert.rejects(store.setIfAbsent('c', '1', 1000), full);
  await assert.rejects(store.set('c', '1', 1000), full);
  await store.set('a', '2', 1000); // replacing an existing key needs no room
  assert.equal(await store.setIfAbsent('a', '1', 1000), false, 'a is still remembered');
  assert.equal(await store.get('c'), undefined);
  clock.advance(1000);
  assert.equal(await store.setIfAbsent('c', '1', 1000), true, 'expired entries make room');
  await store.close();
});

test('the periodic sweep removes expired entries without a read', async () => {
  const clock = fixedClock(10_000);
  const store = createMemoryStore({ clock, sweepIntervalMs: 5 });
  await store.set('a', '1', 1000);
  await store.set('b', '1', 5000);
  clock.advance(2000);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(store.size, 1, 'a was swept, b is still live');
  assert.equal(await store.get('b'), '1');
  await store.close();
});

test('each new key adds exactly one entry, even beside expired entries the sweep has not removed yet (until the table must grow)', async () => {
  const clock = fixedClock(0);
  const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
  for (let i = 0; i < 350; i++) await store.setIfAbsent(`old-${i}`, '1', 10);
  clock.advance(20);
  for (let i = 0; i < 350; i++) await store.setIfAbsent(`new-${i}`, '1', 10_000);
  assert.equal(store.size, 700, 'the expired entries are still counted; none was replaced by a new key');
  store.sweep();
  assert.equal(store.size, 350, 'the sweep removes the expired ones');
  for (let i = 0; i < 350; i++) await store.setIfAbsent(`old-${i}`, '1', 10);
  clock.advance(20);
  for (let i = 0; i < 100; i++) await store.setIfAbsent(`more-${i}`, '1', 10_000);
  assert.equal(store.size, 450, 'a table 3/4 full removes its expired entries before it grows');
  await store.close();
});

test('a replay reservation (the "jti:<sha256>" key of a token request, value "1") costs at most 80 bytes, none of them on the garbage-collected heap', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = createMemoryStore({ clock: fixedClock(1_000_000) });
  const n = 100_000;
  const key = (i: number) => `jti:${createHash('sha256').update(`did:key:zDnae\u0000jti-${i}`).digest('base64url')}`;
  const warm = createMemoryStore(); // the code paths compiled before measuring
  for (let i = 0; i < 2000; i++) await warm.setIfAbsent(key(i), '1', 1000);
  await warm.close();
  // Backing stores of collected ArrayBuffers (the digests of the keys) are freed after the
  // collection, by a background task: settle until arrayBuffers stops falling.
  const settle = async () => {
    let arrayBuffers = Infinity;
    for (let i = 0; i < 5; i++) {
      gc();
      await new Promise((r) => setTimeout(r, 10));
      arrayBuffers = Math.min(arrayBuffers, process.memoryUsage().arrayBuffers);
    }
    return { heapUsed: process.memoryUsage().heapUsed, arrayBuffers };
  };
  const before = await settle();
  // Each key is made as a request makes it (the store keeps what it needs of it); TTLs spread
  // over 300 s, as the assertions of a busy minute are.
  for (let i = 0; i < n; i++) await store.setIfAbsent(key(i), '1', 60_000 + (i % 300) * 1000);
  const after = await settle();
  const heap = (after.heapUsed - before.heapUsed) / n;
  const offHeap = (after.arrayBuffers - before.arrayBuffers) / n;
  assert.equal(store.size, n);
  assert.ok(heap <= 8, `${heap.toFixed(1)} bytes per entry on the heap (the garbage collector marks them)`);
  assert.ok(heap + offHeap <= 80, `${(heap + offHeap).toFixed(1)} bytes per entry in all`);
  assert.equal(await store.setIfAbsent(key(4242), '1', 1000), false, 'every reservation is still remembered');
  assert.equal(await store.get(key(7)), '1');
  await store.close();
});

/** A small deterministic PRNG (mulberry32), so that a failing sequence can be replayed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
};

test('random sequences of every operation, sweeps, growth and shrinking answer as a plain map with expiry does', async () => {
  for (const seed of [1, 2, 3]) {
    const random = prng(seed);
    const clock = fixedClock(5_000);
    const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
    const model = new Map<string, { value: string; expiresAt: number }>();
    const live = (key: string) => {
      const e = model.get(key);
      return e !== undefined && e.expiresAt > clock.now() ? e : undefined;
    };
    const pick = (n: number) => Math.floor(random() * n);
    // Phases of a few thousand and of a few dozen live keys: the table fills up (long clusters
    // that wrap around its end), grows, empties by expiry and shrinks again.
    const capacities = [store.capacity];
    for (let step = 0; step < 60_000; step++) {
      const busy = step % 20_000 < 10_000;
      const key = `k${pick(busy ? 6_000 : 300)}`;
      const value = random() < 0.7 ? '1' : `v${pick(1000)}`;
      const ttl = 1 + pick(busy ? 5_000 : 100);
      if (store.capacity !== capacities.at(-1)) capacities.push(store.capacity);
      const op = pick(100);
      const where = `seed ${seed}, step ${step}, ${key}`;
      if (op < 35) {
        const stored = await store.setIfAbsent(key, value, ttl);
        assert.equal(stored, live(key) === undefined, `setIfAbsent, ${where}`);
        if (stored) model.set(key, { value, expiresAt: clock.now() + ttl });
      } else if (op < 50) {
        await store.set(key, value, ttl);
        model.set(key, { value, expiresAt: clock.now() + ttl });
      } else if (op < 75) {
        assert.equal(await store.get(key), live(key)?.value, `get, ${where}`);
      } else if (op < 85) {
        assert.equal(await store.take(key), live(key)?.value, `take, ${where}`);
        model.delete(key);
      } else if (op < 90) {
        await store.delete(key);
        model.delete(key);
      } else if (op < 97) {
        clock.advance(pick(busy ? 8 : 40));
      } else {
        store.sweep();
      }
      if (step % 5_000 === 0) {
        const liveCount = [...model.keys()].filter((k) => live(k) !== undefined).length;
        assert.ok(store.size >= liveCount, `size ${store.size} counts every live entry (${liveCount}), ${where}`);
      }
    }
    for (const key of model.keys()) assert.equal(await store.get(key), live(key)?.value, `seed ${seed}, final read of ${key}`);
    assert.ok(Math.max(...capacities) >= 4 * 1024, `seed ${seed}: the table grew (${capacities.join(' → ')})`);
    assert.ok(capacities.slice(capacities.indexOf(Math.max(...capacities))).some((c) => c < Math.max(...capacities)), `seed ${seed}: and shrank (${capacities.join(' → ')})`);
    clock.advance(1_000);
    for (let i = 0; i < 8; i++) store.sweep();
    assert.equal(store.size, 0, `seed ${seed}: once everything expired, the sweep removes it all`);
    await store.close();
  }
});

test('values other than "1" are kept as given beside the compact reservations', async () => {
  const store = createMemoryStore({ clock: fixedClock(0) });
  await store.set('code:a', '{"c":"x"}', 1000);
  await store.set('code:b', '1', 1000);
  await store.set('code:c', '', 1000);
  assert.equal(await store.get('code:a'), '{"c":"x"}');
  assert.equal(await store.take('code:b'), '1');
  assert.equal(await store.get('code:b'), undefined);
  assert.equal(await store.get('code:c'), '');
  await store.close();
});

runStoreContract('memory', async () => createMemoryStore());
