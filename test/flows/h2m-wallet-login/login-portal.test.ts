/**
 * The IN2 V3 deployment shape, part 2: an external login portal (`verifier.frontend.portalUrl`).
 * `/oidc/authorize` sends the browser to `{portalUrl}/login?authRequest=&state=&homeUri=` instead
 * of our page; the portal subscribes to `GET /api/login/events?state=` (CORS from its origin) and
 * receives `redirect` (data: the RP URL with code and state) or `validation_failed`
 * (`{code, message}`). IN2 V3 keys that stream by the RP's `state`, so anyone who knows it gets
 * the code; here the `state` handed to the portal is the login's own 256-bit handle
 * (`<session id>.<browser secret>`, the value of the login cookie), which only the browser that
 * was redirected ever sees. The RP's `state` opens nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { rpClientEntry, RP_CALLBACK } from '../../support/h2m-session.ts';
import { authorize, walletAnswer } from '../../support/h2m.ts';

const PORTAL = 'https://portal.example/verifier';
const PORTAL_ORIGIN = 'https://portal.example';

function events(body: string): Array<{ event: string; data: string }> {
  return body
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const lines = block.split('\n');
      return { event: lines[0]!.slice('event: '.length), data: lines.slice(1).map((l) => l.slice('data: '.length)).join('\n') };
    });
}

describe('external login portal (verifier.frontend.portalUrl)', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  let employee: string;
  before(async () => {
    w = await createWorld({ clients: [rpClientEntry(rp)], env: { VERIFIER_FRONTEND_PORTALURL: PORTAL } });
    employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
  });
  after(() => w.close());

  /** Starts a login the way the portal sees it: the 302 to the portal, its `state` handle and the request path. */
  async function startPortalLogin(rpState = `st-${crypto.randomUUID()}`) {
    const res = await authorize(w, { client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: rpState, nonce: 'n-1' });
    assert.equal(res.status, 302, res.body);
    const location = new URL(res.location!);
    const authRequest = location.searchParams.get('authRequest')!;
    const requestUri = new URL(authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('request_uri')!;
    // The portal has no cookie: `cookie` stays empty (walletAnswer only needs requestPath).
    return { url: location, location: location.href, rpState, handle: location.searchParams.get('state')!, authRequest, requestPath: new URL(requestUri).pathname, cookie: '', cookiePair: '', state: rpState };
  }
  const listen = (state: string, origin = PORTAL_ORIGIN) => w.app.inject({ method: 'GET', url: `/api/login/events?state=${encodeURIComponent(state)}`, headers: { origin } });

  test('/oidc/authorize redirects to {portalUrl}/login with authRequest, a state handle that is not the RP state, and homeUri', async () => {
    const login = await startPortalLogin();
    assert.equal(`${login.url.origin}${login.url.pathname}`, `${PORTAL}/login`);
    assert.match(login.authRequest, /^openid4vp:\/\/\?client_id=did%3Akey%3A.+&request_uri=https%3A%2F%2Fverifier\.test%2Foid4vp%2Fauth-request%2F/);
    assert.equal(login.url.searchParams.get('homeUri'), 'https://rp.example');
    assert.notEqual(login.handle, login.rpState);
    assert.match(login.handle, /^[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{43}$/);
  });

  test('the portal, with no cookie, receives `redirect` with the RP URL carrying code and the RP state; CORS allows its origin', async () => {
    const login = await startPortalLogin();
    const stream = listen(login.handle);
    await new Promise((r) => setTimeout(r, 100));
    const answer = await walletAnswer(w, login, user, employee);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const res = await stream;
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    assert.equal(res.headers['access-control-allow-origin'], PORTAL_ORIGIN);
    const last = events(res.body).at(-1)!;
    assert.equal(last.event, 'redirect');
    const redirect = new URL(last.data);
    assert.equal(`${redirect.origin}${redirect.pathname}`, RP_CALLBACK);
    assert.equal(redirect.searchParams.get('state'), login.rpState);
    assert.ok(redirect.searchParams.get('code'));
  });

  test('a refused presentation reaches the portal as `validation_failed` {code, message} with our stable error code', async () => {
    const login = await startPortalLogin();
    const answer = await walletAnswer(w, login, user, employee, { nonce: 'not-the-nonce' });
    assert.equal(answer.status, 400);
    const res = await listen(login.handle);
    const last = events(res.body).at(-1)!;
    assert.equal(last.event, 'validation_failed');
    const data = JSON.parse(last.data) as { code: string; message: string };
    assert.equal(data.code, 'ERR_VP_NONCE');
    assert.equal(typeof data.message, 'string');
    assert.ok(data.message.length > 0);
  });

  test('the RP state, a handle with a wrong secret, or another login\'s handle open nothing: 403 access_denied, no event', async () => {
    const login = await startPortalLogin();
    const other = await startPortalLogin();
    const [id] = login.handle.split('.');
    for (const state of [login.rpState, `${id}.${'A'.repeat(43)}`, `${id}`, other.handle.split('.')[0] + '.' + login.handle.split('.')[1]]) {
      const res = await listen(state);
      assert.equal(res.statusCode, 403, state);
      assert.equal(res.json().error, 'access_denied');
      assert.doesNotMatch(res.body, /event:/);
    }
  });

  test('an expired login reaches the portal as `validation_failed` ERR_LOGIN_EXPIRED', async () => {
    const login = await startPortalLogin();
    w.clock.advance(w.runtime.logins.lifetimeMs + 1000);
    try {
      const last = events((await listen(login.handle)).body).at(-1)!;
      assert.equal(last.event, 'validation_failed');
      assert.equal((JSON.parse(last.data) as { code: string }).code, 'ERR_LOGIN_EXPIRED');
    } finally {
      w.clock.advance(-(w.runtime.logins.lifetimeMs + 1000));
    }
  });
});

describe('without a portal (the default)', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({ clients: [rpClientEntry(rp)] });
  });
  after(() => w.close());

  test('the login handle alone, without the cookie, opens nothing (403): the stream stays bound to the browser that started the login', async () => {
    const res = await authorize(w, { client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: 'st-1', nonce: 'n-1' });
    assert.equal(new URL(res.location!).pathname, '/login');
    const handle = decodeURIComponent(res.setCookie!.split(';')[0]!.split('=').slice(1).join('='));
    for (const state of [handle, 'st-1']) {
      const sse = await w.app.inject({ method: 'GET', url: `/api/login/events?state=${encodeURIComponent(state)}` });
      assert.equal(sse.statusCode, 403, state);
      assert.equal(sse.headers['access-control-allow-origin'], undefined);
    }
  });
});
