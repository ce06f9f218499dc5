/**
 * The Redis store: the shared Store contract against a real Redis (`REDIS_URL`), sharing between
 * instances, fail-closed behaviour when Redis is down or hangs (through a TCP proxy that the test
 * controls), recovery, start-up failures, and the Lua fallback for servers without GETDEL.
 * Without `REDIS_URL` the Redis suites are skipped, except under `CI=true`, where they fail.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { VerifierError } from '@dome-verifier/core';
// The contract lives in core (it is run for the memory store there too); core exports only its public API.
import { runStoreContract } from '../../core/src/stores/store-contract.ts';
import { createRedisStore, type RedisStore } from './redis-store.ts';
import { deleteKeys, hasRedisServerBinary, spawnRedisServer, startTcpProxy, uniquePrefix, withRedis } from './testing.ts';

const isStoreUnavailable = (e: unknown) => {
  assert.ok(e instanceof VerifierError, `expected a VerifierError, got ${String(e)}`);
  assert.equal(e.code, 'ERR_STORE_UNAVAILABLE');
  assert.equal(e.status, 503);
  assert.equal(e.error, 'temporarily_unavailable');
  return true;
};

async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

withRedis('Redis store', (url) => {
  const prefixes: string[] = [];
  const fresh = (label: string, o: { url?: string; commandTimeoutMs?: number; keyPrefix?: string } = {}) => {
    const keyPrefix = o.keyPrefix ?? uniquePrefix(label);
    prefixes.push(keyPrefix);
    return createRedisStore({ url: o.url ?? url, keyPrefix, commandTimeoutMs: o.commandTimeoutMs });
  };
  after(async () => {
    for (const p of new Set(prefixes)) await deleteKeys(url, p);
  });

  runStoreContract('redis', () => fresh('contract'));

  test('two store instances with the same prefix share every entry (two replicas); other prefixes are isolated', async () => {
    const keyPrefix = uniquePrefix('shared');
    const [a, b, other] = await Promise.all([fresh('a', { keyPrefix }), fresh('b', { keyPrefix }), fresh('other')]);
    try {
      assert.equal(await a.setIfAbsent('jti:1', '1', 10_000), true);
      assert.equal(await b.setIfAbsent('jti:1', '1', 10_000), false, 'replica B sees the jti reserved on A');
      assert.equal(await other.setIfAbsent('jti:1', '1', 10_000), true, 'another prefix is another namespace');
      await b.set('reqobj:x', 'jwt', 10_000);
      assert.equal(await a.take('reqobj:x'), 'jwt');
      assert.equal(await b.take('reqobj:x'), undefined);
      const racers = [a, b, a, b];
      const results = await Promise.all(Array.from({ length: 40 }, (_, i) => racers[i % 4]!.setIfAbsent('race', String(i), 10_000)));
      assert.equal(results.filter(Boolean).length, 1, 'exactly one replica wins');
    } finally {
      await Promise.all([a.close(), b.close(), other.close()]);
    }
  });

  test('keys carry the prefix and TTLs are Redis PX expiries (rounded up)', async () => {
    const keyPrefix = uniquePrefix('raw');
    const store = await fresh('raw', { keyPrefix });
    const raw = new Redis(url);
    try {
      await store.set('k', 'v', 5000.2);
      assert.equal(await raw.get(`${keyPrefix}k`), 'v');
      const pttl = await raw.pttl(`${keyPrefix}k`);
      assert.ok(pttl > 4000 && pttl <= 5001, String(pttl));
      assert.equal(await raw.exists('k'), 0, 'nothing is written outside the prefix');
    } finally {
      raw.disconnect();
      await store.close();
    }
  });

  test('Redis down: every operation fails closed with ERR_STORE_UNAVAILABLE, fast; ping is false; it recovers when Redis is back', async () => {
    const proxy = await startTcpProxy(url);
    const store = await fresh('down', { url: proxy.url, commandTimeoutMs: 500 });
    try {
      assert.equal(await store.setIfAbsent('jti', '1', 10_000), true);
      await proxy.stop();
      const t0 = Date.now();
      await assert.rejects(store.setIfAbsent('jti2', '1', 10_000), isStoreUnavailable);
      await assert.rejects(store.setIfAbsent('jti', '1', 10_000), isStoreUnavailable, 'a replay is never accepted, and never reported as fresh');
      await assert.rejects(store.set('k', 'v', 10_000), isStoreUnavailable);
      await assert.rejects(store.get('k'), isStoreUnavailable);
      await assert.rejects(store.take('k'), isStoreUnavailable);
      await assert.rejects(store.delete('k'), isStoreUnavailable);
      assert.equal(await store.ping(), false);
      assert.ok(Date.now() - t0 < 3000, `failed in ${Date.now() - t0} ms`);

      await proxy.start();
      await eventually(() => store.ping());
      assert.equal(await store.setIfAbsent('jti', '1', 10_000), false, 'the entry written before the outage is still there');
      assert.equal(await store.setIfAbsent('jti2', '1', 10_000), true);
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('Redis hanging: operations time out after commandTimeoutMs with ERR_STORE_UNAVAILABLE; recovery afterwards', async () => {
    const proxy = await startTcpProxy(url);
    const store = await fresh('hang', { url: proxy.url, commandTimeoutMs: 300 });
    try {
      proxy.hang();
      const t0 = Date.now();
      await assert.rejects(store.setIfAbsent('jti', '1', 10_000), isStoreUnavailable);
      const ms = Date.now() - t0;
      assert.ok(ms >= 250 && ms < 2000, `timed out after ${ms} ms`);
      assert.equal(await store.ping(), false);
      await proxy.start();
      await eventually(async () => {
        try {
          return (await store.setIfAbsent('after', '1', 10_000)) && (await store.ping());
        } catch {
          return false;
        }
      });
    } finally {
      await store.close();
      await proxy.close();
    }
  });

  test('close is idempotent; a closed store refuses work and pings false; closing while Redis is down is quick', async () => {
    const store = await fresh('close');
    await store.close();
    await store.close();
    await assert.rejects(store.get('k'), isStoreUnavailable);
    assert.equal(await store.ping(), false);

    const proxy = await startTcpProxy(url);
    const down = await fresh('close-down', { url: proxy.url, commandTimeoutMs: 300 });
    await proxy.stop();
    const t0 = Date.now();
    await down.close();
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('Redis store start-up (no Redis needed)', () => {
  test('an unreachable Redis fails start-up clearly, naming the server but never the password', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const err = await createRedisStore({ url: `redis://:s3cr3t-pw@127.0.0.1:${port}/0`, keyPrefix: 'x:', connectTimeoutMs: 2000 }).then(
      () => assert.fail('connected to a closed port'),
      (e: unknown) => e as Error,
    );
    assert.match(err.message, /cannot connect to the Redis store at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+\/0: .*ECONNREFUSED/);
    assert.doesNotMatch(err.message, /s3cr3t/);
  });

  test('a server that never answers fails start-up after connectTimeoutMs', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as AddressInfo;
    try {
      const t0 = Date.now();
      await assert.rejects(createRedisStore({ url: `redis://127.0.0.1:${port}`, keyPrefix: 'x:', connectTimeoutMs: 300 }), /cannot connect to the Redis store/);
      assert.ok(Date.now() - t0 < 2000);
    } finally {
      silent.close();
    }
  });
});

/**
 * `describe(name)` with one test against a private redis-server started with `args` (skipped
 * without the binary, failed under CI=true); the test gets a store on it and both are closed after.
 */
