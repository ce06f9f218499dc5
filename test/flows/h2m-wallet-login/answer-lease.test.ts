/**
 * A wallet answer holds its login by a short lease (issue #9 item 5). Two replicas (complete
 * runtimes) share one store — memory (lease lapse by the store's injected clock) and Redis (real
 * TTLs, a 1 s lease). A replica that claims a login and dies leaves it blocked only for the lease:
 * meanwhile the retry on the other replica is refused 409 `ERR_LOGIN_ANSWER_IN_PROGRESS` with
 * `Retry-After`; once it lapses the retry completes the login. A slow-but-alive holder that
 * outlives its lease and finishes after the takeover is refused and produces no second code —
 * whether it stalls before its lease check or after it (then it loses the final transition).
 *
 * "Slow but alive" is replica A's store link stalling right after A took the lease (a GC pause,
 * a congested network): `stallingStore` holds A's n-th store call after its claim until resumed.
 * In the answer handler the 1st such call is the lease check, the 2nd the code write.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { createVpJwt } from '@dome-verifier/client';
import { createMemoryStore, fixedClock, type Store } from '@dome-verifier/core';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createRedisStore } from '@dome-verifier/store-redis';
import { deleteKeys, uniquePrefix, withRedis } from '@dome-verifier/store-redis/testing';
import { createWorld, decodePart, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, startLogin, type StartedLogin } from '../../support/h2m.ts';

const ISS = 'https://verifier.test';
const CB = 'https://rp.example/callback';

/** Replica A's view of a store: after A takes a lease, its `after`-th next call waits for `resume()`. */
function stallingStore(inner: Store) {
  let countdown = 0;
  let stalled: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  let release: () => void = () => undefined;
  const wrap =
    <A extends unknown[], R>(op: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (countdown > 0 && --countdown === 0 && gate) {
        stalled();
        await gate;
      }
      return op(...args);
    };
  const store: Store = {
    setIfAbsent: async (key, value, ttl) => {
      const ok = await wrap(inner.setIfAbsent.bind(inner))(key, value, ttl);
      if (ok && key.startsWith('login-claimed:') && gate) countdown = armedAfter;
      return ok;
    },
    set: wrap(inner.set.bind(inner)),
    get: wrap(inner.get.bind(inner)),
    take: wrap(inner.take.bind(inner)),
    delete: wrap(inner.delete.bind(inner)),
    close: () => inner.close(),
  };
  let armedAfter = 0;
  return {
    store,
    /** Arms the stall; resolves once A is stalled in its `after`-th store call after its claim. */
    stallAfterClaim(after: number): Promise<void> {
      armedAfter = after;
      gate = new Promise((r) => (release = r));
      return new Promise((r) => (stalled = r));
    },
    resume() {
      gate = undefined;
      release();
    },
  };
}

interface Shared {
  storeA: ReturnType<typeof stallingStore>;
  storeB: Store;
  /** Lets the lease lapse (memory: the store clock; Redis: real time). */
  lapse(): Promise<void>;
  /** Entries in the shared store. */
  entries(): Promise<number>;
  /** Lease configured on both replicas, in seconds. */
  leaseSeconds: number;
  close(): Promise<void>;
}

