/**
 * The FIWARE configuration API (`verifier.fiware.configServer`): FIWARE VCVerifier's built-in
 * Credentials Config Service `/service` API (spec §2.11) on its own listener, over real sockets —
 * every route and status, ProblemDetails bodies, the helm registration job's sequence, bounds,
 * authentication (bearer token, mTLS), and the services reaching the FIWARE surface of another
 * replica through a shared Redis store. Nothing is stored on any rejected request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { createRootCa, createSealCertificate, serialiseDevCertificate, type DevCertificate } from '@dome-verifier/dev-issuer';
import { FIWARE_LIMITS, parseFiwareService, PROBLEM_TYPES } from '@dome-verifier/core/fiware';
import { buildFiwareConfigApp, CONFIG_API_BODY_LIMIT, createMetrics } from '@dome-verifier/server';
import { createRedisStore, type RedisStore } from '@dome-verifier/store-redis';
import { deleteKeys, uniquePrefix, withRedis } from '@dome-verifier/store-redis/testing';
import { createLogger } from '../../packages/server/src/logger.ts';
import { DSC_DATA_SERVICE } from '../../packages/core/src/fiware/dsc-registrations.ts';
import { createWorld, type World, type WorldOptions } from '../support/world.ts';

// The FIWARE Data Space Connector's provider registrations (spec §6.2), as the helm job posts them.
const DATA_SERVICE = DSC_DATA_SERVICE;
const BAE = {
  id: 'bae',
  defaultOidcScope: 'openid learcredential',
  authorizationType: 'FRONTEND_V2',
  oidcScopes: {
    'openid learcredential': {
      credentials: [{ type: 'LegalPersonCredential', trustedIssuersLists: ['*'] }, { type: 'LEARCredentialEmployee', trustedIssuersLists: ['*'] }],
      dcql: { credentials: [{ id: 'lp', format: 'dc+sd-jwt', meta: { vct_values: ['LegalPersonCredential'] } }] },
    },
  },
};
const TOKEN = 'ccs-test-token-0123456789abcdefghijklmnop';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

interface Api {
  world: World;
  app: FastifyInstance;
  base: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  close(): Promise<void>;
}

async function startApi(options: WorldOptions = {}, defaultHeaders: Record<string, string> = {}): Promise<Api> {
  const world = await createWorld({ ...options, env: { VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true', ...options.env } });
  const app = await buildFiwareConfigApp(world.runtime, { metrics: createMetrics(), ...(options.logger && { logger: options.logger }) });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    world,
    app,
    base,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { ...defaultHeaders, ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
        ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async close() {
      await app.close();
      await world.close();
    },
  };
}

/** What the FIWARE surface sees in the store (after the cache), as ids. */
async function storedIds(api: Api): Promise<string[]> {
  await api.world.runtime.fiwareConfig!.refresh();
  return (await api.world.runtime.fiwareConfig!.listStored()).map((s) => s.id);
}

function assertProblem(a: Answer, status: number, type: string, detail?: RegExp): void {
  assert.equal(a.status, status, a.text);
  assert.match(a.headers.get('content-type') ?? '', /^application\/problem\+json(;|$)/);
  assert.equal(a.json.status, status);
  assert.equal(a.json.type, type);
  assert.equal(typeof a.json.title, 'string');
  assert.equal(typeof a.json.detail, 'string');
  if (detail) assert.match(a.json.detail, detail);
}

const normalised = (s: unknown) => {
  const r = parseFiwareService(s);
  assert.ok('service' in r);
  return JSON.parse(JSON.stringify(r.service));
};

