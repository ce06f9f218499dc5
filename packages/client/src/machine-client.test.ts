import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import { createMachineClient, type MachineClientOptions } from './machine-client.ts';
import { TokenRequestError } from './request-token.ts';
import { OAuthError } from './oauth-error.ts';
import { KeyLoadError, generateP256Key } from './keys.ts';
import { fakeFetch, fakeVcJwt, jsonResponse, type FakeCall } from './test-helpers.ts';

const ISSUER = 'https://verifier.example.org';
const API = 'https://api.example.org/resource';
const key = generateP256Key();
const vc = await fakeVcJwt(key.did);

interface FakeVerifier {
  fetch: ReturnType<typeof fakeFetch>;
  tokens: () => FakeCall[];
  discoveries: () => FakeCall[];
  api: () => FakeCall[];
  /** Next token endpoint answers (default: a fresh token). */
  tokenReplies: Array<() => Response>;
  expiresIn: number | undefined;
  apiStatuses: number[];
}

function fakeVerifier(): FakeVerifier {
  let n = 0;
  const v: FakeVerifier = {
    tokenReplies: [],
    expiresIn: 3600,
    apiStatuses: [],
    fetch: fakeFetch(async (call) => {
      const url = new URL(call.url);
      if (url.pathname === '/.well-known/openid-configuration') return jsonResponse({ issuer: ISSUER, token_endpoint: `${ISSUER}/oidc/token`, jwks_uri: `${ISSUER}/oidc/jwks` });
      if (url.pathname === '/oidc/token') {
        await new Promise((r) => setTimeout(r, 5)); // in flight long enough for concurrent callers
        const reply = v.tokenReplies.shift();
        if (reply) return reply();
        n++;
        return jsonResponse({ access_token: `at-${n}`, token_type: 'Bearer', ...(v.expiresIn !== undefined ? { expires_in: v.expiresIn } : {}) });
      }
      if (call.url === API) return new Response(`hello ${call.headers.get('authorization')}`, { status: v.apiStatuses.shift() ?? 200 });
      return new Response('not found', { status: 404 });
    }),
    tokens: () => v.fetch.calls.filter((c) => c.url === `${ISSUER}/oidc/token`),
    discoveries: () => v.fetch.calls.filter((c) => c.url.endsWith('/.well-known/openid-configuration')),
    api: () => v.fetch.calls.filter((c) => c.url === API),
  };
  return v;
}

function client(v: FakeVerifier, extra: Partial<MachineClientOptions> = {}) {
  return createMachineClient({ issuer: ISSUER, key: key.privateJwk, credential: vc, fetch: v.fetch, ...extra });
}

test('getToken discovers once, POSTs a client_credentials VP assertion to the discovered token endpoint, caches the token', async () => {
  const v = fakeVerifier();
  const c = client(v);
  assert.equal(await c.getToken(), 'at-1');
  assert.equal(await c.getToken(), 'at-1');
  assert.equal(v.discoveries().length, 1);
  assert.equal(v.tokens().length, 1);
  const form = new URLSearchParams(v.tokens()[0]!.body);
  assert.equal(form.get('grant_type'), 'client_credentials');
  assert.equal(form.get('client_id'), key.did);
  const assertion = decodeJwt(form.get('client_assertion')!);
  assert.equal(assertion.aud, ISSUER);
  assert.equal(assertion.iss, key.did);
  assert.deepEqual(await c.tokenResponse(), { access_token: 'at-1', token_type: 'Bearer', expires_in: 3600 });
});

test('concurrent callers share one in-flight token request', async () => {
  const v = fakeVerifier();
  const c = client(v);
  const tokens = await Promise.all(Array.from({ length: 5 }, () => c.getToken()));
  assert.deepEqual(tokens, Array(5).fill('at-1'));
  assert.equal(v.tokens().length, 1);
  assert.equal(v.discoveries().length, 1);
});

