/**
 * Several replicas behind a load balancer: two complete verifier runtimes/apps, each with its own
 * Redis connection, sharing one Redis key space. Replay detection, the legs of a wallet login,
 * codes and refresh tokens work whichever replica a request lands on; SSE on one replica sees a
 * login completed on the other (it polls the store). With Redis down, requests fail closed (503)
 * and nothing is issued; /health says which component is DOWN.
 * Needs `REDIS_URL`: skipped without it, failed under `CI=true`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { buildApp, createMetrics, createRuntime } from '@dome-verifier/server';
import type { VerifierConfig } from '@dome-verifier/core/config';
import { createRedisStore, type RedisStore } from '@dome-verifier/store-redis';
import { deleteKeys, startTcpProxy, uniquePrefix, withRedis, type TcpProxy } from '@dome-verifier/store-redis/testing';
import { createWorld, machineClientEntry, newMachine, type MachineClient, type World } from '../support/world.ts';
import { codeForm, refreshForm, startLogin, walletAnswer, authorize, type StartedLogin } from '../support/h2m.ts';

const ISS = 'https://verifier.test';
const CB = 'https://rp.example/callback';

const rpEntry = (rp: MachineClient) =>
  trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [CB] });
const authParams = (rp: MachineClient) => ({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}`, nonce: 'n-1' });

/** The browser of `login` asks replica `w` for the login status (cookie-bound). */
async function loginStatus(w: World, login: StartedLogin): Promise<Record<string, unknown>> {
  const res = await w.app.inject({ method: 'GET', url: `/api/login/status?state=${encodeURIComponent(login.state)}`, headers: { cookie: login.cookiePair } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as Record<string, unknown>;
}

withRedis('several replicas sharing one Redis store', (url) => {
  const keyPrefix = uniquePrefix('replicas');
  const rp = newMachine();
  const user = newMachine();
  let storeA: RedisStore;
  let storeB: RedisStore;
  let A: World;
  let B: World;
  let employee: string;

  before(async () => {
    // One connection per replica, one key space: exactly what two pods with the same config get.
    storeA = await createRedisStore({ url, keyPrefix });
    storeB = await createRedisStore({ url, keyPrefix });
    A = await createWorld({ store: storeA, clients: [rpEntry(rp)] });
    B = await createWorld({ store: storeB, clients: [rpEntry(rp), machineClientEntry(A.machine.did)] });
    employee = A.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
  });
  after(async () => {
    await A?.close();
    await B?.close();
    await storeA?.close();
    await storeB?.close();
    await deleteKeys(url, keyPrefix);
  });

  test('a client assertion accepted by replica A is refused as replayed by replica B', async () => {
    const req = await A.tokenRequest();
    const first = await A.post(req.body);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    const again = await B.post(req.body);
    assert.equal(again.status, 401);
    assert.equal(again.json.error, 'invalid_client');
    assert.match(String(again.json.error_description), /already used/);
    assert.equal(again.json.access_token, undefined);
  });

  test('the same assertion sent to both replicas at once is accepted exactly once', async () => {
    for (let i = 0; i < 5; i++) {
      const req = await A.tokenRequest();
      const results = await Promise.all([A.post(req.body), B.post(req.body)]);
      assert.deepEqual(results.map((r) => r.status).sort(), [200, 401]);
    }
  });

  test('a login started on A is answered by the wallet on B, seen by the browser on B, and its code redeemed on A (once)', async () => {
    const login = await startLogin(A, authParams(rp));
    assert.equal((await loginStatus(B, login)).status, 'pending');

    const answer = await walletAnswer(B, login, user, employee); // request object taken and presentation posted on B
    assert.equal(answer.status, 200, JSON.stringify(answer.json));

    const status = await loginStatus(B, login);
    assert.equal(status.status, 'complete');
    const redirect = new URL(String(status.redirect_to));
    assert.equal(redirect.searchParams.get('state'), login.state);
    const code = redirect.searchParams.get('code')!;

    const tokens = await A.post(codeForm(rp, code, CB, A));
    assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
    assert.equal(typeof tokens.json.access_token, 'string');
    assert.equal(typeof tokens.json.refresh_token, 'string');

    // Refresh tokens are shared too: rotated on B, the old one replayed on A revokes the family.
    const refreshed = await B.post(refreshForm(rp, String(tokens.json.refresh_token), B));
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
    const replayed = await A.post(refreshForm(rp, String(tokens.json.refresh_token), A));
    assert.equal(replayed.status, 400);
    assert.equal(replayed.json.error, 'invalid_grant');
    assert.match(String(replayed.json.error_description), /already used/);
    const revoked = await B.post(refreshForm(rp, String(refreshed.json.refresh_token), B));
    assert.equal(revoked.status, 400, 'reuse on A revoked the family on B');

    const reused = await B.post(codeForm(rp, code, CB, B));
    assert.equal(reused.status, 400, 'the code is single-use across replicas');
    assert.equal(reused.json.error, 'invalid_grant');
    assert.match(String(reused.json.error_description), /already used/);
  });

  test('the request object is handed out once, whichever replica the wallet asks', async () => {
    const login = await startLogin(B, authParams(rp));
    assert.equal((await A.app.inject({ method: 'GET', url: login.requestPath })).statusCode, 200);
    assert.equal((await B.app.inject({ method: 'GET', url: login.requestPath })).statusCode, 404);
    assert.equal((await A.app.inject({ method: 'GET', url: login.requestPath })).statusCode, 404);
  });

  test('SSE on replica B delivers a login completed on replica A (B polls the store)', async () => {
    const login = await startLogin(A, authParams(rp));
    const stream = B.app.inject({ method: 'GET', url: `/api/login/events?state=${encodeURIComponent(login.state)}`, headers: { cookie: login.cookiePair } });
    await new Promise((r) => setTimeout(r, 100)); // the stream is open and pending
    const answer = await walletAnswer(A, login, user, employee);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const res = await stream; // ends with the terminal event, found by B's next poll
    assert.match(res.headers['content-type'] as string, /text\/event-stream/);
    assert.match(res.body, /event: pending\n/);
    assert.match(res.body, new RegExp(`event: redirect\\ndata: ${CB.replace(/[.?/]/g, '\\$&')}\\?code=`));
  });

  test('a runtime configured with store.type redis connects at start-up, shares the store, and closes it', async () => {
    const base = A.runtime.config;
    const config: VerifierConfig = {
      ...base,
      verifier: { ...base.verifier, backend: { ...base.verifier.backend, store: { type: 'redis', redisUrl: url, keyPrefix } } },
    };
    const runtime = await createRuntime(config, { clock: A.clock });
    const app = await buildApp(runtime, { metrics: createMetrics() });
    try {
      const health = await app.inject({ method: 'GET', url: '/health' });
      assert.equal(health.statusCode, 200);
      assert.deepEqual(health.json().components.store, { status: 'UP', type: 'redis' });
      const req = await A.tokenRequest();
      assert.equal((await A.post(req.body)).status, 200);
      const replay = await app.inject({ method: 'POST', url: '/oidc/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: req.body.toString() });
      assert.equal(replay.statusCode, 401, 'the configured replica sees the jti reserved on A');
    } finally {
      await app.close();
      await runtime.close();
    }
    assert.equal(await runtime.storeHealthy(), false, 'runtime.close() closed its Redis connection');
    await assert.rejects(runtime.store.get('x'), (e: Error & { code?: string }) => e.code === 'ERR_STORE_UNAVAILABLE');
  });

  test('start-up fails clearly when the configured Redis is unreachable (password never shown)', async () => {
    const base = A.runtime.config;
    const proxy = await startTcpProxy(url);
    await proxy.stop(); // a port where nothing listens
    const redisUrl = `redis://:pw-s3cret@127.0.0.1:${proxy.port}`;
    const config: VerifierConfig = { ...base, verifier: { ...base.verifier, backend: { ...base.verifier.backend, store: { type: 'redis', redisUrl, keyPrefix } } } };
    await assert.rejects(createRuntime(config, { clock: A.clock }), (e: Error) => /cannot connect to the Redis store/.test(e.message) && !e.message.includes('pw-s3cret'));
  });
});

withRedis('Redis down: requests fail closed', (url) => {
  const keyPrefix = uniquePrefix('down');
  const rp = newMachine();
  let proxy: TcpProxy;
  let store: RedisStore;
  let w: World;

  before(async () => {
    proxy = await startTcpProxy(url);
    store = await createRedisStore({ url: proxy.url, keyPrefix, commandTimeoutMs: 300 });
    w = await createWorld({ store, clients: [rpEntry(rp)] });
  });
  after(async () => {
    await w?.close();
    await store?.close();
    await proxy?.close();
    await deleteKeys(url, keyPrefix);
  });

  const health = async () => {
    const res = await w.app.inject({ method: 'GET', url: '/health' });
    return { status: res.statusCode, json: res.json() as { status: string; components: Record<string, { status: string; reason?: string }> } };
  };
  const issuedTokens = async () => {
    const text = (await w.app.inject({ method: 'GET', url: '/metrics' })).body;
    return [...text.matchAll(/^verifier_tokens_issued_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
  };

  describe('in order', () => {
    test('while Redis is up, /health reports the store UP', async () => {
      const h = await health();
      assert.equal(h.status, 200);
      assert.equal(h.json.components.store?.status, 'UP');
    });

    test('Redis down: the token request is answered 503 temporarily_unavailable and nothing is issued; /health is 503 with the store DOWN', async () => {
      const req = await w.tokenRequest();
      const before = await issuedTokens();
      await proxy.stop();

      const res = await w.post(req.body);
      assert.equal(res.status, 503, JSON.stringify(res.json));
      assert.equal(res.json.error, 'temporarily_unavailable');
      assert.match(String(res.json.error_description), /store is unavailable/);
      assert.equal(res.json.access_token, undefined);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal(await issuedTokens(), before, 'no token issued');

      const h = await health();
      assert.equal(h.status, 503);
      assert.equal(h.json.status, 'DOWN');
      assert.equal(h.json.components.store?.status, 'DOWN');
      assert.equal(h.json.components.store?.reason, 'unavailable');
      assert.equal(h.json.components.trustedServicesList?.status, 'UP');
      assert.equal((await w.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200, 'liveness stays UP: no restart for a Redis outage');

      // The login legs fail closed too: authorize redirects temporarily_unavailable to the RP.
      const authz = await authorize(w, authParams(rp));
      assert.equal(authz.status, 302);
      assert.equal(new URL(authz.location!).searchParams.get('error'), 'temporarily_unavailable');
      const ro = await w.app.inject({ method: 'GET', url: '/oid4vp/auth-request/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
      assert.equal(ro.statusCode, 503);

      // Back up: the refused request left nothing behind, so the very same assertion is now accepted.
      await proxy.start();
      const deadline = Date.now() + 5000;
      while ((await health()).status !== 200) {
        assert.ok(Date.now() < deadline, 'health back to 200 after Redis returns');
        await new Promise((r) => setTimeout(r, 50));
      }
      const retry = await w.post(req.body);
      assert.equal(retry.status, 200, JSON.stringify(retry.json));
      assert.equal(await issuedTokens(), before + 1);
    });
  });
});