describe('FIWARE configuration API: routes', () => {
  let api: Api;
  const lines: string[] = [];
  before(async () => {
    const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(c.toString()), cb()) });
    api = await startApi({ logger: createLogger('info', sink) });
  });
  after(() => api.close());

  test("the helm registration job's sequence: /health answers 200 first, each POST is 201 with Location and the stored service, a second run is 409 for each", async () => {
    const health = await api.call('GET', '/health');
    assert.equal(health.status, 200);
    assert.deepEqual(health.json, { status: 'UP' });
    for (const s of [DATA_SERVICE, BAE]) {
      const created = await api.call('POST', '/service', s, { accept: '*/*' });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.headers.get('location'), `/service/${s.id}`);
      assert.deepEqual(created.json, normalised(s));
    }
    for (const s of [DATA_SERVICE, BAE]) {
      const again = await api.call('POST', '/service', s);
      assertProblem(again, 409, PROBLEM_TYPES.conflict, new RegExp(`"${s.id}" already exists`));
      assert.equal(again.json.title, 'Service already exists');
    }
    assert.deepEqual(await storedIds(api), ['bae', 'data-service']);
  });

  test('a service created through the API is what the FIWARE surface reads (runtime.fiwareServices)', async () => {
    const s = await api.world.runtime.fiwareServices.get('data-service');
    assert.equal(s?.oidcScopes['default']?.credentials[0]?.trustedParticipantsLists[0]?.url, 'https://tir.trust-anchor.example');
    assert.deepEqual((await api.world.runtime.fiwareServices.list()).map((x) => x.id), ['bae', 'data-service']);
  });

  test('a service created through the API is discoverable on the public port: GET /services/{id}/.well-known/openid-configuration', async (t) => {
    const discovery = '/services/:serviceId/.well-known/openid-configuration';
    if (!api.world.app.hasRoute({ method: 'GET', url: discovery })) {
      t.skip('the FIWARE discovery route (fiware-m2m helper) is not on this branch yet; runs once merged');
      return;
    }
    const res = await api.world.app.inject({ method: 'GET', url: '/services/bae/.well-known/openid-configuration' });
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.json().token_endpoint), /\/services\/bae\/token$/);
    assert.equal((await api.world.app.inject({ method: 'GET', url: '/services/not-registered/.well-known/openid-configuration' })).statusCode, 404);
  });

  test('GET /service pages the stored services by id: {total, pageNumber, pageSize, services}', async () => {
    const all = await api.call('GET', '/service');
    assert.equal(all.status, 200);
    assert.deepEqual({ ...all.json, services: all.json.services.map((s: { id: string }) => s.id) }, { total: 2, pageNumber: 0, pageSize: 100, services: ['bae', 'data-service'] });
    const second = await api.call('GET', '/service?page=1&pageSize=1');
    assert.deepEqual({ ...second.json, services: second.json.services.map((s: { id: string }) => s.id) }, { total: 2, pageNumber: 1, pageSize: 1, services: ['data-service'] });
    const beyond = await api.call('GET', '/service?page=5&pageSize=1');
    assert.deepEqual(beyond.json, { total: 2, pageNumber: 5, pageSize: 1, services: [] });
  });

  test('GET /service refuses a pageSize above 100 or below 1 and a page that is not a non-negative integer (400 validation-error)', async () => {
    for (const q of ['pageSize=101', 'pageSize=0', 'pageSize=abc', 'page=-1', 'page=1.5']) {
      assertProblem(await api.call('GET', `/service?${q}`), 400, PROBLEM_TYPES.validation);
    }
  });

  test('GET /service/{id}: 200 with the service, 404 ProblemDetails for an unknown id', async () => {
    const got = await api.call('GET', '/service/bae');
    assert.equal(got.status, 200);
    assert.deepEqual(got.json, normalised(BAE));
    const missing = await api.call('GET', '/service/nope');
    assertProblem(missing, 404, PROBLEM_TYPES.notFound, /"nope"/);
    assert.equal(missing.json.title, 'Service not found');
  });

  test('GET /service/{id}/scope: the credential types of the named scope, of the default scope when omitted; 404 for an unknown scope or service', async () => {
    assert.deepEqual((await api.call('GET', '/service/bae/scope')).json, ['LegalPersonCredential', 'LEARCredentialEmployee']);
    const named = await api.call('GET', `/service/bae/scope?oidcScope=${encodeURIComponent('openid learcredential')}`);
    assert.equal(named.status, 200);
    assert.deepEqual(named.json, ['LegalPersonCredential', 'LEARCredentialEmployee']);
    const unknownScope = await api.call('GET', '/service/bae/scope?oidcScope=other');
    assertProblem(unknownScope, 404, PROBLEM_TYPES.notFound);
    assert.equal(unknownScope.json.title, 'Scope not found');
    assertProblem(await api.call('GET', '/service/nope/scope'), 404, PROBLEM_TYPES.notFound);
  });

  test('PUT /service/{id} replaces the service (the id comes from the path): 200 with it; the FIWARE surface reads the new one', async () => {
    const { id: _id, ...withoutId } = DATA_SERVICE;
    const next = { ...withoutId, oidcScopes: { default: { credentials: [{ type: 'OperatorCredential' }] } } };
    const put = await api.call('PUT', '/service/data-service', next);
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.json, normalised({ ...next, id: 'data-service' }));
    assert.equal((await api.world.runtime.fiwareServices.get('data-service'))?.oidcScopes['default']?.credentials[0]?.type, 'OperatorCredential');
    assert.deepEqual((await api.call('GET', '/service/data-service/scope')).json, ['OperatorCredential']);
  });

  test('PUT refuses an unknown id (404), a body id other than the path id, and an invalid body (400); the stored service is unchanged', async () => {
    const before = (await api.call('GET', '/service/data-service')).json;
    assertProblem(await api.call('PUT', '/service/nope', { ...DATA_SERVICE, id: 'nope' }), 404, PROBLEM_TYPES.notFound);
    assertProblem(await api.call('PUT', '/service/data-service', BAE), 400, PROBLEM_TYPES.validation, /path/);
    assertProblem(await api.call('PUT', '/service/data-service', { ...DATA_SERVICE, defaultOidcScope: 'missing' }), 400, PROBLEM_TYPES.validation, /defaultOidcScope/);
    assert.deepEqual((await api.call('GET', '/service/data-service')).json, before);
    assert.deepEqual(await storedIds(api), ['bae', 'data-service']);
  });

  test("POST refuses what VCVerifier's validation refuses, and our stricter rules, with 400 validation-error ProblemDetails; nothing is stored", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['not JSON', '{"id":', /parse request body/],
      ['a JSON array', '[]', /JSON object/],
      ['no id', { ...DATA_SERVICE, id: undefined }, /'id' is required/],
      ['no defaultOidcScope', { ...DATA_SERVICE, defaultOidcScope: undefined }, /defaultOidcScope/],
      ['a defaultOidcScope that is no scope', { ...DATA_SERVICE, defaultOidcScope: 'other' }, /defaultOidcScope: must name one of oidcScopes/],
      ['no scopes', { ...DATA_SERVICE, id: 'empty', oidcScopes: {} }, /oidcScopes/],
      ['a scope without credentials', { ...DATA_SERVICE, id: 'nocred', oidcScopes: { default: { credentials: [] } } }, /at least one credential/],
      ['a credential without type', { ...DATA_SERVICE, id: 'notype', oidcScopes: { default: { credentials: [{ trustedIssuersLists: ['*'] }] } } }, /type/],
      ['an unknown key', { ...DATA_SERVICE, id: 'typo', oidcScope: {} }, /oidcScope/],
      ['authorizationPath (static-only)', { ...DATA_SERVICE, id: 'path', authorizationPath: '/auth' }, /authorizationPath.*verifier\.fiware\.services/],
      ['allowedOrigins (static-only)', { ...DATA_SERVICE, id: 'origins', allowedOrigins: ['https://a.example'] }, /allowedOrigins/],
      ['an id that is no path segment', { ...DATA_SERVICE, id: 'a/b' }, /id/],
    ];
    const size = api.world.storeSize();
    for (const [what, body, detail] of cases) {
      const a = await api.call('POST', '/service', body);
      assert.equal(a.status, 400, `${what}: ${a.text}`);
      assertProblem(a, 400, PROBLEM_TYPES.validation, detail);
    }
    assert.equal(api.world.storeSize(), size, 'no store entry written');
    assert.deepEqual(await storedIds(api), ['bae', 'data-service']);
  });

  test('a body larger than the cap is refused with 413 ProblemDetails before it is parsed; nothing is stored', async () => {
    const size = api.world.storeSize();
    const big = JSON.stringify({ ...BAE, id: 'big', pad: 'x'.repeat(CONFIG_API_BODY_LIMIT) });
    const a = await api.call('POST', '/service', big);
    assertProblem(a, 413, PROBLEM_TYPES.blank, /exceeds/);
    assert.equal(api.world.storeSize(), size);
    assert.deepEqual(await storedIds(api), ['bae', 'data-service']);
  });

  test('a path that cannot be decoded is a 400 ProblemDetails, not a framework error body', async () => {
    assertProblem(await api.call('PUT', '/service/%ZZ', DATA_SERVICE), 400, PROBLEM_TYPES.validation);
    assertProblem(await api.call('GET', '/service/%E0%A4%A', undefined), 400, PROBLEM_TYPES.validation);
  });

  test('an unknown path or method on this listener is a 404 ProblemDetails', async () => {
    assertProblem(await api.call('GET', '/oidc/token'), 404, PROBLEM_TYPES.blank);
    assertProblem(await api.call('PATCH', '/service/bae', {}), 404, PROBLEM_TYPES.blank);
  });

  test('DELETE /service/{id}: 204, then 404; the FIWARE surface no longer finds it', async () => {
    const del = await api.call('DELETE', '/service/bae');
    assert.equal(del.status, 204);
    assert.equal(del.text, '');
    assertProblem(await api.call('DELETE', '/service/bae'), 404, PROBLEM_TYPES.notFound);
    assert.equal(await api.world.runtime.fiwareServices.get('bae'), undefined);
    assert.deepEqual(await storedIds(api), ['data-service']);
  });

  test('each create, replace and delete is logged at info with the service id only, never the body', () => {
    const changes = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'FIWARE service configuration changed');
    assert.deepEqual(
      changes.map((l) => [l.level, l.change, l.fiwareService]),
      [[30, 'create', 'data-service'], [30, 'create', 'bae'], [30, 'replace', 'data-service'], [30, 'delete', 'bae']],
    );
    const log = lines.join('');
    assert.doesNotMatch(log, /trusted-issuers-list|tir\.trust-anchor|OperatorCredential|LegalPersonCredential/, 'no service body in any log line');
  });

  test('changes are counted in verifier_fiware_service_changes_total', async () => {
    const metrics = createMetrics();
    const app = await buildFiwareConfigApp(api.world.runtime, { metrics });
    const res = await app.inject({ method: 'POST', url: '/service', payload: { ...BAE, id: 'counted' }, headers: { 'content-type': 'application/json' } });
    assert.equal(res.statusCode, 201);
    await app.inject({ method: 'DELETE', url: '/service/counted' });
    const text = await metrics.registry.metrics();
    assert.match(text, /verifier_fiware_service_changes_total\{change="create"\} 1/);
    assert.match(text, /verifier_fiware_service_changes_total\{change="delete"\} 1/);
    await app.close();
  });
});

