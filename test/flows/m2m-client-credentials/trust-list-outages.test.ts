/**
 * The Trusted Issuers List and the Trusted Services List over real HTTP (the loopback
 * trust-service stub). Every unusable TIL answer — error status, hang, drip, empty or keyless
 * 200, garbage, oversized or deeply nested JSON — fails closed with 503 and is not cached.
 * A Trusted Services List refresh over real HTTP (the loopback trust-service stub) that fails in
 * any way — error status, hang, empty or keyless 200, garbage, an oversized or deeply nested
 * document — keeps the last good list: registered clients keep getting tokens, the refresh
 * finishes within a bounded time, and status() reports the list as stale for readiness.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, ISSUER_DID, TRUST_PATHS, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';
import type { StubMode } from '../../support/trust-service-stub.ts';

describe('the Trusted Services List over HTTP', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ trustOverHttp: true });
  });
  after(() => w.close());

  const failures: StubMode[] = ['500', '503', '429', 'hang', 'drip', 'empty', 'keyless', 'garbage', 'huge', 'deep'];
  test(`a refresh answering ${failures.join(', ')} keeps the last good list and clients keep getting tokens`, async () => {
    assert.equal(w.runtime.clients.status().state, 'ok');
    for (const mode of failures) {
      w.stub!.setMode(TRUST_PATHS.tsl, mode, { dripIntervalMs: 300 });
      try {
        const before = w.stub!.requests(TRUST_PATHS.tsl);
        const t0 = Date.now();
        await w.runtime.clients.refresh();
        assert.ok(Date.now() - t0 < 10_000, `${mode}: the refresh took ${Date.now() - t0} ms`);
        assert.equal(w.stub!.requests(TRUST_PATHS.tsl), before + 1);
        const status = w.runtime.clients.status();
        assert.equal(status.state, 'stale', mode);
        assert.equal(status.clients, 1, mode);
        assert.ok(status.lastError, mode);
        assert.equal((await w.post((await w.tokenRequest()).body)).status, 200, `${mode}: the registered client is still served`);
      } finally {
        w.stub!.setMode(TRUST_PATHS.tsl, 'ok');
      }
    }
    await w.runtime.clients.refresh();
    assert.equal(w.runtime.clients.status().state, 'ok');
  });
});

describe('the Trusted Issuers List over HTTP', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ trustOverHttp: true, env: { VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '60' } });
  });
  after(() => w.close());

  const failures: StubMode[] = ['500', '503', '429', 'hang', 'drip', 'empty', 'keyless', 'garbage', 'huge', 'deep'];
  test(`an issuer lookup answered ${failures.join(', ')} yields 503 and no token; the next lookup asks again and recovers`, async () => {
    const issuerPath = `${TRUST_PATHS.til}${ISSUER_DID}`;
    for (const mode of failures) {
      w.clock.advance(61_000); // past the cached answer
      w.stub!.setMode(issuerPath, mode, { dripIntervalMs: 300 });
      try {
        const t0 = Date.now();
        await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /Trusted Issuers List is unavailable/);
        assert.ok(Date.now() - t0 < 5000, `${mode}: answered after ${Date.now() - t0} ms`);
      } finally {
        w.stub!.setMode(issuerPath, 'ok');
      }
      assert.equal((await w.post((await w.tokenRequest()).body)).status, 200, `${mode}: the failure was not cached`);
    }
  });
});