test('refreshed refreshSkewSeconds before expiry (at most half the lifetime); invalidate() forces a new token', async () => {
  const v = fakeVerifier();
  let t = 1_000_000;
  const c = client(v, { now: () => t, refreshSkewSeconds: 60 });
  assert.equal(await c.getToken(), 'at-1');
  t += (3600 - 60) * 1000 - 1;
  assert.equal(await c.getToken(), 'at-1');
  t += 1;
  assert.equal(await c.getToken(), 'at-2');
  assert.equal(v.tokens().length, 2);
  c.invalidate();
  assert.equal(await c.getToken(), 'at-3');
  // A 60 s token with a 60 s skew is refreshed after 30 s, not on every call.
  v.expiresIn = 60;
  c.invalidate();
  assert.equal(await c.getToken(), 'at-4');
  t += 29_000;
  assert.equal(await c.getToken(), 'at-4');
  t += 1_000;
  assert.equal(await c.getToken(), 'at-5');
  // Without expires_in the JWT exp is used.
  const v2 = fakeVerifier();
  v2.expiresIn = undefined;
  const jwtLike = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: Math.floor(t / 1000) + 120 })).toString('base64url')}.`;
  v2.tokenReplies.push(() => jsonResponse({ access_token: jwtLike, token_type: 'bearer' }));
  const c2 = client(v2, { now: () => t });
  assert.equal(await c2.getToken(), jwtLike);
  t += 59_000;
  assert.equal(await c2.getToken(), jwtLike);
  t += 2_000;
  assert.equal(await c2.getToken(), 'at-1');
});

test('a failed early refresh keeps serving the still-valid token; a failure without a valid token is a TokenRequestError', async () => {
  const v = fakeVerifier();
  let t = 0;
  const c = client(v, { now: () => t });
  assert.equal(await c.getToken(), 'at-1');
  t = (3600 - 30) * 1000;
  v.tokenReplies.push(() => jsonResponse({ error: 'temporarily_unavailable', error_description: 'TIL down' }, 503));
  assert.equal(await c.getToken(), 'at-1');
  assert.equal(await c.getToken(), 'at-2', 'the next call tries again');
  c.invalidate();
  v.tokenReplies.push(() => jsonResponse({ error: 'invalid_client', error_description: 'unknown client' }, 401));
  await assert.rejects(c.getToken(), (e: unknown) => {
    assert.ok(e instanceof TokenRequestError && e instanceof OAuthError);
    assert.equal(e.error, 'invalid_client');
    assert.equal(e.status, 401);
    return true;
  });
});

test('errors never contain the key, the credential, the VP, the assertion or a token', async () => {
  const v = fakeVerifier();
  const c = client(v);
  v.tokenReplies.push(() => jsonResponse({ access_token: 'at-x', token_type: 'DPoP' }));
  v.tokenReplies.push(() => new Response('', { status: 500 }));
  v.tokenReplies.push(() => jsonResponse({ error: 'invalid_client', error_description: 'echo: placeholder' }, 401));
  const secrets = [key.privateJwk.d!, vc];
  for (const expected of ['invalid_response', 'http_500', 'invalid_client']) {
    await assert.rejects(c.getToken(), (e: unknown) => {
      assert.ok(e instanceof TokenRequestError);
      assert.equal(e.error, expected);
      for (const s of [...secrets, new URLSearchParams(v.tokens().at(-1)!.body).get('client_assertion')!]) assert.ok(!`${e.message} ${e.description}`.includes(s));
      return true;
    });
  }
  // The server echoing the assertion back is redacted.
  v.tokenReplies.push(() => jsonResponse({ error: 'invalid_client', error_description: `bad ${new URLSearchParams(v.tokens().at(-1)!.body).get('client_assertion')}` }, 401));
  await assert.rejects(c.getToken(), (e: unknown) => e instanceof TokenRequestError && /redacted/.test(String(e.description)));
});

test('discovery failures are TokenRequestErrors and are retried by the next call; the issuer must match', async () => {
  let fail = true;
  const v = fakeVerifier();
  const f: typeof fetch = (input, init) => (fail && String(input).includes('.well-known') ? Promise.reject(new TypeError('fetch failed')) : v.fetch(input, init));
  const c = createMachineClient({ issuer: ISSUER, key: key.privateKey, credential: vc, fetch: f });
  await assert.rejects(c.getToken(), (e: unknown) => e instanceof TokenRequestError && e.error === 'network_error');
  fail = false;
  assert.equal(await c.getToken(), 'at-1');
  const evil = createMachineClient({ issuer: 'https://other.example.org', key: key.privateKey, credential: vc, fetch: v.fetch });
  await assert.rejects(evil.getToken(), (e: unknown) => e instanceof TokenRequestError && e.error === 'invalid_metadata');
});

test('bad configuration is refused at creation, without echoing the key', () => {
  assert.throws(() => createMachineClient({ issuer: ISSUER, key: 'nonsense-key-material', credential: vc }), (e: unknown) => e instanceof KeyLoadError && !e.message.includes('nonsense-key-material'));
  assert.throws(() => createMachineClient({ issuer: ISSUER, key: key.privateJwk, credential: 'not a credential' }), TypeError);
  assert.throws(() => createMachineClient({ issuer: 'http://verifier.example.org', key: key.privateJwk, credential: vc }), TypeError);
});

test('fetch adds the bearer token; a 401 invalidates and retries once with a fresh token', async () => {
  const v = fakeVerifier();
  const c = client(v);
  const ok = await c.fetch(API, { headers: { accept: 'text/plain' } });
  assert.equal(await ok.text(), 'hello Bearer at-1');
  assert.equal(v.api()[0]?.headers.get('accept'), 'text/plain');
  v.apiStatuses.push(401);
  const res = await c.fetch(API, { method: 'POST', body: JSON.stringify({ a: 1 }), headers: { 'content-type': 'application/json' } });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'hello Bearer at-2');
  const [, first, second] = v.api();
  assert.equal(first?.headers.get('authorization'), 'Bearer at-1');
  assert.equal(second?.headers.get('authorization'), 'Bearer at-2');
  assert.equal(second?.body, '{"a":1}', 'the body is replayed');
  assert.equal(second?.headers.get('content-type'), 'application/json');
  // Two 401s: only one retry, the second 401 is returned.
  v.apiStatuses.push(401, 401);
  assert.equal((await c.fetch(new URL(API))).status, 401);
  assert.equal(v.api().length, 5);
  // A Request input keeps its headers.
  assert.equal((await c.fetch(new Request(API, { headers: { 'x-trace': '1' } }))).status, 200);
  assert.equal(v.api().at(-1)?.headers.get('x-trace'), '1');
});

test('a streamed body is not replayable: the 401 is returned without a retry', async () => {
  const v = fakeVerifier();
  const c = client(v);
  v.apiStatuses.push(401);
  const stream = new ReadableStream({ start: (ctl) => (ctl.enqueue(new TextEncoder().encode('x')), ctl.close()) });
  const res = await c.fetch(API, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
  assert.equal(res.status, 401);
  assert.equal(v.api().length, 1);
  assert.equal(v.tokens().length, 1);
});
