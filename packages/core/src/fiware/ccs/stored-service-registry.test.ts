import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import type { Store } from '../../ports/store.ts';
import { parseFiwareService, type FiwareService } from '../service-config.ts';
import { createStoredServiceRegistry, STORED_SERVICE_TTL_MS, type StoredServiceRegistryOptions } from './stored-service-registry.ts';

function service(id: string, type = 'UserCredential', scope = 'default'): FiwareService {
  const r = parseFiwareService({ id, defaultOidcScope: scope, oidcScopes: { [scope]: { credentials: [{ type }] } } });
  if ('problems' in r) assert.fail(JSON.stringify(r.problems));
  return r.service;
}

function setup(o: Partial<StoredServiceRegistryOptions> = {}) {
  const clock = fixedClock(1_700_000_000_000);
  const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
  const make = (extra: Partial<StoredServiceRegistryOptions> = {}) => createStoredServiceRegistry({ store, clock, seed: [], cacheTtlMs: 5_000, ...o, ...extra });
  return { clock, store, make, registry: make() };
}

/** Store keys written, as a set (the memory store exposes only its size: record writes instead). */
function recording(inner: Store & { size: number }) {
  const live = new Set<string>();
  const store: Store & { size: number; readonly live: Set<string>; ttls: number[] } = {
    live,
    ttls: [],
    get size() {
      return inner.size;
    },
    async setIfAbsent(k, v, ttl) {
      const ok = await inner.setIfAbsent(k, v, ttl);
      if (ok) live.add(k), store.ttls.push(ttl);
      return ok;
    },
    async set(k, v, ttl) {
      await inner.set(k, v, ttl);
      live.add(k);
      store.ttls.push(ttl);
    },
    get: (k) => inner.get(k),
    async take(k) {
      live.delete(k);
      return inner.take(k);
    },
    async delete(k) {
      live.delete(k);
      return inner.delete(k);
    },
    close: () => inner.close(),
  };
  return store;
}

