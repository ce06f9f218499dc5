/**
 * Polling an external Credentials Config Service (`verifier.fiware.configRepo.configEndpoint`,
 * spec §6.3 item 2) over real sockets: the CCS is another verifier's configuration API (the DSC
 * points VCVerifier at a CCS the same way), or a loopback stub showing the failure modes. Paging
 * `?pageSize=100&page=<n>`, precedence over static services, the last good set kept on failure.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createFetcher } from '@dome-verifier/core';
import { createRemoteServiceRegistry, parseFiwareService, type FiwareService } from '@dome-verifier/core/fiware';
import { buildFiwareConfigApp, createMetrics } from '@dome-verifier/server';
import { createWorld, type World } from '../support/world.ts';
import { createTrustServiceStub, type TrustServiceStub } from '../support/trust-service-stub.ts';

function service(id: string, type = 'UserCredential'): FiwareService {
  const r = parseFiwareService({ id, defaultOidcScope: 'default', oidcScopes: { default: { credentials: [{ type }] } } });
  assert.ok('service' in r);
  return r.service;
}
const ids = (n: number) => Array.from({ length: n }, (_, i) => `svc-${String(i).padStart(3, '0')}`);

describe('polling an external CCS: another verifier\'s configuration API', () => {
  let ccs: World;
  let ccsApp: FastifyInstance;
  let poller: World;
  before(async () => {
    ccs = await createWorld({ env: { VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true' } });
    for (const id of ids(150)) assert.equal((await ccs.runtime.fiwareConfig!.create(service(id))).ok, true);
    ccsApp = await buildFiwareConfigApp(ccs.runtime, { metrics: createMetrics() });
    await ccsApp.listen({ host: '127.0.0.1', port: 0 });
    const endpoint = `http://127.0.0.1:${(ccsApp.server.address() as AddressInfo).port}/`;
    poller = await createWorld({
      env: {
        VERIFIER_FIWARE_CONFIGREPO_CONFIGENDPOINT: endpoint,
        VERIFIER_FIWARE_CONFIGREPO_UPDATEINTERVALSECONDS: '3600',
        VERIFIER_FIWARE_SERVICES: JSON.stringify([
          { id: 'svc-000', defaultOidcScope: 'd', oidcScopes: { d: { credentials: [{ type: 'StaticCredential' }] } } },
          { id: 'only-static', defaultOidcScope: 'd', oidcScopes: { d: { credentials: [{ type: 'StaticCredential' }] } } },
        ]),
      },
    });
  });
  after(async () => {
    await poller?.close();
    await ccsApp?.close();
    await ccs?.close();
  });

  test('at start-up every page is read (150 services: a full page of 100, then a short one); the CCS wins over a static service with the same id, other static ones stay', async () => {
    const list = await poller.runtime.fiwareServices.list();
    assert.equal(list.length, 151);
    assert.equal((await poller.runtime.fiwareServices.get('svc-149'))?.id, 'svc-149');
    assert.equal((await poller.runtime.fiwareServices.get('svc-000'))?.oidcScopes['default']?.credentials[0]?.type, 'UserCredential');
    assert.equal((await poller.runtime.fiwareServices.get('only-static'))?.oidcScopes['d']?.credentials[0]?.type, 'StaticCredential');
  });

  test('a change at the CCS is served after the next poll', async () => {
    await ccs.runtime.fiwareConfig!.delete('svc-149');
    await ccs.runtime.fiwareConfig!.replace(service('svc-001', 'Changed'));
    const remote = poller.runtime.fiwareServices as unknown as { refresh(): Promise<boolean> };
    assert.equal(await remote.refresh(), true);
    assert.equal(await poller.runtime.fiwareServices.get('svc-149'), undefined);
    assert.equal((await poller.runtime.fiwareServices.get('svc-001'))?.oidcScopes['default']?.credentials[0]?.type, 'Changed');
  });

  test('the CCS unreachable: the poll fails and the last good set is kept', async () => {
    await ccsApp.close();
    const remote = poller.runtime.fiwareServices as unknown as { refresh(): Promise<boolean> };
    assert.equal(await remote.refresh(), false);
    assert.equal((await poller.runtime.fiwareServices.list()).length, 150);
  });
});

describe('polling an external CCS: what it may answer', () => {
  let stub: TrustServiceStub;
  const fetcher = createFetcher({ allowInsecure: false, timeoutMs: 1000 });
  before(async () => {
    stub = await createTrustServiceStub();
  });
  after(async () => {
    fetcher.close();
    await stub.close();
  });

  const registry = (warnings: string[] = []) => createRemoteServiceRegistry({ endpoint: stub.base, fetch: fetcher, seed: [], refreshMs: 0, timeoutMs: 1000, onWarning: (m) => warnings.push(m) });
  const list = (services: unknown[], total = services.length) => JSON.stringify({ total, pageNumber: 0, pageSize: 100, services });

  test('total 0 ends the paging at once; an empty CCS is an empty set', async () => {
    stub.serve('/service', { body: list([]), contentType: 'application/json' });
    stub.resetCounts();
    const r = registry();
    assert.equal(await r.refresh(), true);
    assert.deepEqual(await r.list(), []);
    assert.equal(stub.requests('/service'), 1);
  });

  test('an answer that cannot be used keeps the last good set, and says why without any service body', async () => {
    stub.serve('/service', { body: list([{ id: 'good', defaultOidcScope: 'd', oidcScopes: { d: { credentials: [{ type: 'SecretType' }] } } }]), contentType: 'application/json' });
    const warnings: string[] = [];
    const r = registry(warnings);
    assert.equal(await r.refresh(), true);
    const bad: Array<[string, string | { body: string; status: number }, RegExp]> = [
      ['HTTP 500', { body: '{}', status: 500 }, /HTTP 500/],
      ['not JSON', 'not json', /not JSON/],
      ['not a service list', '{"services":"x"}', /not a service list/],
      ['an invalid service', list([{ id: 'bad', defaultOidcScope: 'missing', oidcScopes: { d: { credentials: [{ type: 'SecretType' }] } } }]), /defaultOidcScope/],
      ['duplicate ids', list([{ id: 'twice', defaultOidcScope: 'd', oidcScopes: { d: { credentials: [{ type: 'T' }] } } }, { id: 'twice', defaultOidcScope: 'd', oidcScopes: { d: { credentials: [{ type: 'T' }] } } }]), /duplicates/],
      ['more services than the limit', list([], 5000), /at most 1000/],
    ];
    for (const [what, body, reason] of bad) {
      stub.serve('/service', typeof body === 'string' ? { body, contentType: 'application/json' } : { ...body, contentType: 'application/json' });
      assert.equal(await r.refresh(), false, what);
      assert.deepEqual((await r.list()).map((s) => s.id), ['good'], what);
      assert.match(warnings.at(-1)!, reason, what);
      assert.doesNotMatch(warnings.at(-1)!, /SecretType/, what);
    }
  });

  test('a CCS that never answers fails the poll within the timeout; the last good set is kept', async () => {
    stub.serve('/service', { body: list([]), contentType: 'application/json' });
    const r = registry();
    assert.equal(await r.refresh(), true);
    stub.setMode('/service', 'hang');
    const started = Date.now();
    assert.equal(await r.refresh(), false);
    assert.ok(Date.now() - started < 5_000);
    stub.setMode('/service', 'ok');
  });
});
