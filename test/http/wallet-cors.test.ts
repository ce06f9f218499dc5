/**
 * Issue #10 §7 — the wallet PWA is a browser app (dome-wallet-pwa.md §1.3, §4.2, §5): every answer
 * of `/oid4vp/auth-request/*` and `/oid4vp/auth-response` carries `Access-Control-Allow-Origin`
 * (refusals included, or the PWA sees status 0), preflights are answered, the allowed origins
 * are configuration (`verifier.frontend.walletOrigins`, `*` by default), and the wallet is never
 * answered 401 (the PWA logs its user out on a 401). Real sockets on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../support/world.ts';
import { startLogin } from '../support/h2m.ts';
import { fetchJson } from '../support/expect.ts';

const PWA = 'https://wallet.dome-marketplace.eu';
const FORM = 'application/x-www-form-urlencoded';
const CB = 'https://rp.example/callback';
const UNKNOWN_REQUEST = '/oid4vp/auth-request/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

const call = (w: World, path: string, init: RequestInit = {}) => fetchJson(`${w.issuer}${path}`, init);
const postAnswer = (w: World, body: string, headers: Record<string, string> = {}) =>
  call(w, '/oid4vp/auth-response', { method: 'POST', headers: { 'content-type': FORM, origin: PWA, ...headers }, body });

describe('wallet endpoints answer the PWA cross-origin, refusals included, never 401', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({ listen: true, clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })] });
  });
  after(() => w.close());

  test('preflights of both endpoints: 204, any origin, the methods and the headers a browser wallet sends, cached', async () => {
    for (const [path, method] of [[UNKNOWN_REQUEST, 'GET'], ['/oid4vp/auth-response', 'POST']] as const) {
      const res = await call(w, path, { method: 'OPTIONS', headers: { origin: PWA, 'access-control-request-method': method, 'access-control-request-headers': 'content-type,accept' } });
      assert.equal(res.status, 204, path);
      assert.equal(res.headers.get('access-control-allow-origin'), '*');
      assert.match(res.headers.get('access-control-allow-methods') ?? '', new RegExp(method));
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      assert.ok(allowed.includes('content-type') && allowed.includes('accept'), allowed);
      assert.equal(res.headers.get('access-control-max-age'), '600');
      assert.equal(res.headers.get('access-control-allow-credentials'), null, 'never credentials');
    }
  });

  test('every failure of the wallet answer is 400 with a clear error and the CORS header, never 401', async () => {
    const login = await startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 's-cors' });
    const ro = await call(w, login.requestPath, { headers: { origin: PWA } });
    assert.equal(ro.status, 200);
    assert.equal(ro.headers.get('access-control-allow-origin'), '*');
    const stored = w.storeSize();
    // A credential issued to someone else, a VP that is not a JWT, nothing at all, a foreign state: the presentation checks refuse each.
    const foreign = w.issue({ kind: 'employee', mandatee: { id: newMachine().did } });
    const bad = [
      new URLSearchParams({ state: login.state, vp_token: Buffer.from(foreign).toString('base64url') }),
      new URLSearchParams({ state: login.state, vp_token: 'not-a-jwt' }),
      new URLSearchParams({ state: login.state }),
      new URLSearchParams({ state: 'no-such-login', vp_token: 'x' }),
    ];
    for (const form of bad) {
      const res = await postAnswer(w, form.toString(), { authorization: 'Bearer wallet-session-token' });
      assert.notEqual(res.status, 401, `never 401 to the wallet: ${JSON.stringify(res.json)}`);
      assert.ok(res.status === 400 || res.status === 403 || res.status === 404, `${res.status} ${JSON.stringify(res.json)}`);
      assert.equal(typeof res.json.error, 'string');
      assert.equal(typeof res.json.error_description, 'string');
      assert.equal(res.headers.get('access-control-allow-origin'), '*', `${res.status} carries CORS`);
      assert.equal(res.headers.get('www-authenticate'), null, 'no authentication challenge');
    }
    assert.equal(w.storeSize(), stored, 'nothing stored');
    // Shape refusals before the presentation is looked at.
    const ct = await postAnswer(w, 'state=a&vp_token=b', { 'content-type': 'application/json' });
    assert.equal(ct.status, 400);
    assert.equal(ct.headers.get('access-control-allow-origin'), '*');
    const big = await postAnswer(w, `state=a&vp_token=${'A'.repeat(70 * 1024)}`);
    assert.equal(big.status, 413);
    assert.equal(big.headers.get('access-control-allow-origin'), '*');
    const gone = await call(w, login.requestPath, { headers: { origin: PWA } });
    assert.equal(gone.status, 404, 'one-shot request object');
    assert.equal(gone.json.error, 'invalid_request_uri');
    assert.equal(gone.headers.get('access-control-allow-origin'), '*');
  });
});

describe('rate-limit refusals of the wallet endpoints carry the CORS header', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ listen: true, env: { SERVER_RATELIMIT_ENABLED: 'true', SERVER_RATELIMIT_PERIPPERSECOND: '1', SERVER_RATELIMIT_PERIPBURST: '1' } });
  });
  after(() => w.close());

  test('a 429 on GET auth-request and on POST auth-response is readable by the PWA', async () => {
    await call(w, UNKNOWN_REQUEST, { headers: { origin: PWA } });
    const get = await call(w, UNKNOWN_REQUEST, { headers: { origin: PWA } });
    assert.equal(get.status, 429);
    assert.equal(get.headers.get('access-control-allow-origin'), '*');
    const post = await postAnswer(w, 'state=a&vp_token=b');
    assert.equal(post.status, 429);
    assert.equal(post.json.error, 'temporarily_unavailable');
    assert.equal(post.headers.get('access-control-allow-origin'), '*');
  });
});

describe('configured wallet origins', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ listen: true, env: { VERIFIER_FRONTEND_WALLETORIGINS: `${PWA}, https://wallet.sandbox.example` } });
  });
  after(() => w.close());

  test('a listed origin is echoed with Vary: Origin on answers and preflights; another origin gets no Access-Control-Allow-Origin', async () => {
    for (const origin of [PWA, 'https://wallet.sandbox.example']) {
      const res = await call(w, UNKNOWN_REQUEST, { headers: { origin } });
      assert.equal(res.headers.get('access-control-allow-origin'), origin);
      assert.match(res.headers.get('vary') ?? '', /origin/i);
      const pre = await call(w, '/oid4vp/auth-response', { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
    }
    const evil = await postAnswer(w, 'state=a&vp_token=b', { origin: 'https://evil.example' });
    assert.equal(evil.status, 400);
    assert.equal(evil.headers.get('access-control-allow-origin'), null);
    const evilPre = await call(w, UNKNOWN_REQUEST, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    assert.equal(evilPre.headers.get('access-control-allow-origin'), null);
  });

  test('a wallet origin that is not an origin is a configuration error naming the key', async () => {
    const { loadConfig } = await import('@dome-verifier/core/config');
    assert.throws(() => loadConfig({ env: { VERIFIER_FRONTEND_WALLETORIGINS: 'https://wallet.example/path' } }), /verifier\.frontend\.walletOrigins/);
    assert.throws(() => loadConfig({ env: { VERIFIER_FRONTEND_WALLETORIGINS: '*, https://wallet.example' } }), /verifier\.frontend\.walletOrigins/);
  });
});
