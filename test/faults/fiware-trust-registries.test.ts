/**
 * The FIWARE trust registries (EBSI TIL v4 → v3, trusted participants, Gaia-X) over real sockets
 * against the loopback trust-service stub, through the real Fetcher: fallback, outage modes
 * (every one fails closed with 503 within bounded time), and 404 as "not trusted".
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createDidResolver, createFetcher, createTrustRegistries, checkTrustedParticipant, lookupTrustedIssuer, VerifierError } from '@dome-verifier/core';
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';
import { createTrustServiceStub, type StubMode, type TrustServiceStub } from '../support/trust-service-stub.ts';

const DID = 'did:elsi:VATES-B60645900';
const DOC = JSON.stringify(tirIssuerDocument(DID, ['VerifiableCredential', 'LEARCredentialMachine'], { from: '2025-01-01T00:00:00Z', to: '2035-01-01T00:00:00Z' }));
let stub: TrustServiceStub;
const fetch = createFetcher({ allowInsecure: false, timeoutMs: 800 });

before(async () => {
  stub = await createTrustServiceStub();
});
after(async () => {
  fetch.close();
  await stub.close();
});

const fresh = () => createTrustRegistries({ fetch, dids: createDidResolver(), ttlMs: 60_000 });
const UNAVAILABLE = (e: unknown) => e instanceof VerifierError && e.code === 'ERR_TRUST_SERVICE_UNAVAILABLE' && e.status === 503;

describe('EBSI trusted issuers lists over sockets', () => {
  test('v4 answers: the record; v4 failing: the v3 answer', async () => {
    stub.serve(`/til/v4/issuers/${DID}`, { body: DOC, contentType: 'application/json' });
    const r = await lookupTrustedIssuer([stub.url('/til')], DID, fresh());
    assert.equal(r.status, 'trusted');
    stub.remove(`/til/v4/issuers/${DID}`);
    stub.setMode('/til/v4/', '500');
    stub.serve(`/til/v3/issuers/${DID}`, { body: DOC, contentType: 'application/json' });
    stub.resetCounts();
    assert.equal((await lookupTrustedIssuer([stub.url('/til')], DID, fresh())).status, 'trusted');
    assert.equal(stub.requests('/til/v4/'), 1);
    assert.equal(stub.requests('/til/v3/'), 1);
    stub.setMode('/til/v4/', 'ok');
  });

  test('404 on both versions is "not found"', async () => {
    assert.deepEqual(await lookupTrustedIssuer([stub.url('/nobody')], DID, fresh()), { status: 'notFound' });
  });

  for (const mode of ['500', '503', '429', 'hang', 'drip', 'garbage', 'keyless', 'huge', 'deep'] as StubMode[]) {
    test(`a list in mode ${mode} on both versions fails closed with 503 within bounded time`, async () => {
      stub.serve(`/down/v4/issuers/${DID}`, { body: DOC, contentType: 'application/json' });
      stub.serve(`/down/v3/issuers/${DID}`, { body: DOC, contentType: 'application/json' });
      stub.setMode('/down/', mode, { dripIntervalMs: 300 });
      const started = Date.now();
      await assert.rejects(lookupTrustedIssuer([stub.url('/down')], DID, fresh()), UNAVAILABLE);
      assert.ok(Date.now() - started < 5_000);
      stub.setMode('/down/', 'ok');
    });
  }

  test('trusted participants (ebsi): any 200 is enough, even a body that is not a TIL record', async () => {
    stub.serve(`/tir/v4/issuers/${DID}`, { body: 'ok', contentType: 'text/plain' });
    assert.deepEqual(await checkTrustedParticipant([stub.url('/tir')], DID, fresh()), { type: 'ebsi', url: stub.url('/tir') });
    await assert.rejects(checkTrustedParticipant([stub.url('/nobody')], DID, fresh()), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_PARTICIPANT_NOT_TRUSTED' && e.status === 401);
  });
});

describe('the runtime exposes the registries (runtime.trustRegistries, runtime.tokenDeps.dids)', () => {
  test('they use the server fetcher: the demo TIL stub answers the v4 lookup of the world issuer', async () => {
    const { createWorld, ISSUER_DID } = await import('../support/world.ts');
    const w = await createWorld({ trustOverHttp: true });
    try {
      const r = await lookupTrustedIssuer([w.stub!.base], ISSUER_DID, w.runtime.trustRegistries);
      assert.equal(r.status, 'trusted');
      assert.deepEqual(w.runtime.tokenDeps.dids?.methods, ['key', 'jwk', 'web']);
    } finally {
      await w.close();
    }
  });
});