describe('FIWARE configuration API: precedence over the static services', () => {
  let api: Api;
  before(async () => {
    api = await startApi({ env: { VERIFIER_FIWARE_SERVICES: JSON.stringify([{ ...BAE, id: 'static-one' }]) } });
  });
  after(() => api.close());

  test('a static service is served until the API holds one with its id; deleting that shows the static one again; the API lists only its own', async () => {
    const fiware = api.world.runtime.fiwareServices;
    assert.equal((await fiware.get('static-one'))?.authorizationType, 'FRONTEND_V2');
    assert.deepEqual((await api.call('GET', '/service')).json.total, 0);
    assertProblem(await api.call('PUT', '/service/static-one', { ...DATA_SERVICE, id: undefined }), 404, PROBLEM_TYPES.notFound);
    assert.equal((await api.call('POST', '/service', { ...DATA_SERVICE, id: 'static-one' })).status, 201);
    assert.equal((await fiware.get('static-one'))?.authorizationType, 'DEEPLINK');
    assert.equal((await api.call('DELETE', '/service/static-one')).status, 204);
    assert.equal((await fiware.get('static-one'))?.authorizationType, 'FRONTEND_V2');
  });
});

describe('FIWARE configuration API: at most FIWARE_LIMITS.services services', () => {
  let api: Api;
  before(async () => {
    api = await startApi();
  });
  after(() => api.close());

  test('a create beyond the limit is refused with 422 ProblemDetails (not 409: the registration job would skip it silently); nothing is stored', async () => {
    const registry = api.world.runtime.fiwareConfig!;
    for (let i = 0; i < FIWARE_LIMITS.services; i++) {
      const r = parseFiwareService({ ...BAE, id: `s${String(i).padStart(4, '0')}` });
      assert.ok('service' in r);
      assert.equal((await registry.create(r.service)).ok, true);
    }
    const size = api.world.storeSize();
    const a = await api.call('POST', '/service', { ...BAE, id: 'one-too-many' });
    assertProblem(a, 422, PROBLEM_TYPES.tooMany, /maximum number of services/);
    assert.equal(api.world.storeSize(), size);
    assert.equal((await api.call('GET', '/service?page=9&pageSize=100')).json.services.length, 100);
  });
});

