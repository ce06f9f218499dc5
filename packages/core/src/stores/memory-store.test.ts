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

test('a replay reservation (the "jti:<sha256>" key of a token request, value "1") holds at most 128 bytes of heap', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const store = createMemoryStore({ clock: fixedClock(1_000_000) });
  const n = 100_000;
  const key = (i: number) => `jti:${createHash('sha256').update(`did:key:zDnae\u0000jti-${i}`).digest('base64url')}`;
  gc();
  const before = process.memoryUsage().heapUsed;
  // Each key is made as a request makes it (the store keeps what it needs of it); TTLs spread
  // over 300 s, as the assertions of a busy minute are.
  for (let i = 0; i < n; i++) await store.setIfAbsent(key(i), '1', 60_000 + (i % 300) * 1000);
  gc();
  const perEntry = (process.memoryUsage().heapUsed - before) / n;
  assert.equal(store.size, n);
  assert.ok(perEntry <= 128, `${perEntry.toFixed(0)} bytes per entry`);
  assert.equal(await store.setIfAbsent(key(4242), '1', 1000), false, 'every reservation is still remembered');
  assert.equal(await store.get(key(7)), '1');
  await store.close();
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