function onPrivateRedis(name: string, title: string, args: string[], label: string, body: (store: RedisStore) => Promise<void>): void {
  describe(name, async () => {
    const binary = await hasRedisServerBinary();
    const reason = 'redis-server is not installed';
    if (!binary && process.env['CI'] === 'true') {
      test('needs redis-server', () => assert.fail(`${reason}; CI=true, so this test must run`));
      return;
    }
    test(title, { skip: binary ? false : reason }, async () => {
      const server = await spawnRedisServer(args);
      let store: RedisStore | undefined;
      try {
        store = await createRedisStore({ url: server.url, keyPrefix: uniquePrefix(label) });
        await body(store);
      } finally {
        await store?.close();
        await server.stop();
      }
    });
  });
}

onPrivateRedis('Redis store on a server without GETDEL (Redis < 6.2)', 'take falls back to an atomic GET+DEL script and stays one-shot', ['--rename-command', 'GETDEL', ''], 'old', async (store) => {
  await store.set('code', 'v', 10_000);
  assert.equal(await store.take('code'), 'v');
  assert.equal(await store.take('code'), undefined);
  await store.set('once', 'x', 10_000);
  const got = await Promise.all(Array.from({ length: 20 }, () => store.take('once')));
  assert.deepEqual(got.filter((v) => v !== undefined), ['x']);
});

onPrivateRedis(
  'Redis store on a server out of memory (maxmemory, noeviction)',
  'a refused write ("OOM command not allowed") is ERR_STORE_FULL 503; reads and deletes still work',
  ['--maxmemory', '3mb', '--maxmemory-policy', 'noeviction'],
  'oom',
  async (store) => {
    const value = 'x'.repeat(16 * 1024);
    let refused: unknown;
    for (let i = 0; i < 1000 && refused === undefined; i++) {
      await store.set(`fill:${i}`, value, 60_000).catch((e: unknown) => (refused = e));
    }
    assert.ok(refused instanceof VerifierError, `expected a VerifierError, got ${String(refused)}`);
    assert.equal(refused.code, 'ERR_STORE_FULL');
    assert.equal(refused.status, 503);
    assert.equal(refused.error, 'temporarily_unavailable');
    assert.match(refused.message, /store is full/);
    assert.equal(await store.get('fill:0'), value);
    await store.delete('fill:0');
    assert.equal(await store.ping(), true, 'Redis itself is up');
  },
);