describe('FIWARE configuration API: bearer token', () => {
  let api: Api;
  before(async () => {
    api = await startApi({ env: { VERIFIER_FIWARE_CONFIGSERVER_BEARERTOKEN: TOKEN } });
  });
  after(() => api.close());

  test('without a token: 401 ProblemDetails with WWW-Authenticate: Bearer, and nothing is stored', async () => {
    const a = await api.call('POST', '/service', DATA_SERVICE);
    assertProblem(a, 401, PROBLEM_TYPES.blank);
    assert.equal(a.headers.get('www-authenticate'), 'Bearer');
    assertProblem(await api.call('GET', '/service'), 401, PROBLEM_TYPES.blank);
    assert.equal(api.world.storeSize(), 0, 'nothing written to the store');
    assert.deepEqual(await storedIds(api), []);
  });

  test('with a wrong token (or another scheme): 401 with error="invalid_token"; nothing is stored', async () => {
    for (const authorization of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, `Basic ${Buffer.from(`a:${TOKEN}`).toString('base64')}`, TOKEN]) {
      const a = await api.call('POST', '/service', DATA_SERVICE, { authorization });
      assertProblem(a, 401, PROBLEM_TYPES.blank);
      assert.equal(a.headers.get('www-authenticate'), 'Bearer error="invalid_token"');
    }
    assert.deepEqual(await storedIds(api), []);
  });

  test('with the token: the API answers; /health needs no token (the job\'s wait-for-host container sends none)', async () => {
    assert.equal((await api.call('POST', '/service', DATA_SERVICE, { authorization: `Bearer ${TOKEN}` })).status, 201);
    assert.equal((await api.call('GET', '/service/data-service', undefined, { authorization: `bearer ${TOKEN}` })).status, 200);
    assert.equal((await api.call('GET', '/health')).status, 200);
  });
});

