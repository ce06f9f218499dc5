/**
 * Pending logins are bounded (issue #9 item 8): `/oidc/authorize` is unauthenticated and every
 * accepted call stores a login session and a request object, so the verifier caps the logins
 * pending at once — per source address, per client and in total — and refuses beyond the cap
 * before anything is stored: 429 + Retry-After (per address / per client), 503 + Retry-After
 * (total). A slot is held for the login lifetime. A full memory store answers 503
 * `ERR_STORE_FULL` (not 500) and `/health` reports it. Machine clients keep getting tokens.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createMemoryStore } from '@dome-verifier/core';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';

const ISS = 'https://verifier.test';
const CB = 'https://rp.example/callback';
const rpEntry = (rp: MachineClient, url = 'https://rp.example', cb = CB) =>
  trustedServiceEntry({ clientId: rp.did, url, issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [cb] });
const params = (rp: MachineClient, cb = CB) => ({ client_id: rp.did, redirect_uri: cb, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}` });

async function authorizeFrom(w: World, ip: string, p: Record<string, string>) {
  const res = await w.app.inject({ method: 'GET', url: `/oidc/authorize?${new URLSearchParams(p).toString()}`, remoteAddress: ip });
  return { status: res.statusCode, location: res.headers.location as string | undefined, retryAfter: res.headers['retry-after'] as string | undefined, setCookie: res.headers['set-cookie'], body: res.body };
}

describe('pending logins are capped per address, per client and in total', () => {
  let w: World;
  const rp = newMachine();
  const rp2 = newMachine();
  before(async () => {
    w = await createWorld({
      clients: [rpEntry(rp), rpEntry(rp2, 'https://rp2.example', 'https://rp2.example/cb')],
      env: { VERIFIER_BACKEND_LOGIN_MAXPENDING: '6', VERIFIER_BACKEND_LOGIN_MAXPENDINGPERCLIENT: '4', VERIFIER_BACKEND_LOGIN_MAXPENDINGPERIP: '2' },
    });
  });
  after(() => w.close());

  /** Lets every slot taken so far expire (the login lifetime, 120 s). */
  const expireAll = () => w.clock.advance(120_001);

  const expectRefused = async (ip: string, p: Record<string, string>, status: number, page: RegExp, retryAfter: string) => {
    const stored = w.storeSize();
    const res = await authorizeFrom(w, ip, p);
    assert.equal(res.status, status, res.body.slice(0, 200));
    assert.equal(res.location, undefined, 'not redirected: a flood never reaches the relying party');
    assert.equal(res.setCookie, undefined, 'no login cookie');
    assert.equal(res.retryAfter, retryAfter);
    assert.match(res.body, page);
    assert.match(res.body, new RegExp(`Error ${status}`));
    assert.equal(w.storeSize(), stored, 'nothing stored for a refused login');
  };

  test('the 3rd pending login from one address is refused 429 temporarily_unavailable with Retry-After, before anything is stored; other addresses still log in', async () => {
    const stored = w.storeSize();
    for (let i = 0; i < 2; i++) assert.equal((await authorizeFrom(w, '192.0.2.1', params(rp))).status, 302);
    assert.equal(w.storeSize(), stored + 4, 'each login stores a session and a request object');
    w.clock.advance(30_000);
    await expectRefused('192.0.2.1', params(rp), 429, /too many logins/i, '90');
    assert.equal((await authorizeFrom(w, '192.0.2.2', params(rp))).status, 302, 'another address is not affected');
    expireAll();
  });

  test('the 5th pending login of one client is refused 429 whatever the address; another client still logs in', async () => {
    for (let i = 0; i < 4; i++) assert.equal((await authorizeFrom(w, `198.51.100.${i}`, params(rp))).status, 302);
    await expectRefused('198.51.100.200', params(rp), 429, /too many logins/i, '120');
    assert.equal((await authorizeFrom(w, '198.51.100.201', params(rp2, 'https://rp2.example/cb'))).status, 302);
    expireAll();
  });

  test('beyond 6 pending logins in total the next one is refused 503 (capacity), Retry-After until the oldest expires', async () => {
    for (let i = 0; i < 3; i++) assert.equal((await authorizeFrom(w, `203.0.113.${i}`, params(rp))).status, 302);
    w.clock.advance(10_000);
    for (let i = 3; i < 6; i++) assert.equal((await authorizeFrom(w, `203.0.113.${i}`, params(rp2, 'https://rp2.example/cb'))).status, 302);
    await expectRefused('203.0.113.100', params(rp2, 'https://rp2.example/cb'), 503, /too many logins are in progress/i, '110');
    const metrics = (await w.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^verifier_login_pending 6$/m);
    assert.match(metrics, /^verifier_login_refused_total\{reason="capacity"\} 1$/m);
    expireAll();
  });

  test('logins expire and free their slots (injected clock)', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await authorizeFrom(w, '192.0.2.50', params(rp))).status, 302);
    w.clock.advance(119_000);
    assert.equal((await authorizeFrom(w, '192.0.2.50', params(rp))).status, 429, 'still pending at 119 s');
    w.clock.advance(1_000);
    assert.equal((await authorizeFrom(w, '192.0.2.50', params(rp))).status, 302, 'free again once the login lifetime has passed');
    expireAll();
  });

  test('an invalid authorization request takes no slot', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await authorizeFrom(w, '192.0.2.60', { ...params(rp), scope: 'openid' })).status, 302);
    for (let i = 0; i < 2; i++) assert.equal(new URL((await authorizeFrom(w, '192.0.2.60', params(rp))).location!).pathname, '/login');
    expireAll();
  });

  test('machine tokens are still issued while logins are capped', async () => {
    for (let i = 0; i < 6; i++) await authorizeFrom(w, `192.0.2.${100 + i}`, params(i < 3 ? rp : rp2, i < 3 ? CB : 'https://rp2.example/cb'));
    assert.equal((await authorizeFrom(w, '192.0.2.99', params(rp))).status, 503);
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(typeof res.json.access_token, 'string');
    expireAll();
  });
});

describe('a full memory store answers 503 ERR_STORE_FULL and /health reports it', () => {
  let w: World;
  const rp = newMachine();
  const store = createMemoryStore({ maxEntries: 4, sweepIntervalMs: 3_600_000 });
  before(async () => {
    w = await createWorld({ store, clients: [rpEntry(rp)] });
  });
  after(async () => {
    await w.close();
    await store.close();
  });

  test('a token request that needs a new store entry is refused 503 temporarily_unavailable with Retry-After and no token', async () => {
    for (let i = 0; i < 4; i++) await store.set(`filler:${i}`, 'x', 3_600_000);
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 503, JSON.stringify(res.json));
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.match(String(res.json.error_description), /store is full/);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json.access_token, undefined);
    assert.equal(store.size, 4, 'nothing stored');
  });

  test('/health is 503 with the store DOWN (full)', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 503);
    const body = res.json() as { status: string; components: { store: Record<string, unknown> } };
    assert.equal(body.status, 'DOWN');
    assert.deepEqual(body.components.store, { status: 'DOWN', type: 'memory', reason: 'full' });
    assert.equal(store.size, 4, 'the health probe leaves nothing behind');
  });

  test('once entries are freed the store and /health recover', async () => {
    await store.delete('filler:0');
    await store.delete('filler:1');
    assert.equal((await w.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
});
