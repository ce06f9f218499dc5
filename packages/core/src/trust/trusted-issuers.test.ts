import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';
import { fixedClock } from '../ports/clock.ts';
import { FetchError } from '../ports/fetcher.ts';
import { fakeFetch, jsonResponse as json, type FakeAnswer } from '../shared/fake-fetch.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { createTrustedIssuersRegistry, parseTrustedIssuer } from './trusted-issuers.ts';

const BASE = 'http://til.test/v4/issuers/';
const DID = 'did:elsi:VATES-B60645900';
const T0 = Date.parse('2025-06-01T12:00:00Z');
const TTL = 300_000;
const VALID_FOR = { from: '2025-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };

const NOT_FOUND = json({ title: 'Not Found' }, 404);
const TIL_DOC = tirIssuerDocument(DID, ['LEARCredentialEmployee', 'LEARCredentialMachine'], VALID_FOR);

function setup(options: { negativeTtlMs?: number; timeoutMs?: number } = {}, ...answers: FakeAnswer[]) {
  const clock = fixedClock(T0);
  const f = fakeFetch(...answers);
  const registry = createTrustedIssuersRegistry({ baseUrl: BASE, fetch: f.fetch, ttlMs: TTL, now: clock.now, ...options });
  return { clock, registry, requests: f.requests };
}

const UNAVAILABLE = (e: unknown) => {
  assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
  assert.equal(e.code, 'ERR_TRUST_SERVICE_UNAVAILABLE');
  assert.equal(e.message, 'the Trusted Issuers List is unavailable; try again later');
  assert.equal(e.status, 503);
  return true;
};

describe('parseTrustedIssuer', () => {
  test('decodes the base64 attribute bodies of an EBSI TIR v4 answer', () => {
    const r = parseTrustedIssuer(TIL_DOC, DID);
    assert.equal(r.did, DID);
    assert.deepEqual(r.attributes, [
      { credentialsType: 'LEARCredentialEmployee', validFrom: Date.parse(VALID_FOR.from), validTo: Date.parse(VALID_FOR.to), claims: [] },
      { credentialsType: 'LEARCredentialMachine', validFrom: Date.parse(VALID_FOR.from), validTo: Date.parse(VALID_FOR.to), claims: [] },
    ]);
  });

  test('reads url-safe unpadded attribute bodies too, and keeps claims', () => {
    const body = Buffer.from(JSON.stringify({ credentialsType: 'LEARCredentialMachine', claims: [{ name: 'power', allowedValues: ['Onboarding'] }] })).toString('base64url');
    const r = parseTrustedIssuer({ did: DID, attributes: [{ body }] }, DID);
    assert.deepEqual(r.attributes, [{ credentialsType: 'LEARCredentialMachine', validFrom: undefined, validTo: undefined, claims: [{ name: 'power', allowedValues: ['Onboarding'] }] }]);
  });

  test('skips attributes whose body is not base64 JSON with a string credentialsType', () => {
    const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');
    const r = parseTrustedIssuer({
      attributes: [
        { body: 'not base64!' },
        { body: b64('not json') },
        { body: b64([1]) },
        { body: b64({ credentialsType: 7 }) },
        { hash: 'x' },
        'string',
        { body: b64({ credentialsType: 'LEARCredentialMachine', validFor: { from: 'garbage', to: '' } }) },
      ],
    }, DID);
    assert.deepEqual(r.attributes, [{ credentialsType: 'LEARCredentialMachine', validFrom: undefined, validTo: undefined, claims: [] }]);
  });

  test('falls back to the looked-up DID and to no attributes', () => {
    assert.deepEqual(parseTrustedIssuer({}, DID), { did: DID, attributes: [] });
    assert.deepEqual(parseTrustedIssuer({ did: 5, attributes: {} }, DID), { did: DID, attributes: [] });
  });
});

describe('createTrustedIssuersRegistry', () => {
  test('GETs {trustedIssuersListUrl}{did} as an operator request and parses the record', async () => {
    const { registry, requests } = setup({ timeoutMs: 1234 }, json(TIL_DOC));
    const r = await registry.lookup(DID);
    assert.equal(r?.did, DID);
    assert.deepEqual(r?.attributes.map((a) => a.credentialsType), ['LEARCredentialEmployee', 'LEARCredentialMachine']);
    assert.deepEqual(requests, [{ url: `${BASE}${DID}`, purpose: 'operator', maxBytes: 256 * 1024, timeoutMs: 1234 }]);
  });

  test('answers null for an issuer the list does not know (HTTP 404)', async () => {
    const { registry } = setup({}, NOT_FOUND);
    assert.equal(await registry.lookup(DID), null);
  });

  test('caches a record for the TTL and refetches when it expires', async () => {
    const { registry, requests, clock } = setup({}, json(TIL_DOC), json(tirIssuerDocument(DID, ['LEARCredentialMachine'], VALID_FOR)));
    const first = await registry.lookup(DID);
    clock.advance(TTL - 1);
    assert.equal(await registry.lookup(DID), first);
    assert.equal(requests.length, 1);
    clock.advance(1);
    assert.equal((await registry.lookup(DID))?.attributes.length, 1);
    assert.equal(requests.length, 2);
  });

  test('caches a 404 for a shorter time (default min(ttl, 10 s))', async () => {
    const { registry, requests, clock } = setup({}, NOT_FOUND, json(TIL_DOC));
    assert.equal(await registry.lookup(DID), null);
    clock.advance(9_999);
    assert.equal(await registry.lookup(DID), null);
    assert.equal(requests.length, 1);
    clock.advance(1);
    assert.equal((await registry.lookup(DID))?.did, DID); // newly listed issuer seen after 10 s
    assert.equal(requests.length, 2);
  });

  test('honours a configured negative TTL, and never caches a 404 longer than the TTL', async () => {
    const custom = setup({ negativeTtlMs: 2_000 }, NOT_FOUND);
    await custom.registry.lookup(DID);
    custom.clock.advance(2_000);
    await custom.registry.lookup(DID);
    assert.equal(custom.requests.length, 2);

    const clock = fixedClock(T0);
    const f = fakeFetch(NOT_FOUND);
    const shortTtl = createTrustedIssuersRegistry({ baseUrl: BASE, fetch: f.fetch, ttlMs: 3_000, now: clock.now });
    await shortTtl.lookup(DID);
    clock.advance(3_000);
    await shortTtl.lookup(DID);
    assert.equal(f.requests.length, 2);
  });

  test('fails closed with 503 on HTTP errors other than 404', async () => {
    for (const status of [500, 502, 401, 403, 429, 301]) {
      const { registry } = setup({}, json({ error: 'boom' }, status));
      await assert.rejects(registry.lookup(DID), UNAVAILABLE);
    }
  });

  test('fails closed with 503 on timeouts and network errors, keeping the cause', async () => {
    for (const reason of ['timeout', 'network', 'too_large'] as const) {
      const { registry } = setup({}, new FetchError(reason, reason));
      await assert.rejects(registry.lookup(DID), (e: unknown) => UNAVAILABLE(e) && (e as Error).cause instanceof FetchError);
    }
  });

  test('fails closed with 503 on an answer that is not a JSON object', async () => {
    for (const body of ['<html>', '[]', '']) {
      const { registry } = setup({}, json(body));
      await assert.rejects(registry.lookup(DID), UNAVAILABLE);
    }
  });

  test('fails closed with 503 on a 200 answer without an attributes list (a rate-limit message is not "trusted for nothing"), and does not cache it', async () => {
    for (const body of [{ message: 'rate limited' }, {}, { did: DID }, { did: DID, attributes: null }, { did: DID, attributes: {} }]) {
      const { registry, requests } = setup({}, json(body), json(TIL_DOC));
      await assert.rejects(registry.lookup(DID), (e: unknown) => UNAVAILABLE(e) && /no attributes list/.test(String((e as Error).cause)), JSON.stringify(body));
      assert.equal((await registry.lookup(DID))?.attributes.length, 2, 'the next lookup fetches again');
      assert.equal(requests.length, 2);
    }
  });

  test('an explicit empty attributes list is an answer: the issuer is known and trusted for nothing', async () => {
    const { registry } = setup({}, json({ did: DID, attributes: [] }));
    assert.deepEqual(await registry.lookup(DID), { did: DID, attributes: [] });
  });

  test('does not cache failures: the next lookup fetches again', async () => {
    const { registry, requests } = setup({}, json('', 500), json(TIL_DOC));
    await assert.rejects(registry.lookup(DID), UNAVAILABLE);
    assert.equal((await registry.lookup(DID))?.did, DID);
    assert.equal(requests.length, 2);
  });

  test('shares one fetch between concurrent lookups of the same DID (single flight)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { registry, requests } = setup({}, async () => {
      await gate;
      return json(TIL_DOC);
    });
    const pending = Promise.all([registry.lookup(DID), registry.lookup(DID), registry.lookup(DID)]);
    release();
    const [a, b, c] = await pending;
    assert.equal(requests.length, 1);
    assert.ok(a && a === b && b === c);
  });

  test('shares one failure between concurrent lookups too', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { registry, requests } = setup({}, async () => {
      await gate;
      return json('', 503);
    });
    const pending = Promise.allSettled([registry.lookup(DID), registry.lookup(DID)]);
    release();
    const results = await pending;
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(requests.length, 1);
  });

  test('fetches different DIDs separately', async () => {
    const { registry, requests } = setup({}, json(TIL_DOC), NOT_FOUND);
    await registry.lookup(DID);
    await registry.lookup('did:elsi:VATES-X9999999');
    assert.deepEqual(requests.map((r) => r.url), [`${BASE}${DID}`, `${BASE}did:elsi:VATES-X9999999`]);
  });

  test('answers null without fetching for strings that are not DIDs (no path or query injection)', async () => {
    const { registry, requests } = setup({}, new Error('no fetch expected'));
    for (const bad of [
      '', 'VATES-B60645900', 'did:', 'did:elsi:', 'did:Elsi:VATES-1', 'did:elsi:a/b', 'did:elsi:../../admin', 'did:elsi:x?y=1', 'did:elsi:x#frag',
      'did:elsi:a b', `did:elsi:${'A'.repeat(257)}`, 'did:elsi:VATES\n', 'did:elsi:é',
    ]) {
      assert.equal(await registry.lookup(bad), null, JSON.stringify(bad));
    }
    assert.equal(requests.length, 0);
  });

  test('accepts DID method-specific ids with dots, colons, dashes and percent escapes', async () => {
    const { registry, requests } = setup({}, NOT_FOUND);
    for (const did of ['did:elsi:VATES-B60645900', 'did:web:issuer.example.org:dome', 'did:key:zDnaeTU39Wx9KXgmEwmfXsZSyEVxgCqwCVmoPyVQUTD8bhW8a', 'did:web:host%3A8443']) {
      await registry.lookup(did);
    }
    assert.equal(requests.length, 4);
  });
});