describe('FIWARE configuration API: mTLS', () => {
  let root: DevCertificate;
  let api: Api;
  let client: { cert: string; key: string };
  let rogue: { cert: string; key: string };
  before(async () => {
    root = await createRootCa({ keyAlg: 'ES256', commonName: 'CCS test client CA' });
    const server = serialiseDevCertificate(await createSealCertificate(root, { organizationIdentifier: 'VATES-S0000001', organization: 'CCS Server', country: 'ES', serialNumber: 'S1', keyAlg: 'ES256' }));
    const c = serialiseDevCertificate(await createSealCertificate(root, { organizationIdentifier: 'VATES-C0000001', organization: 'CCS Client', country: 'ES', serialNumber: 'C1', keyAlg: 'ES256' }));
    const otherRoot = await createRootCa({ keyAlg: 'ES256', commonName: 'Other CA' });
    const r = serialiseDevCertificate(await createSealCertificate(otherRoot, { organizationIdentifier: 'VATES-R0000001', organization: 'Rogue', country: 'ES', serialNumber: 'R1', keyAlg: 'ES256' }));
    client = { cert: c.certificatePem, key: c.privateKeyPem };
    rogue = { cert: r.certificatePem, key: r.privateKeyPem };
    api = await startApi({
      env: {
        VERIFIER_FIWARE_CONFIGSERVER_TLSCERT: server.certificatePem,
        VERIFIER_FIWARE_CONFIGSERVER_TLSKEY: server.privateKeyPem,
        VERIFIER_FIWARE_CONFIGSERVER_CLIENTCA: root.certificatePem,
      },
    });
  });
  after(() => api.close());

  const call = (method: string, path: string, body: unknown, tls: { cert?: string; key?: string }) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(`${api.base.replace('http:', 'https:')}${path}`, { method, rejectUnauthorized: false, ...tls, headers: { 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, text }));
      });
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });

  test('a client without a certificate is refused in the TLS handshake; nothing is stored', async () => {
    await assert.rejects(call('POST', '/service', DATA_SERVICE, {}), (e: NodeJS.ErrnoException) => /certificate|alert|ECONNRESET|socket hang up/i.test(`${e.code} ${e.message}`));
    assert.deepEqual(await storedIds(api), []);
  });

  test('a client certificate from another CA is refused; nothing is stored', async () => {
    await assert.rejects(call('POST', '/service', DATA_SERVICE, rogue), (e: NodeJS.ErrnoException) => /certificate|alert|ECONNRESET|socket hang up/i.test(`${e.code} ${e.message}`));
    assert.deepEqual(await storedIds(api), []);
  });

  test('a client certificate signed by clientCa is served', async () => {
    assert.equal((await call('POST', '/service', DATA_SERVICE, client)).status, 201);
    assert.equal((await call('GET', '/service/data-service', undefined, client)).status, 200);
  });
});

