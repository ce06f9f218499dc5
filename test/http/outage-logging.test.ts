/**
 * A dependency outage is logged once, not once per refused request: with the Redis store's
 * server stopped, 100 token requests are refused with 503 temporarily_unavailable
 * (ERR_STORE_UNAVAILABLE), the log gets at most two warn/error lines and no stack trace, and
 * `verifier_dependency_unavailable_total{dependency="store"}` counts all 100. A private
 * redis-server is started for this test (and stopped by it).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createRedisStore, type RedisStore } from '@dome-verifier/store-redis';
import { hasRedisServerBinary, spawnRedisServer, uniquePrefix } from '@dome-verifier/store-redis/testing';
import { createLogger } from '../../packages/server/src/logger.ts';
import { createWorld, type World } from '../support/world.ts';

const skip = !(await hasRedisServerBinary()) && process.env['CI'] !== 'true' ? 'redis-server is not installed' : false;

describe('a Redis outage in the logs', { skip }, () => {
  let w: World;
  let redis: { url: string; stop(): Promise<void> };
  let store: RedisStore;
  const lines: Array<{ level: number; msg: string; raw: string }> = [];
  before(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const raw of chunk.toString().split('\n').filter(Boolean)) {
          const o = JSON.parse(raw) as { level: number; msg: string };
          lines.push({ level: o.level, msg: o.msg, raw });
        }
        cb();
      },
    });
    const logger = createLogger('info', sink);
    redis = await spawnRedisServer();
    store = await createRedisStore({ url: redis.url, keyPrefix: uniquePrefix('outage-log'), logger, commandTimeoutMs: 500 });
    w = await createWorld({ store, logger });
  });
  after(async () => {
    await w?.close();
    await store?.close();
    await redis?.stop();
  });

  test('100 requests refused while Redis is down write at most two warn/error lines, no stack trace, and are all counted', async () => {
    assert.equal((await w.post((await w.tokenRequest()).body)).status, 200, 'served while Redis is up');
    await redis.stop();
    for (let i = 0; i < 50 && (await store.ping()); i++) await new Promise((r) => setTimeout(r, 20));
    const from = lines.length;
    for (let i = 0; i < 100; i++) {
      const res = await w.post((await w.tokenRequest()).body);
      assert.equal(res.status, 503);
      assert.equal(res.json.error, 'temporarily_unavailable');
      assert.equal(res.headers['retry-after'], '5');
    }
    const loud = lines.slice(from).filter((l) => l.level >= 40);
    assert.ok(loud.length <= 2, `${loud.length} warn/error lines:\n${loud.map((l) => l.raw.slice(0, 300)).join('\n')}`);
    assert.equal(loud.filter((l) => l.level >= 50).length, 0, 'an expected 503 is not an error');
    assert.equal(lines.slice(from).some((l) => l.raw.includes('"stack"')), false, 'no stack trace');
    const metrics = (await w.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /^verifier_dependency_unavailable_total\{dependency="store"\} 100$/m);
  });
});