describe('createTrustedIssuersRegistry: the EBSI v3 fallback (fallbackBaseUrl) and presence-only lists', () => {
  const V3 = 'http://til.test/v3/issuers/';
  function fallbackSetup(presenceOnly: boolean, ...answers: FakeAnswer[]) {
    const clock = fixedClock(T0);
    const f = fakeFetch(...answers);
    const registry = createTrustedIssuersRegistry({ baseUrl: BASE, fallbackBaseUrl: V3, presenceOnly, fetch: f.fetch, ttlMs: TTL, now: clock.now });
    return { clock, registry, urls: () => f.requests.map((r) => r.url) };
  }

  test('a v4 answer of 200 is used without asking v3', async () => {
    const { registry, urls } = fallbackSetup(false, json(TIL_DOC));
    assert.equal((await registry.lookup(DID))?.attributes.length, 2);
    assert.deepEqual(urls(), [`${BASE}${DID}`]);
  });

  test('on a v4 transport error or any non-200 answer (404 included) v3 is asked, and its 200 is used', async () => {
    for (const v4 of [new FetchError('network', 'down'), new FetchError('timeout', 'slow'), json({}, 500), json({}, 404), json({}, 403)]) {
      const { registry, urls } = fallbackSetup(false, v4, json(TIL_DOC));
      assert.equal((await registry.lookup(DID))?.attributes.length, 2);
      assert.deepEqual(urls(), [`${BASE}${DID}`, `${V3}${DID}`]);
    }
  });

  test('the issuer is unknown (null, cached briefly) only when v4 and v3 both answer 404', async () => {
    const { registry, urls, clock } = fallbackSetup(false, NOT_FOUND);
    assert.equal(await registry.lookup(DID), null);
    clock.advance(9_999);
    assert.equal(await registry.lookup(DID), null);
    assert.equal(urls().length, 2);
  });

  test('fails closed with 503 when neither version answers 200 and one of them failed (not cached)', async () => {
    for (const [v4, v3] of [[new FetchError('network', 'down'), NOT_FOUND], [NOT_FOUND, json({}, 503)], [json({}, 500), new FetchError('timeout', 't')], [json({ message: 'rate limited' }), NOT_FOUND]] as const) {
      const { registry, urls } = fallbackSetup(false, v4, v3, json(TIL_DOC));
      await assert.rejects(registry.lookup(DID), UNAVAILABLE);
      assert.equal(urls().length, 2);
      assert.equal((await registry.lookup(DID))?.did, DID, 'the next lookup fetches again');
    }
  });

  test('a presence-only list (EBSI trusted participants) takes any 200 as "known", whatever the body', async () => {
    for (const body of ['', '<html>', '{"message":"x"}']) {
      const { registry } = fallbackSetup(true, json(body));
      assert.deepEqual(await registry.lookup(DID), { did: DID, attributes: [] });
    }
    const { registry } = fallbackSetup(true, NOT_FOUND);
    assert.equal(await registry.lookup(DID), null);
  });
});