withRedis('FIWARE configuration API: two replicas on one Redis store', (url) => {
  const prefix = uniquePrefix('fiware-ccs');
  let store: RedisStore;
  let one: Api;
  let two: World;
  before(async () => {
    store = await createRedisStore({ url, keyPrefix: prefix });
    one = await startApi({ store, env: { VERIFIER_FIWARE_CONFIGSERVER_CACHESECONDS: '1' } });
    two = await createWorld({ store, env: { VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIGSERVER_CACHESECONDS: '1' } });
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await store?.close();
    await deleteKeys(url, prefix);
  });

  test('a service created through one replica\'s API is served by the other replica after its cache TTL; replace and delete follow', async () => {
    assert.equal(await two.runtime.fiwareServices.get('data-service'), undefined);
    assert.equal((await one.call('POST', '/service', DATA_SERVICE)).status, 201);
    two.clock.advance(1_000);
    assert.equal((await two.runtime.fiwareServices.get('data-service'))?.authorizationType, 'DEEPLINK');
    assert.equal((await one.call('PUT', '/service/data-service', { ...DATA_SERVICE, authorizationType: 'FRONTEND_V2' })).status, 200);
    two.clock.advance(1_000);
    assert.equal((await two.runtime.fiwareServices.get('data-service'))?.authorizationType, 'FRONTEND_V2');
    assert.equal((await one.call('DELETE', '/service/data-service')).status, 204);
    two.clock.advance(1_000);
    assert.equal(await two.runtime.fiwareServices.get('data-service'), undefined);
  });

  test('the second replica\'s registry refuses a create of an id the first one stored (409 across replicas)', async () => {
    assert.equal((await one.call('POST', '/service', BAE)).status, 201);
    const r = parseFiwareService(BAE);
    assert.ok('service' in r);
    assert.deepEqual(await two.runtime.fiwareConfig!.create(r.service), { ok: false, reason: 'exists' });
  });
});