describe('stored FIWARE service registry', () => {
  test('a created service is listed and found; replace and delete take effect; a second create of the id is refused as existing', async () => {
    const { registry } = setup();
    assert.deepEqual(await registry.create(service('a')), { ok: true, service: service('a') });
    assert.deepEqual(await registry.create(service('a', 'Other')), { ok: false, reason: 'exists' });
    assert.equal((await registry.get('a'))?.oidcScopes['default']?.credentials[0]?.type, 'UserCredential', 'the first definition is kept');
    assert.deepEqual(await registry.replace(service('a', 'Other')), { ok: true, service: service('a', 'Other') });
    assert.equal((await registry.get('a'))?.oidcScopes['default']?.credentials[0]?.type, 'Other');
    assert.deepEqual(await registry.replace(service('b')), { ok: false, reason: 'not-found' });
    assert.deepEqual(await registry.delete('b'), { ok: false, reason: 'not-found' });
    assert.deepEqual(await registry.delete('a'), { ok: true });
    assert.equal(await registry.get('a'), undefined);
    assert.deepEqual(await registry.list(), []);
  });

  test('list is ordered by id', async () => {
    const { registry } = setup();
    for (const id of ['c', 'a', 'b']) await registry.create(service(id));
    assert.deepEqual((await registry.list()).map((s) => s.id), ['a', 'b', 'c']);
  });

  test('static services are seeded and kept while the API holds none with their id; an API service hides the static one, deleting it shows it again', async () => {
    const { registry } = setup({ seed: [service('static', 'StaticCredential'), service('other', 'OtherStatic')] });
    await registry.refresh();
    assert.equal((await registry.get('static'))?.oidcScopes['default']?.credentials[0]?.type, 'StaticCredential');
    assert.deepEqual(await registry.listStored(), [], 'the API holds none of them');
    assert.deepEqual((await registry.create(service('static', 'ApiCredential'))).ok, true, 'an API service may take a static id');
    assert.equal((await registry.get('static'))?.oidcScopes['default']?.credentials[0]?.type, 'ApiCredential');
    assert.deepEqual((await registry.list()).map((s) => s.id), ['other', 'static']);
    await registry.delete('static');
    assert.equal((await registry.get('static'))?.oidcScopes['default']?.credentials[0]?.type, 'StaticCredential');
    assert.deepEqual(await registry.replace(service('other')), { ok: false, reason: 'not-found' }, 'static services are not the API\'s to replace');
  });

  test('another replica on the same store sees a change once its cache is older than the TTL, and not before', async () => {
    const { make, clock } = setup();
    const one = make();
    const two = make();
    await two.refresh();
    await one.create(service('shared'));
    assert.ok(await one.get('shared'), 'the writing replica sees its own write at once');
    assert.equal(await two.get('shared'), undefined, 'within the TTL the other replica serves its cache');
    clock.advance(5_000);
    assert.equal((await two.get('shared'))?.id, 'shared', 'after the TTL it reads the store');
    await one.delete('shared');
    clock.advance(5_000);
    assert.equal(await two.get('shared'), undefined);
  });

  test('the API\'s own reads (getStored, listStored) read the store, not the cache: another replica\'s write is seen at once', async () => {
    const { make } = setup();
    const one = make();
    const two = make();
    await two.refresh();
    await one.create(service('fresh'));
    assert.equal((await two.getStored('fresh'))?.id, 'fresh');
    assert.deepEqual((await two.listStored()).map((s) => s.id), ['fresh']);
  });

  test('a change that took effect is reported as done even when the clean-up after it fails (no 503 for a committed write)', async () => {
    const base = setup();
    let failDeletes = false;
    const store: Store = {
      ...base.store,
      delete: async (k) => {
        if (failDeletes) throw new Error('store blip');
        return base.store.delete(k);
      },
    };
    const warnings: string[] = [];
    const r = base.make({ store, onWarning: (m) => warnings.push(m) });
    await r.create(service('a'));
    failDeletes = true;
    assert.deepEqual((await r.replace(service('a', 'Other'))).ok, true);
    assert.equal((await r.get('a'))?.oidcScopes['default']?.credentials[0]?.type, 'Other');
    assert.equal(warnings.length, 1);
  });

  test('concurrent creates of one id from two replicas: exactly one wins, the other is told it exists, one blob is stored', async () => {
    const base = setup();
    const store = recording(base.store);
    const one = base.make({ store });
    const two = base.make({ store });
    const results = await Promise.all([one.create(service('x', 'One')), two.create(service('x', 'Two'))]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    assert.deepEqual(results.find((r) => !r.ok), { ok: false, reason: 'exists' });
    assert.deepEqual([...store.live].filter((k) => k.includes('svc:')).length, 1, 'the loser left no blob behind');
  });

  test('concurrent creates of different ids from two replicas both land (a lost version race is retried)', async () => {
    const { make, clock } = setup();
    const one = make();
    const two = make();
    await Promise.all([...['a', 'b', 'c'].map((id) => one.create(service(id))), ...['d', 'e', 'f'].map((id) => two.create(service(id)))]);
    clock.advance(5_000);
    assert.deepEqual((await one.list()).map((s) => s.id), ['a', 'b', 'c', 'd', 'e', 'f']);
    assert.deepEqual((await two.list()).map((s) => s.id), ['a', 'b', 'c', 'd', 'e', 'f']);
  });

  test('at rest the store holds the head, one index version and one blob per service; superseded versions and blobs are deleted', async () => {
    const base = setup();
    const store = recording(base.store);
    const r = base.make({ store });
    await r.create(service('a'));
    await r.create(service('b'));
    await r.replace(service('a', 'Other'));
    await r.delete('b');
    const keys = [...store.live].sort();
    assert.equal(keys.length, 3, keys.join(', '));
    assert.deepEqual(keys.map((k) => k.replace(/^(fiware-ccs:(?:index|svc:a)):.+$/, '$1')), ['fiware-ccs:head', 'fiware-ccs:index', 'fiware-ccs:svc:a']);
  });

  test('stored services do not expire: every write carries the 100-year TTL', async () => {
    const base = setup();
    const store = recording(base.store);
    await base.make({ store }).create(service('a'));
    assert.ok(store.ttls.length > 0);
    assert.ok(store.ttls.every((t) => t === STORED_SERVICE_TTL_MS));
    base.clock.advance(10 * 365 * 86_400_000);
    const later = base.make({ store });
    assert.equal((await later.get('a'))?.id, 'a', 'still there ten years later');
  });

  test('at most maxServices services: a create beyond it is refused as too many and stores nothing', async () => {
    const { registry, store } = setup({ maxServices: 2 });
    await registry.create(service('a'));
    await registry.create(service('b'));
    const size = store.size;
    assert.deepEqual(await registry.create(service('c')), { ok: false, reason: 'too-many' });
    assert.equal(store.size, size);
    assert.deepEqual((await registry.replace(service('a', 'Other'))).ok, true, 'replacing within the limit still works');
  });

  test('a head hint that lags behind (a writer set it late) is walked past', async () => {
    const { make, store, clock } = setup();
    const one = make();
    await one.create(service('a'));
    await one.create(service('b'));
    await one.create(service('c'));
    await store.set('fiware-ccs:head', '1', STORED_SERVICE_TTL_MS); // as a delayed writer of version 1 would
    const fresh = make();
    assert.deepEqual((await fresh.list()).map((s) => s.id), ['a', 'b', 'c']);
    await fresh.create(service('d'));
    clock.advance(5_000);
    assert.deepEqual((await one.list()).map((s) => s.id), ['a', 'b', 'c', 'd']);
  });

  test('when the store fails, the last good set is served; a replica that never read it gets the store error', async () => {
    const base = setup();
    let failing = false;
    const store: Store = {
      ...base.store,
      get: async (k) => {
        if (failing) throw new Error('store down');
        return base.store.get(k);
      },
    };
    const warnings: string[] = [];
    const r = base.make({ store, onWarning: (m) => warnings.push(m) });
    await r.create(service('a'));
    failing = true;
    base.clock.advance(5_000);
    assert.equal((await r.get('a'))?.id, 'a');
    assert.equal(warnings.length, 1);
    assert.doesNotMatch(warnings[0]!, /UserCredential/, 'no service body in the warning');
    await assert.rejects(base.make({ store }).get('a'), /store down/);
  });
});
