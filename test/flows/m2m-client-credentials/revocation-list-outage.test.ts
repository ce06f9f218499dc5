/**
 * The legacy revoked credential list fails closed over real HTTP (the loopback trust-service
 * stub): only an explicit `revoked_credentials:` list is an answer. An empty body, a mapping
 * without the key, garbage, an oversized or deeply nested document are unusable exactly like an
 * HTTP 500: the last good list is used within its grace (one more TTL), then token requests
 * fail with 503 temporarily_unavailable. A revoked credential never gets a token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, TRUST_PATHS, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';
import type { StubMode } from '../../support/trust-service-stub.ts';

const TTL_S = 60;
const REVOKED_ID = 'urn:uuid:2f6c5a6b-1c1d-4d7e-9b7a-0e0c2b9c0d11';

describe('the revoked credential list over HTTP fails closed', () => {
  let w: World;
  before(async () => {
    w = await createWorld({
      trustOverHttp: true,
      revoked: [REVOKED_ID],
      env: { VERIFIER_BACKEND_CACHE_REVOKEDLISTTTLSECONDS: String(TTL_S), VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '3600' },
    });
  });
  after(() => w.close());

  const setList = (mode: StubMode) => w.stub!.setMode(TRUST_PATHS.revoked, mode, { slowMs: 3000, dripIntervalMs: 300 });
  const revokedRequest = async () => w.post((await w.tokenRequest({ credential: w.issue({ id: REVOKED_ID }) })).body);
  const validRequest = async () => w.post((await w.tokenRequest()).body);
  /** Starts from a freshly loaded good list: past any earlier grace, one good fetch. */
  const freshGoodList = async () => {
    setList('ok');
    w.clock.advance(3 * TTL_S * 1000);
    await expectRejected(w, revokedRequest(), 401, 'invalid_client', /has been revoked/);
  };

  for (const mode of ['empty', 'keyless'] as const) {
    test(`a 200 answer that is ${mode} is not "nothing revoked": the last good list still refuses the revoked credential within its grace`, async () => {
      await freshGoodList();
      setList(mode);
      try {
        w.clock.advance(TTL_S * 1000 + 1000); // stale, within the grace of one more TTL
        const before = w.stub!.requests(TRUST_PATHS.revoked);
        await expectRejected(w, revokedRequest(), 401, 'invalid_client', /has been revoked/);
        assert.ok(w.stub!.requests(TRUST_PATHS.revoked) > before, 'the stale list was refreshed (and the answer refused)');
        assert.equal((await validRequest()).status, 200, 'a credential that is not revoked is still served from the last good list');
      } finally {
        setList('ok');
      }
    });

    test(`a 200 answer that is ${mode} fails closed with 503 once the last good list is past its grace`, async () => {
      await freshGoodList();
      setList(mode);
      try {
        w.clock.advance(2 * TTL_S * 1000 + 1000);
        const res = await expectRejected(w, revokedRequest(), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
        assert.equal(res.headers['retry-after'], '5');
        await expectRejected(w, validRequest(), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
      } finally {
        setList('ok');
      }
    });
  }

  const unusable: StubMode[] = ['500', '503', '429', 'hang', 'slow', 'drip', 'empty', 'keyless', 'garbage', 'huge', 'deep'];
  test(`every unusable answer (${unusable.join(', ')}) yields 503 past the grace, never a token, within a bounded time`, async () => {
    for (const mode of unusable) {
      await freshGoodList();
      setList(mode);
      try {
        w.clock.advance(2 * TTL_S * 1000 + 1000);
        const t0 = Date.now();
        await expectRejected(w, revokedRequest(), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
        assert.ok(Date.now() - t0 < 5000, `${mode}: answered after ${Date.now() - t0} ms`);
      } finally {
        setList('ok');
      }
    }
  });

  test('the verifier recovers as soon as the list answers again', async () => {
    await freshGoodList();
    assert.equal((await validRequest()).status, 200);
  });
});

describe('a revoked credential list that was never usable', () => {
  for (const mode of ['empty', 'keyless'] as const) {
    test(`answering ${mode} from the first load refuses every token request with 503`, async () => {
      const w = await createWorld({ trustOverHttp: true, revoked: [REVOKED_ID] });
      try {
        w.stub!.setMode(TRUST_PATHS.revoked, mode);
        await expectRejected(w, w.post((await w.tokenRequest({ credential: w.issue({ id: REVOKED_ID }) })).body), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
        await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
      } finally {
        await w.close();
      }
    });
  }
});

describe('a hanging revoked credential list', () => {
  test('costs one fetch per token request, not one per id form (urn:uuid: and bare): the stub sees exactly one request', async () => {
    const w = await createWorld({ trustOverHttp: true, revoked: [REVOKED_ID], env: { VERIFIER_BACKEND_CACHE_REVOKEDLISTTTLSECONDS: String(TTL_S), VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '3600' } });
    try {
      const credential = w.issue({ id: 'urn:uuid:0b6f2d4e-5a7c-4e1b-9f3d-2c8a6e4b1d70' });
      assert.equal((await w.post((await w.tokenRequest({ credential })).body)).status, 200);
      w.stub!.setMode(TRUST_PATHS.revoked, 'hang');
      w.clock.advance(TTL_S * 1000 + 1000); // stale: a refresh is due; the last good list is within its grace
      w.stub!.resetCounts();
      const t0 = Date.now();
      const res = await w.post((await w.tokenRequest({ credential })).body);
      assert.equal(res.status, 200, 'served from the last good list once the refresh timed out');
      assert.equal(w.stub!.requests(TRUST_PATHS.revoked), 1, 'one fetch for both id forms');
      assert.ok(Date.now() - t0 < 5000, `answered after ${Date.now() - t0} ms (outbound timeout 1 s)`);
    } finally {
      await w.close();
    }
  });
});

describe('a failing revoked credential list is not re-fetched by every request', () => {
  test('while the list serves a deeply nested document, a burst of token requests fetches and refuses it once per failure TTL; each gets 503 at once', async () => {
    const w = await createWorld({ trustOverHttp: true, revoked: [REVOKED_ID], env: { VERIFIER_BACKEND_CACHE_FAILURETTLSECONDS: '5', VERIFIER_BACKEND_CACHE_TRUSTEDISSUERSTTLSECONDS: '3600' } });
    try {
      w.stub!.setMode(TRUST_PATHS.revoked, 'deep');
      for (let i = 0; i < 10; i++) {
        const t0 = Date.now();
        await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /revoked credential list is unavailable/);
        assert.ok(Date.now() - t0 < 5000, `answered after ${Date.now() - t0} ms`);
      }
      assert.equal(w.stub!.requests(TRUST_PATHS.revoked), 1, 'one fetch within the failure TTL');
      w.stub!.setMode(TRUST_PATHS.revoked, 'ok');
      w.clock.advance(5000);
      assert.equal((await w.post((await w.tokenRequest()).body)).status, 200, 'the first request after the failure TTL fetches again and recovers');
      assert.equal(w.stub!.requests(TRUST_PATHS.revoked), 2);
    } finally {
      await w.close();
    }
  });
});
