/**
 * Fault injection, Redis (issue #9 section 5): a private redis-server is SIGKILLed while token
 * requests stream in. While it is gone every request answers 503 `temporarily_unavailable`
 * with Retry-After, fast (no hang, no 500), and `/health` reports the store DOWN; a token is
 * never issued without its replay record (an accepted assertion sent again is never accepted);
 * after a restart on the same port the verifier reconnects by itself and issues tokens again.
 * Needs `redis-server` on PATH: skipped without it, failed under `CI=true`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedisStore, type RedisStore } from '@dome-verifier/store-redis';
import { createWorld, type World } from '../support/world.ts';
import { redisServerSkip, startRedis, type RedisProcess } from './processes.ts';

interface Sample {
  started: number;
  ended: number;
  status: number;
  error?: unknown;
  retryAfter?: unknown;
  /** Status of the same body sent again right after a 200. */
  replay?: number;
}

describe('fault injection: Redis is killed under load and restarted', async () => {
  const skip = await redisServerSkip();
  test('while Redis is dead: 503 temporarily_unavailable within 5 s, /health store DOWN, no token without its replay record; after a restart tokens again', { skip, timeout: 60_000 }, async () => {
    let redis: RedisProcess | undefined;
    let store: RedisStore | undefined;
    let w: World | undefined;
    try {
      redis = await startRedis();
      store = await createRedisStore({ url: redis.url, keyPrefix: 'dv-faults:' });
      w = await createWorld({ store });
      const world = w;
      const samples: Sample[] = [];
      let stop = false;
      let killedAt = Number.POSITIVE_INFINITY;
      let restartedAt = Number.POSITIVE_INFINITY;
      const worker = async () => {
        while (!stop) {
          const req = await world.tokenRequest();
          const started = performance.now();
          const res = await world.post(req.body);
          const s: Sample = { started, ended: performance.now(), status: res.status, error: res.json.error, retryAfter: res.headers['retry-after'] };
          if (res.status === 200) s.replay = (await world.post(req.body)).status;
          samples.push(s);
          if (res.status !== 200) await new Promise((r) => setTimeout(r, 20));
        }
      };
      const load = Promise.all(Array.from({ length: 6 }, worker));

      await new Promise((r) => setTimeout(r, 500));
      await redis.kill();
      killedAt = performance.now();
      await new Promise((r) => setTimeout(r, 1500));
      const health = await w.app.inject({ url: '/health' });
      assert.equal(health.statusCode, 503, health.body);
      assert.equal((health.json() as { components: { store: { status: string } } }).components.store.status, 'DOWN');

      const restarting = performance.now();
      await redis.restart();
      restartedAt = performance.now();
      const deadline = Date.now() + 20_000;
      let back = false;
      while (!back && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        back = samples.some((s) => s.started > restartedAt && s.status === 200);
      }
      stop = true;
      await load;

      assert.ok(back, 'tokens are issued again after the restart');
      assert.equal((await w.app.inject({ url: '/health' })).statusCode, 200, '/health is UP again');
      const before = samples.filter((s) => s.ended < killedAt);
      const dead = samples.filter((s) => s.started > killedAt && s.ended < restarting);
      assert.ok(before.some((s) => s.status === 200), 'tokens were issued before the kill');
      assert.ok(dead.length > 0, 'requests were made while Redis was dead');
      for (const s of samples) {
        assert.ok([200, 503].includes(s.status), `only 200 or 503, got ${s.status} (${String(s.error)})`);
        assert.ok(s.ended - s.started < 5000, `answered within 5 s (took ${Math.round(s.ended - s.started)} ms)`);
        if (s.status === 503) {
          assert.equal(s.error, 'temporarily_unavailable');
          assert.ok(s.retryAfter, '503 with Retry-After');
        }
        if (s.status === 200) assert.ok(s.replay === 401 || s.replay === 503, `an accepted assertion sent again must be refused (got ${s.replay})`);
      }
      for (const s of dead) assert.equal(s.status, 503, `nothing is issued while Redis is dead (request started ${Math.round(s.started - killedAt)} ms after the kill, answered in ${Math.round(s.ended - s.started)} ms; replay ${s.replay})`);
    } finally {
      await w?.close();
      await store?.close();
      await redis?.stop();
    }
  });
});
