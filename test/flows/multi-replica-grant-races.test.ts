/**
 * Two replicas sharing one Redis redeem the same code (or refresh token) at the same moment:
 * exactly one gets tokens, and the reuse revokes them, every round. Needs `REDIS_URL`: skipped
 * without it, failed under `CI=true`.
 */
import { after, before, test } from 'node:test';
import { createRedisStore, type RedisStore } from '@dome-verifier/store-redis';
import { deleteKeys, uniquePrefix, withRedis } from '@dome-verifier/store-redis/testing';
import { newMachine } from '../support/world.ts';
import { createRpWorld, oneWinnerOneReuse, refreshRefused, type RpWorld } from '../support/h2m-session.ts';

withRedis('two replicas on one Redis: simultaneous redemptions', (url) => {
  const keyPrefix = uniquePrefix('grant-races');
  const rp = newMachine();
  const user = newMachine();
  let storeA: RedisStore;
  let storeB: RedisStore;
  let A: RpWorld;
  let B: RpWorld;

  before(async () => {
    storeA = await createRedisStore({ url, keyPrefix });
    storeB = await createRedisStore({ url, keyPrefix });
    A = await createRpWorld({ store: storeA, rp, user });
    B = await createRpWorld({ store: storeB, rp, user });
  });
  after(async () => {
    await A?.w.close();
    await B?.w.close();
    await storeA?.close();
    await storeB?.close();
    await deleteKeys(url, keyPrefix);
  });

  test('code: 50 rounds, one redemption on each replica at once — the winner is revoked every round', async () => {
    for (let round = 0; round < 50; round++) {
      const code = await A.loginCode();
      const winner = oneWinnerOneReuse(await Promise.all([A.w.post(A.codeForm(code)), B.w.post(B.codeForm(code, B.w))]));
      await refreshRefused(round % 2 === 0 ? A : B, winner.json.refresh_token);
    }
  });

  test('refresh: 50 rounds, one refresh on each replica at once — the family is revoked every round', async () => {
    for (let round = 0; round < 50; round++) {
      const rt = String((await A.session()).refresh_token);
      const winner = oneWinnerOneReuse(await Promise.all([A.w.post(A.refreshForm(rt)), B.w.post(B.refreshForm(rt, B.w))]));
      await refreshRefused(round % 2 === 0 ? A : B, winner.json.refresh_token);
    }
  });
});
