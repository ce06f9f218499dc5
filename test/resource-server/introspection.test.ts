/**
 * The resource-server middleware's opt-in introspection mode against the real verifier over
 * 127.0.0.1: revoked tokens and tokens of a detected code reuse are refused, answers are cached
 * (bounded, never beyond exp), and the middleware fails closed (503) when the verifier cannot
 * answer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, type JSONWebKeySet } from 'jose';
import { createAccessTokenValidator, errorResponse, IntrospectionUnavailableError, InvalidTokenError, type ValidatorOptions } from '@dome-verifier/resource-server';
import { dome as domeExpress, type ExpressLikeRequest, type ExpressLikeResponse } from '@dome-verifier/resource-server/express';
import { decodePart, machineClientEntry, newMachine } from '../support/world.ts';
import { clientAssertion } from '../support/h2m.ts';
import { createRpWorld, type RpWorld } from '../support/h2m-session.ts';

describe('resource server in introspection mode', () => {
  let s: RpWorld;
  const rs = newMachine(); // the API, registered at the verifier as a client
  const unregistered = newMachine();
  let calls = 0;
  let offsetMs = 0;
  before(async () => {
    s = await createRpWorld({ listen: true, clients: [machineClientEntry(rs.did)] });
  });
  after(() => s.w.close());

  const countingFetch: typeof fetch = (input, init) => {
    if (String(input instanceof Request ? input.url : input).endsWith('/oidc/introspect')) calls++;
    return fetch(input, init);
  };
  const now = () => s.w.clock.now() + offsetMs;
  const validator = (introspection: Partial<NonNullable<ValidatorOptions['introspection']>> = {}, extra: Partial<ValidatorOptions> = {}) =>
    createAccessTokenValidator({ issuer: s.w.issuer, fetch: countingFetch, now, introspection: { clientId: rs.did, privateKey: rs.privateKey, ...introspection }, ...extra });
  const revoke = async (token: string) => {
    const form = new URLSearchParams({ token, client_id: s.rp.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion(s.w, s.rp) });
    const res = await fetch(`${s.w.issuer}/oidc/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    assert.equal(res.status, 200);
  };
  const notActive = (e: unknown) => e instanceof InvalidTokenError && e.status === 401 && e.description === 'the access token is no longer active';
  const unavailable = (e: unknown) => e instanceof IntrospectionUnavailableError && e.status === 503 && e.error === 'temporarily_unavailable';

  test('an active token is accepted after one introspection call; the answer is reused within the cache lifetime', async () => {
    const at = String((await s.session()).access_token);
    const v = validator();
    calls = 0;
    assert.equal((await v.validate(at)).subject, s.user.did);
    await v.validate(at);
    await Promise.all([v.validate(at), v.validate(at)]);
    assert.equal(calls, 1);
  });

  test('a revoked token is refused with 401 invalid_token once the cached answer has lapsed', async () => {
    const at = String((await s.session()).access_token);
    const v = validator({ cacheTtlMs: 5_000 });
    await v.validate(at);
    await revoke(at);
    await v.validate(at); // still cached: revocation reaches the API within cacheTtlMs
    offsetMs = 5_001;
    try {
      await assert.rejects(v.validate(at), notActive);
    } finally {
      offsetMs = 0;
    }
  });

  test('the access token of a code redeemed twice is refused', async () => {
    const code = await s.loginCode();
    const first = await s.w.post(s.codeForm(code));
    assert.equal(first.status, 200);
    assert.equal((await s.w.post(s.codeForm(code))).json.error, 'invalid_grant');
    await assert.rejects(validator().validate(String(first.json.access_token)), notActive);
  });

  test('an answer is never cached beyond the token exp (within the clock tolerance the verifier is asked again)', async () => {
    const at = String((await s.session()).access_token);
    const exp = Number(decodePart(at).exp);
    const v = validator({ cacheTtlMs: 24 * 3600_000 });
    await v.validate(at);
    calls = 0;
    const start = s.w.clock.now();
    s.w.clock.set(exp * 1000 + 10_000); // verifier and API: 10 s after exp, inside the API's 30 s tolerance
    try {
      await assert.rejects(v.validate(at), notActive);
      assert.equal(calls, 1, 'the cached "active" lapsed at exp');
    } finally {
      s.w.clock.set(start);
    }
  });

  test('the cache holds at most maxCacheEntries answers (the oldest is dropped)', async () => {
    const tokens = [];
    for (let i = 0; i < 3; i++) tokens.push(String((await s.session()).access_token));
    const v = validator({ maxCacheEntries: 2 });
    calls = 0;
    for (const t of tokens) await v.validate(t);
    await v.validate(tokens[2]!);
    await v.validate(tokens[1]!);
    assert.equal(calls, 3);
    await v.validate(tokens[0]!);
    assert.equal(calls, 4, 'the first answer was evicted');
  });

  test('a caller-supplied clientAssertion callback authenticates the API', async () => {
    const at = String((await s.session()).access_token);
    let asked = 0;
    const v = validator({ privateKey: undefined, clientAssertion: ({ clientId, audience }) => {
      asked++;
      assert.equal(clientId, rs.did);
      assert.equal(audience, s.w.issuer);
      return clientAssertion(s.w, rs);
    } });
    await v.validate(at);
    assert.equal(asked, 1);
  });

  test('fails closed with 503 when the verifier refuses the API client, or is unreachable, and caches no failure', async () => {
    const at = String((await s.session()).access_token);
    await assert.rejects(validator({ clientId: unregistered.did, privateKey: unregistered.privateKey }).validate(at), unavailable);
    const reused = () =>
      new SignJWT({ jti: 'fixed' }).setProtectedHeader({ alg: 'ES256', kid: rs.did }).setIssuer(rs.did).setSubject(rs.did).setAudience(s.w.issuer).setIssuedAt(Math.floor(now() / 1000)).setExpirationTime(Math.floor(now() / 1000) + 60).sign(rs.privateKey);
    const replaying = validator({ privateKey: undefined, clientAssertion: reused });
    await replaying.validate(at); // first use of the assertion jti
    const other = String((await s.session()).access_token);
    await assert.rejects(replaying.validate(other), unavailable, 'a replayed assertion is refused by the verifier: 503, not 401');

    let failing = true;
    const down: typeof fetch = async (input, init) => {
      if (failing && String(input instanceof Request ? input.url : input).endsWith('/oidc/introspect')) throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const v = createAccessTokenValidator({ issuer: s.w.issuer, fetch: down, now, introspection: { clientId: rs.did, privateKey: rs.privateKey } });
    await assert.rejects(v.validate(other), unavailable);
    failing = false;
    assert.equal((await v.validate(other)).subject, s.user.did, 'recovers once the verifier answers');
  });

  test('fails closed with 503 when the introspection endpoint hangs up or answers garbage', async () => {
    const at = String((await s.session()).access_token);
    const jwks = (await (await fetch(`${s.w.issuer}/oidc/jwks`)).json()) as JSONWebKeySet;
    for (const reply of ['hang-up', '{"active":"yes"}', 'not json', '{"active":true,"jti":"another"}']) {
      const fake = createServer((req, res) => {
        if (req.url === '/.well-known/openid-configuration') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: s.w.issuer, introspection_endpoint: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/introspect` }));
        if (reply === 'hang-up') return void req.socket.destroy();
        res.writeHead(200, { 'content-type': 'application/json' }).end(reply);
      });
      await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
      const port = (fake.address() as AddressInfo).port;
      const redirect: typeof fetch = (input, init) => fetch(String(input).replace(s.w.issuer, `http://127.0.0.1:${port}`), init);
      try {
        const v = createAccessTokenValidator({ issuer: s.w.issuer, jwks, fetch: redirect, now, introspection: { clientId: rs.did, privateKey: rs.privateKey } });
        await assert.rejects(v.validate(at), unavailable, reply);
      } finally {
        fake.closeAllConnections();
        await new Promise((r) => fake.close(r));
      }
    }
  });

  test('the Express adapter answers 401 for a revoked token and 503 with Retry-After when introspection is down', async () => {
    const at = String((await s.session()).access_token);
    await revoke(at);
    /** The Express middleware in front of a real node:http server (IncomingMessage/ServerResponse are Express-like). */
    const run = async (options: Parameters<typeof domeExpress>[0]) => {
      const mw = domeExpress(options);
      let nextCalled = false;
      const api = createServer((req, res) =>
        mw(req as unknown as ExpressLikeRequest, res as unknown as ExpressLikeResponse, () => {
          nextCalled = true;
          res.end('ok');
        }),
      );
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      try {
        const res = await fetch(`http://127.0.0.1:${(api.address() as AddressInfo).port}/api`, { headers: { authorization: `Bearer ${at}` } });
        return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.json(), nextCalled };
      } finally {
        await new Promise((r) => api.close(r));
      }
    };
    const refused = await run({ issuer: s.w.issuer, fetch: countingFetch, now, introspection: { clientId: rs.did, privateKey: rs.privateKey } });
    assert.equal(refused.status, 401);
    assert.equal(refused.nextCalled, false);
    assert.match(refused.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    const down: typeof fetch = async (input, init) => (String(input).endsWith('/oidc/introspect') ? Promise.reject(new TypeError('fetch failed')) : fetch(input, init));
    const closed = await run({ issuer: s.w.issuer, fetch: down, now, introspection: { clientId: rs.did, privateKey: rs.privateKey } });
    assert.equal(closed.status, 503);
    assert.equal(closed.headers['retry-after'], '30');
    assert.deepEqual(closed.body, { error: 'temporarily_unavailable', error_description: 'the verifier cannot confirm that the access token is still active' });
    assert.equal(closed.nextCalled, false);
    assert.equal(errorResponse(new IntrospectionUnavailableError('x'))?.status, 503);
  });

  test('introspection options are checked when the validator is built', () => {
    const base = { issuer: s.w.issuer };
    assert.throws(() => createAccessTokenValidator({ ...base, introspection: { clientId: rs.did } }), /exactly one of clientAssertion or privateKey/);
    assert.throws(() => createAccessTokenValidator({ ...base, introspection: { clientId: rs.did, privateKey: rs.privateKey, clientAssertion: () => 'x' } }), /exactly one/);
    assert.throws(() => createAccessTokenValidator({ ...base, introspection: { clientId: '', privateKey: rs.privateKey } }), /clientId is required/);
    assert.throws(() => createAccessTokenValidator({ ...base, introspection: { clientId: rs.did, privateKey: rs.privateKey, maxCacheEntries: 0 } }), /maxCacheEntries/);
  });
});