function leaseSuite(name: string, setup: () => Promise<Shared>): void {
  describe(`answer lease on two replicas sharing a ${name} store`, () => {
    const rp = newMachine();
    const user: MachineClient = newMachine();
    let shared: Shared;
    let A: World;
    let B: World;
    let employee: string;
    before(async () => {
      shared = await setup();
      const clients = [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [CB] })];
      const env = { VERIFIER_BACKEND_LOGIN_ANSWERLEASESECONDS: String(shared.leaseSeconds) };
      A = await createWorld({ store: shared.storeA.store, clients, env });
      B = await createWorld({ store: shared.storeB, clients, env });
      employee = A.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
    });
    after(async () => {
      shared?.storeA.resume();
      await A?.close();
      await B?.close();
      await shared?.close();
    });

    const begin = () => startLogin(A, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}` });
    const sessionId = (l: StartedLogin) => decodeURIComponent(l.cookiePair.slice(l.cookiePair.indexOf('=') + 1)).split('.')[0]!;
    /** The wallet's answer form (request object fetched once, on B). */
    const answerForm = async (l: StartedLogin) => {
      const ro = await B.app.inject({ method: 'GET', url: l.requestPath });
      assert.equal(ro.statusCode, 200);
      const claims = decodePart(ro.body);
      const vp = await createVpJwt({ credentials: [employee], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: String(claims.nonce), now: () => B.clock.now() });
      return new URLSearchParams({ state: String(claims.state), vp_token: Buffer.from(vp).toString('base64url') }).toString();
    };
    const post = async (w: World, form: string) => {
      const res = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
      return { status: res.statusCode, json: res.json() as Record<string, unknown>, retryAfter: res.headers['retry-after'] as string | undefined };
    };

    test('A claims and dies: during the lease B is refused 409 ERR_LOGIN_ANSWER_IN_PROGRESS with Retry-After; after it lapses B completes the login', async () => {
      const login = await begin();
      const id = sessionId(login);
      assert.ok(await A.runtime.logins.claim(id)); // …and replica A is killed here
      const form = await answerForm(login);

      const during = await post(B, form);
      assert.equal(during.status, 409, JSON.stringify(during.json));
      assert.equal(during.json.error, 'invalid_request');
      assert.match(String(during.json.error_description), /another answer to this login is being verified/);
      const retryAfter = Number(during.retryAfter);
      assert.ok(retryAfter >= 1 && retryAfter <= shared.leaseSeconds, `Retry-After ${during.retryAfter}`);
      assert.equal((await B.runtime.logins.get(id))?.status, 'pending', 'the login is not failed');
      assert.equal(await browserRedirect(B, login), undefined, 'no code');

      await shared.lapse();
      const retry = await post(B, form);
      assert.equal(retry.status, 200, JSON.stringify(retry.json));
      const redirect = new URL((await browserRedirect(A, login))!);
      assert.equal(`${redirect.origin}${redirect.pathname}`, CB);
      assert.ok(redirect.searchParams.get('code'));
    });

    for (const [after, where] of [
      [1, 'before its lease check (it issues nothing)'],
      [2, 'after its lease check (its code is discarded when it loses the final transition)'],
    ] as const) {
      test(`a slow holder stalled ${where} finishes after B took over: refused, and no second code`, async () => {
        const login = await begin();
        const form = await answerForm(login);
        const stalled = shared.storeA.stallAfterClaim(after);
        const slow = post(A, form); // claims, verifies, then stalls
        await stalled;
        assert.equal((await post(B, form)).status, 409, 'A holds the lease');

        await shared.lapse();
        const taken = await post(B, form);
        assert.equal(taken.status, 200, JSON.stringify(taken.json));
        const delivered = await browserRedirect(B, login);
        assert.ok(delivered);
        const stored = await shared.entries();

        shared.storeA.resume(); // A goes on, after B completed the login
        const late = await slow;
        assert.equal(late.status, 400, JSON.stringify(late.json));
        assert.equal(late.json.error, 'invalid_request');
        assert.match(String(late.json.error_description), /already answered/);
        assert.equal(await shared.entries(), stored, 'nothing of A left in the store: no second code');
        assert.equal(await browserRedirect(A, login), delivered, "the browser still gets B's code");
      });
    }
  });
}

leaseSuite('memory', async () => {
  const clock = fixedClock(Date.now());
  const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
  return {
    storeA: stallingStore(store),
    storeB: store,
    leaseSeconds: 30,
    lapse: async () => clock.advance(30_001),
    entries: async () => store.size,
    close: () => store.close(),
  };
});

withRedis('answer lease (Redis)', (url) => {
  leaseSuite('Redis', async () => {
    const keyPrefix = uniquePrefix('lease');
    const [storeA, storeB] = await Promise.all([createRedisStore({ url, keyPrefix }), createRedisStore({ url, keyPrefix })]);
    const admin = new Redis(url);
    return {
      storeA: stallingStore(storeA),
      storeB,
      leaseSeconds: 1,
      lapse: () => new Promise((r) => setTimeout(r, 1_200)),
      async entries() {
        let n = 0;
        let cursor = '0';
        do {
          const [next, keys] = await admin.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
          cursor = next;
          n += keys.filter((k) => !k.startsWith(`${keyPrefix}health-probe:`)).length;
        } while (cursor !== '0');
        return n;
      },
      async close() {
        await storeA.close();
        await storeB.close();
        admin.disconnect();
        await deleteKeys(url, keyPrefix);
      },
    };
  });
});
