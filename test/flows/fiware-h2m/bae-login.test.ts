/**
 * The BAE marketplace's login (spec §8.4, §5.2, §5.6, §2.13) over real HTTP: the browser is sent
 * to `/api/v2/loginQR` with a request object by reference (kid = BAE's DID, aud = the verifier),
 * gets our login page with the QR code and the login cookie, listens on `/ws?state=`; the wallet
 * answers at `/api/v1/authentication_response` (200 `{}`); the socket says `authenticated` with
 * `<redirect_uri>?state=&code=`; BAE's backend redeems the code with a DID-signed client
 * assertion and refreshes with it. Then every refusal: exact error, status, nothing issued.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { newMachine } from '../../support/world.ts';
import { BAE_CALLBACK, createH2mWorld, LOGIN_SCOPE, type H2mWorld } from './fiware-h2m-world.ts';

let h: H2mWorld;
before(async () => {
  h = await createH2mWorld();
});
after(() => h.close());

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

interface QrLogin {
  state: string;
  cookie: string;
  authRequest: string;
  html: string;
}

async function openLoginQr(claims: Record<string, unknown> = {}, signer?: Parameters<H2mWorld['serveRequestObject']>[1]): Promise<{ status: number; body: string; login?: QrLogin }> {
  const state = randomUUID();
  const nonce = randomUUID();
  const requestUri = h.serveRequestObject({ state, nonce, ...claims }, signer);
  // BAE-FE onLoginClick: state, client_id, response_type, request_uri, scope, nonce.
  const query = new URLSearchParams({ state, client_id: 'bae', response_type: 'code', request_uri: requestUri, scope: LOGIN_SCOPE, nonce });
  const res = await h.get(`/api/v2/loginQR?${query.toString()}`);
  if (res.status !== 200) return { status: res.status, body: res.body };
  const authRequest = /href="(openid4vp:\/\/[^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(authRequest, 'the page links the openid4vp:// request');
  return { status: 200, body: res.body, login: { state, cookie: String(res.headers['set-cookie']).split(';')[0]!, authRequest, html: res.body } };
}

function socket(login: QrLogin, cookie = login.cookie): Promise<{ messages: string[]; closed: Promise<number>; opened: Promise<number> }> {
  const ws = new WebSocket(`${h.w.issuer.replace('http', 'ws')}/ws?state=${encodeURIComponent(login.state)}`, { headers: cookie ? { cookie } : {} });
  const messages: string[] = [];
  ws.on('message', (m) => messages.push(String(m)));
  ws.on('error', () => undefined); // a refused upgrade is terminated below
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const opened = new Promise<number>((resolve) => {
    ws.on('open', () => resolve(101));
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
  });
  return Promise.resolve({ messages, closed, opened });
}

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(check(), what);
}

async function completedLogin(): Promise<{ login: QrLogin; code: string }> {
  const { login } = await openLoginQr();
  const answer = await h.wallet(login!.authRequest);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  const view = await h.w.runtime.logins.viewForBrowser(decodeURIComponent(login!.cookie.slice(login!.cookie.indexOf('=') + 1)), login!.state);
  return { login: login!, code: new URL(view!.redirectTo!).searchParams.get('code')! };
}

const exchange = (code: string, extra: Record<string, string> = {}) =>
  h.postForm('/token', { grant_type: 'authorization_code', code, client_id: h.bae.did, client_assertion_type: JWT_BEARER, client_assertion: h.assertion(), ...extra });

test('BAE login: /api/v2/loginQR with a request object by reference, /ws session then authenticated, the wallet answered 200 {}, code exchange with a DID-signed assertion, refresh', async () => {
  const { login } = await openLoginQr();
  assert.ok(login);
  assert.match(login.html, /<svg/, 'our login page with its QR code');
  const ws = await socket(login);
  assert.equal(await ws.opened, 101);
  await waitFor(() => ws.messages.length >= 1, 'the session message');
  assert.deepEqual(JSON.parse(ws.messages[0]!), { type: 'session' });

  const answer = await h.wallet(login.authRequest);
  assert.equal(answer.status, 200, JSON.stringify(answer.json));
  assert.deepEqual(answer.json, {});
  assert.equal(answer.requestObject.state, login.state, 'the request object carries the client state');

  assert.equal(await ws.closed, 1000);
  const done = JSON.parse(ws.messages[1]!) as { type: string; redirectUrl: string };
  assert.equal(done.type, 'authenticated');
  const redirect = new URL(done.redirectUrl);
  assert.equal(`${redirect.origin}${redirect.pathname}`, BAE_CALLBACK);
  assert.equal(redirect.searchParams.get('state'), login.state);
  assert.equal(redirect.searchParams.get('nonce'), null, 'no nonce on the cross-device redirect (VCVerifier)');

  const token = await exchange(redirect.searchParams.get('code')!);
  assert.equal(token.status, 200, JSON.stringify(token.json));
  assert.equal(token.json.id_token, token.json.access_token);
  assert.equal(typeof token.json.refresh_token, 'string');
  assert.equal(token.json.refresh_token_expires_in, h.w.runtime.config.verifier.backend.refreshToken.expiresInSeconds);
  const claims = JSON.parse(Buffer.from(String(token.json.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  assert.deepEqual(claims.aud, ['bae']);
  assert.equal(claims.iss, h.w.issuer);
  assert.equal(claims.sub, h.user.did);

  const refreshed = await h.postForm('/token', { grant_type: 'refresh_token', refresh_token: String(token.json.refresh_token), client_id: h.bae.did, client_assertion_type: JWT_BEARER, client_assertion: h.assertion() });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
  assert.notEqual(refreshed.json.refresh_token, token.json.refresh_token, 'rotated');
  const again = await h.postForm('/token', { grant_type: 'refresh_token', refresh_token: String(token.json.refresh_token) });
  assert.equal(again.status, 400);
  assert.equal(again.json.error, 'invalid_grant');
  const family = await h.postForm('/token', { grant_type: 'refresh_token', refresh_token: String(refreshed.json.refresh_token) });
  assert.equal(family.status, 400, 'reuse of a rotated refresh token revokes its family');
});

test('the code is also redeemed by redirect_uri alone (option A), exactly the login\'s', async () => {
  const { code } = await completedLogin();
  const wrong = await h.postForm('/token', { grant_type: 'authorization_code', code, redirect_uri: `${BAE_CALLBACK}/other` });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json.error, 'invalid_grant');
  assert.equal(wrong.json.access_token, undefined);
  const ok = await h.postForm('/services/bae/token', { grant_type: 'authorization_code', code, redirect_uri: BAE_CALLBACK });
  assert.equal(ok.status, 200, 'the wrong redirect_uri consumed nothing');
});

test('a reused code is refused (400 invalid_grant) and the tokens of its first exchange are revoked', async () => {
  const { code } = await completedLogin();
  const first = await exchange(code);
  assert.equal(first.status, 200);
  const second = await exchange(code);
  assert.equal(second.status, 400);
  assert.equal(second.json.error, 'invalid_grant');
  assert.match(String(second.json.error_description), /already used/);
  assert.equal(second.json.access_token, undefined);
  const refresh = await h.postForm('/token', { grant_type: 'refresh_token', refresh_token: String(first.json.refresh_token) });
  assert.equal(refresh.status, 400, 'the family of the first exchange is revoked');
});

test('an assertion whose kid is not the client DID is refused (401 invalid_client) and consumes nothing', async () => {
  const { code } = await completedLogin();
  const mallory = newMachine();
  const res = await exchange(code, { client_assertion: h.assertion({ signer: mallory }) });
  assert.equal(res.status, 401, JSON.stringify(res.json));
  assert.equal(res.json.error, 'invalid_client');
  assert.equal(res.json.access_token, undefined);
  const other = await h.postForm('/token', { grant_type: 'authorization_code', code, client_id: mallory.did, client_assertion_type: JWT_BEARER, client_assertion: signedAs(mallory) });
  assert.equal(other.status, 400, 'a valid assertion of another DID is not the login\'s client');
  assert.equal(other.json.error, 'invalid_grant');
  assert.equal((await exchange(code)).status, 200, 'the code is still usable by its client');
});

function signedAs(m: ReturnType<typeof newMachine>): string {
  return h.assertion({ signer: m, claims: { iss: m.did, sub: m.did } });
}

test('a client assertion for another audience or expired is refused (401 invalid_client)', async () => {
  const { code } = await completedLogin();
  for (const claims of [{ aud: 'https://other.example' }, { exp: Math.floor(h.w.clock.now() / 1000) - 120 }]) {
    const res = await exchange(code, { client_assertion: h.assertion({ claims }) });
    assert.equal(res.status, 401, JSON.stringify(claims));
    assert.equal(res.json.error, 'invalid_client');
  }
});

for (const [rule, claims, signer] of [
  ['with an aud that is not this verifier', { aud: 'https://other-verifier.example' }, undefined],
  ['with a bad signature (signed by another key under the BAE kid)', {}, { signer: newMachine() }],
  ['without exp', { exp: undefined }, undefined],
] as const) {
  test(`/api/v2/loginQR refuses a client request object ${rule}: 400 page ERR_REQUEST_OBJECT_INVALID, nothing stored`, async () => {
    const before = h.w.storeSize();
    const res = await openLoginQr(claims, signer);
    assert.equal(res.status, 400);
    assert.match(res.body, /ERR_REQUEST_OBJECT_INVALID/);
    assert.equal(h.w.storeSize(), before);
  });
}

test('/api/v2/loginQR refuses a redirect_uri the service does not list (400 page ERR_FIWARE_LOGIN_REDIRECT_URI), nothing stored', async () => {
  const before = h.w.storeSize();
  const res = await openLoginQr({ redirect_uri: 'https://attacker.example/cb' });
  assert.equal(res.status, 400);
  assert.match(res.body, /ERR_FIWARE_LOGIN_REDIRECT_URI/);
  assert.equal(h.w.storeSize(), before);
});

test('/ws without the login cookie is refused 403 before any upgrade (VCVerifier gives the code to anyone knowing state)', async () => {
  const { login } = await openLoginQr();
  const ws = await socket(login!, '');
  assert.equal(await ws.opened, 403);
});

test('a wallet answer with the wrong nonce is refused (400 invalid_request), fails the login and issues no code', async () => {
  const { login } = await openLoginQr();
  const ws = await socket(login!);
  await ws.opened;
  const answer = await h.wallet(login!.authRequest, { nonce: 'another-nonce' });
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error, 'invalid_request');
  assert.equal(await ws.closed, 4001, 'the socket is closed as failed');
  assert.ok(!ws.messages.some((m) => m.includes('authenticated')));
  const view = await h.w.runtime.logins.viewForBrowser(decodeURIComponent(login!.cookie.slice(login!.cookie.indexOf('=') + 1)), login!.state);
  assert.equal(view?.status, 'failed');
  assert.equal(view?.redirectTo, undefined);
});

test('a wallet answer with another aud is refused (400 invalid_request)', async () => {
  const { login } = await openLoginQr();
  const answer = await h.wallet(login!.authRequest, { aud: 'did:key:zDnaeSomeoneElse' });
  assert.equal(answer.status, 400);
  assert.equal(answer.json.error, 'invalid_request');
});

test('a wallet answer after the login expired is refused (400 ERR_LOGIN_EXPIRED) and issues no code', async () => {
  const { login } = await openLoginQr();
  const q = new URLSearchParams(login!.authRequest.slice('openid4vp://?'.length));
  const ro = await (await fetch(q.get('request_uri')!)).text();
  const claims = JSON.parse(Buffer.from(ro.split('.')[1]!, 'base64url').toString()) as Record<string, string>;
  h.w.clock.advance(h.w.runtime.logins.lifetimeMs + 1000);
  try {
    const res = await h.postForm('/api/v1/authentication_response', { state: claims.state!, vp_token: 'eyJhbGciOiJFUzI1NiJ9.e30.sig' });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'invalid_request');
    assert.match(String(res.json.error_description), /expired/);
  } finally {
    h.w.clock.advance(-(h.w.runtime.logins.lifetimeMs + 1000));
  }
});

test('a wallet answer for an unknown state is refused (400 ERR_LOGIN_UNKNOWN)', async () => {
  const res = await h.postForm('/api/v1/authentication_response', { state: 'no-such-state', vp_token: 'x.y.z' });
  assert.equal(res.status, 400);
  assert.match(String(res.json.error_description), /no login session/);
});

test('a marketplace identified by did:jwk signs its request object and its client assertion (kid did:jwk:…#0), resolved by the DID method registry', async () => {
  const m = newMachine();
  const did = `did:jwk:${Buffer.from(JSON.stringify({ kty: 'EC', crv: 'P-256', x: m.publicJwk.x, y: m.publicJwk.y })).toString('base64url')}`;
  const jwkClient = { ...m, did };
  const opened = await openLoginQr({ iss: did }, { signer: jwkClient, kid: `${did}#0` });
  assert.equal(opened.status, 200, opened.body.slice(0, 300));
  const login = opened.login!;
  assert.equal((await h.wallet(login.authRequest)).status, 200);
  const view = await h.w.runtime.logins.viewForBrowser(decodeURIComponent(login.cookie.slice(login.cookie.indexOf('=') + 1)), login.state);
  const code = new URL(view!.redirectTo!).searchParams.get('code')!;
  const assertion = h.assertion({ signer: jwkClient, kid: `${did}#0`, claims: { iss: did, sub: did } });
  const token = await h.postForm('/token', { grant_type: 'authorization_code', code, client_id: did, client_assertion_type: JWT_BEARER, client_assertion: assertion });
  assert.equal(token.status, 200, JSON.stringify(token.json));
});

test('a FIWARE login code is refused at /oidc/token even by a DOME client with the same client_id and redirect_uri (400 invalid_grant), and stays usable here', async () => {
  const { code } = await completedLogin();
  const dome = await h.postForm('/oidc/token', { grant_type: 'authorization_code', code, client_id: 'bae', redirect_uri: BAE_CALLBACK });
  assert.equal(dome.status, 400, JSON.stringify(dome.json));
  assert.equal(dome.json.error, 'invalid_grant');
  assert.equal(dome.json.access_token, undefined);
  assert.equal((await exchange(code)).status, 200);
});

test('/ws is bounded (a fifth socket of one login is refused 429) and closed 4002 when the login expires', async () => {
  const { login } = await openLoginQr();
  const sockets = await Promise.all([1, 2, 3, 4].map(() => socket(login!)));
  for (const s of sockets) assert.equal(await s.opened, 101);
  const fifth = await socket(login!);
  assert.equal(await fifth.opened, 429);
  h.w.clock.advance(h.w.runtime.logins.lifetimeMs + 1000);
  try {
    // The store is polled once a second: closed well within 5 s (a hang would never close).
    const codes = await Promise.race([Promise.all(sockets.map((s) => s.closed)), new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5000))]);
    assert.deepEqual(codes, [4002, 4002, 4002, 4002]);
  } finally {
    h.w.clock.advance(-(h.w.runtime.logins.lifetimeMs + 1000));
  }
});
