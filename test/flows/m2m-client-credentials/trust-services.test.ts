/**
 * Upstream trust services fail closed within a bounded time: a Trusted Issuers List that
 * errors or hangs yields 503 temporarily_unavailable — the only 5xx — and no token; answers are
 * cached with a bounded TTL so a healthy TIL is asked once per issuer per TTL.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

describe('trust services', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ tilOverHttp: true, env: { VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '60' } });
  });
  after(() => w.close());

  test('issuer and mandator lookups are cached: repeated token requests ask the TIL once', async () => {
    const before = w.tilRequests();
    for (let i = 0; i < 5; i++) assert.equal((await w.post((await w.tokenRequest()).body)).status, 200);
    assert.equal(w.tilRequests() - before, 1, 'issuer and mandator are the same DID here: one fetch for all');
  });

  test('a TIL answering 500 fails closed with 503 temporarily_unavailable once the cache expires', async () => {
    w.clock.advance(61_000);
    w.setTil('error');
    try {
      const res = await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /Trusted Issuers List is unavailable/);
      assert.equal(res.headers['retry-after'], '5');
    } finally {
      w.setTil('ok');
    }
  });

  test('a hanging TIL fails closed within the outbound timeout (≤ 5 s)', async () => {
    w.clock.advance(61_000);
    w.setTil('hang');
    try {
      const t0 = Date.now();
      await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /unavailable/);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    } finally {
      w.setTil('ok');
    }
  });

  test('the verifier recovers as soon as the TIL is back', async () => {
    w.clock.advance(61_000);
    assert.equal((await w.post((await w.tokenRequest()).body)).status, 200);
  });
});
