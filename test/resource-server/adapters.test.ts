/**
 * The Express and Fastify adapters with tokens from the real verifier: 401 without a token
 * (challenge without error), 401 invalid_token, 403 insufficient_scope, 200 with `auth` set.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createAccessTokenValidator, type AccessTokenValidator, type VerifiedAccessToken } from '@dome-verifier/resource-server';
import { dome as domeExpress, requirePowerMiddleware, type ExpressLikeRequest, type ExpressLikeResponse } from '@dome-verifier/resource-server/express';
import { dome as domeHook, domePlugin, registerDome, requirePower, requireScope } from '@dome-verifier/resource-server/fastify';
import { ORG } from '../support/world.ts';
import { createTokenWorld, employeeTokens, machineToken, verifierFetch, type TokenWorld } from './helpers.ts';

const REALM = 'dome-api';

let t: TokenWorld;
let m2m: string;
let h2m: string;
let validator: AccessTokenValidator;
before(async () => {
  t = await createTokenWorld();
  m2m = await machineToken(t.w);
  h2m = (await employeeTokens(t)).accessToken;
  validator = createAccessTokenValidator({ issuer: t.w.issuer, fetch: verifierFetch(t.w), now: () => t.w.clock.now() });
});
after(() => t.w.close());

const tampered = () => `${m2m.slice(0, -6)}AAAAAA`;
const summary = (a: VerifiedAccessToken | undefined) => a && { kind: a.kind, subject: a.subject, org: a.credential.mandator.organizationIdentifier };

describe('fastify adapter', () => {
  let app: FastifyInstance;
  before(async () => {
    app = Fastify({ logger: false });
    await app.register(domePlugin, { validator, realm: REALM });
    app.get('/me', async (request) => summary(request.auth));
    app.post('/offerings', { preHandler: requirePower({ function: 'ProductOffering', action: 'Create' }) }, async (request) => ({ created: true, by: request.auth?.subject }));
    app.get('/openid-only', { preHandler: requireScope('openid') }, async () => ({ ok: true }));
    await app.ready();
  });
  after(() => app.close());

  test('no token: 401, challenge without error attribute, no-store', async () => {
    const res = await app.inject({ method: 'GET', url: '/me' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], `Bearer realm="${REALM}"`);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.json(), { error_description: 'a bearer access token is required' });
    const basic = await app.inject({ method: 'GET', url: '/me', headers: { authorization: 'Basic dTpw' } });
    assert.equal(basic.statusCode, 401);
    assert.equal(basic.headers['www-authenticate'], `Bearer realm="${REALM}"`);
  });

  test('bad token: 401 invalid_token with a description', async () => {
    for (const authorization of [`Bearer ${tampered()}`, 'Bearer not-a-jwt', 'Bearer ']) {
      const res = await app.inject({ method: 'GET', url: '/me', headers: { authorization } });
      assert.equal(res.statusCode, 401, authorization);
      assert.match(String(res.headers['www-authenticate']), /^Bearer realm="dome-api", error="invalid_token", error_description="[^"]+"$/);
      assert.equal(res.json().error, 'invalid_token');
      assert.ok(!res.body.includes(m2m.slice(0, 20)));
    }
  });

  test('token in the query: 400 invalid_request', async () => {
    const res = await app.inject({ method: 'GET', url: `/me?access_token=${m2m}` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
  });

  test('valid tokens: 200 with request.auth (scheme case-insensitive)', async () => {
    const a = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(a.statusCode, 200, a.body);
    assert.deepEqual(a.json(), { kind: 'machine', subject: t.w.machine.did, org: ORG });
    const b = await app.inject({ method: 'GET', url: '/me', headers: { authorization: `bearer ${h2m}` } });
    assert.deepEqual(b.json(), { kind: 'employee', subject: t.user.did, org: ORG });
  });

  test('missing power: 403 insufficient_scope; with the power: 200', async () => {
    const machine = await app.inject({ method: 'POST', url: '/offerings', headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(machine.statusCode, 403);
    assert.match(String(machine.headers['www-authenticate']), /^Bearer realm="dome-api", error="insufficient_scope", error_description="[^"]*ProductOffering\/Create"$/);
    assert.equal(machine.json().error, 'insufficient_scope');
    const employee = await app.inject({ method: 'POST', url: '/offerings', headers: { authorization: `Bearer ${h2m}` } });
    assert.equal(employee.statusCode, 200);
    assert.deepEqual(employee.json(), { created: true, by: t.user.did });
  });

  test('requireScope: 403 with scope="…" for the machine token, 200 for the human one', async () => {
    const machine = await app.inject({ method: 'GET', url: '/openid-only', headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(machine.statusCode, 403);
    assert.match(String(machine.headers['www-authenticate']), /scope="openid"$/);
    assert.equal((await app.inject({ method: 'GET', url: '/openid-only', headers: { authorization: `Bearer ${h2m}` } })).statusCode, 200);
  });

  test('registerDome in an encapsulated context protects only its routes; per-route hook with a requirement', async () => {
    const scoped = Fastify({ logger: false });
    scoped.get('/public', async () => ({ public: true }));
    await scoped.register(async (api) => {
      await registerDome(api, { validator });
      api.get('/private', async (request) => summary(request.auth));
    }, { prefix: '/api' });
    scoped.get('/employees-only', { onRequest: domeHook({ validator, require: (a) => a.kind === 'employee' }) }, async (request) => summary(request.auth));
    await scoped.ready();
    try {
      assert.equal((await scoped.inject({ method: 'GET', url: '/public' })).statusCode, 200);
      assert.equal((await scoped.inject({ method: 'GET', url: '/api/private' })).statusCode, 401);
      assert.equal((await scoped.inject({ method: 'GET', url: '/api/private', headers: { authorization: `Bearer ${m2m}` } })).statusCode, 200);
      assert.equal((await scoped.inject({ method: 'GET', url: '/employees-only', headers: { authorization: `Bearer ${m2m}` } })).statusCode, 403);
      assert.equal((await scoped.inject({ method: 'GET', url: '/employees-only', headers: { authorization: `Bearer ${h2m}` } })).statusCode, 200);
    } finally {
      await scoped.close();
    }
  });

  test('keys unavailable: 503, the route does not run', async () => {
    const down = Fastify({ logger: false });
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await registerDome(down, { issuer: 'https://verifier.invalid', fetch: failing });
    let ran = false;
    down.get('/x', async () => {
      ran = true;
      return {};
    });
    const res = await down.inject({ method: 'GET', url: '/x', headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error, 'temporarily_unavailable');
    assert.equal(ran, false);
    await down.close();
  });
});

describe('express adapter (structural)', () => {
  function fakeRes() {
    const headers: Record<string, string> = {};
    const out = { statusCode: 200, body: '', headers, ended: false };
    const res: ExpressLikeResponse = {
      get statusCode() {
        return out.statusCode;
      },
      set statusCode(v: number) {
        out.statusCode = v;
      },
      setHeader: (name, value) => {
        headers[name.toLowerCase()] = value;
      },
      end: (body) => {
        out.body = body;
        out.ended = true;
      },
    };
    return { res, out };
  }

  async function run(mw: (req: ExpressLikeRequest, res: ExpressLikeResponse, next: (err?: unknown) => void) => void, req: ExpressLikeRequest) {
    const { res, out } = fakeRes();
    const nextCalls: unknown[][] = [];
    await new Promise<void>((resolve) => {
      const origEnd = res.end;
      res.end = (b) => {
        origEnd(b);
        resolve();
      };
      mw(req, res, (...args: unknown[]) => {
        nextCalls.push(args);
        resolve();
      });
    });
    return { out, nextCalls, req };
  }

  const mw = () => domeExpress({ validator, realm: REALM });

  test('no token: 401 with a challenge without error; next not called', async () => {
    const { out, nextCalls } = await run(mw(), { headers: {}, url: '/api' });
    assert.equal(out.statusCode, 401);
    assert.equal(out.headers['www-authenticate'], `Bearer realm="${REALM}"`);
    assert.equal(out.headers['cache-control'], 'no-store');
    assert.equal(out.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(out.body), { error_description: 'a bearer access token is required' });
    assert.equal(nextCalls.length, 0);
  });

  test('bad token: 401 invalid_token', async () => {
    const { out } = await run(mw(), { headers: { authorization: `Bearer ${tampered()}` } });
    assert.equal(out.statusCode, 401);
    assert.equal(JSON.parse(out.body).error, 'invalid_token');
    assert.match(out.headers['www-authenticate']!, /error="invalid_token"/);
  });

  test('valid token: req.auth set and next() called without error', async () => {
    const { nextCalls, req, out } = await run(mw(), { headers: { authorization: `Bearer ${m2m}` }, originalUrl: '/api/x?y=1', url: '/x?y=1' });
    assert.deepEqual(nextCalls, [[]]);
    assert.equal(out.ended, false);
    assert.deepEqual(summary(req.auth), { kind: 'machine', subject: t.w.machine.did, org: ORG });
  });

  test('originalUrl is checked for a query token (Express rewrites url in routers)', async () => {
    const { out } = await run(mw(), { headers: { authorization: `Bearer ${m2m}` }, originalUrl: `/api/x?access_token=${m2m}`, url: '/x' });
    assert.equal(out.statusCode, 400);
    assert.equal(JSON.parse(out.body).error, 'invalid_request');
  });

  test('requirement in dome() and requirePowerMiddleware: 403 insufficient_scope', async () => {
    const strict = domeExpress({ validator, require: { function: 'ProductOffering', action: 'Create' } });
    const denied = await run(strict, { headers: { authorization: `Bearer ${m2m}` } });
    assert.equal(denied.out.statusCode, 403);
    assert.equal(JSON.parse(denied.out.body).error, 'insufficient_scope');
    const allowed = await run(strict, { headers: { authorization: `Bearer ${h2m}` } });
    assert.deepEqual(allowed.nextCalls, [[]]);

    const ok = await run(mw(), { headers: { authorization: `Bearer ${m2m}` } });
    const perRoute = requirePowerMiddleware({ function: 'Certification', action: 'Attest' }, { realm: REALM });
    const r = await run(perRoute, ok.req);
    assert.equal(r.out.statusCode, 403);
    assert.match(r.out.headers['www-authenticate']!, /^Bearer realm="dome-api", error="insufficient_scope"/);
    const noAuth = await run(perRoute, { headers: {} });
    assert.equal(noAuth.out.statusCode, 401);
    const pass = await run(requirePowerMiddleware({ function: 'Onboarding', action: 'Execute' }), ok.req);
    assert.deepEqual(pass.nextCalls, [[]]);
  });

  test('a predicate that throws a foreign error goes to next(err)', async () => {
    const boom = new Error('boom');
    const { nextCalls } = await run(domeExpress({ validator, require: () => { throw boom; } }), { headers: { authorization: `Bearer ${m2m}` } });
    assert.deepEqual(nextCalls, [[boom]]);
  });

  describe('as Connect middleware on node:http (127.0.0.1)', () => {
    let server: Server;
    let port: number;
    before(async () => {
      const middleware = domeExpress({ validator, realm: REALM });
      server = createServer((req, res) => {
        const r = req as typeof req & ExpressLikeRequest;
        middleware(r, res, (err) => {
          if (err) return void res.writeHead(500).end();
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(summary(r.auth)));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    function get(authorization?: string | string[]): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
      return new Promise((resolve, reject) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: '/resource', method: 'GET' }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        if (authorization !== undefined) req.setHeader('authorization', authorization);
        req.on('error', reject);
        req.end();
      });
    }

    test('200 with a token; 401 without; two Authorization headers: 400 invalid_request', async () => {
      const ok = await get(`Bearer ${h2m}`);
      assert.equal(ok.status, 200, ok.body);
      assert.equal(JSON.parse(ok.body).kind, 'employee');
      const none = await get();
      assert.equal(none.status, 401);
      assert.equal(none.headers['www-authenticate'], `Bearer realm="${REALM}"`);
      const twice = await get([`Bearer ${h2m}`, `Bearer ${m2m}`]);
      assert.equal(twice.status, 400);
      assert.equal(JSON.parse(twice.body).error, 'invalid_request');
    });
  });
});
