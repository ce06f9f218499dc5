import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { tirIssuerDocument } from '@dome-verifier/dev-issuer';
import { fixedClock } from '../ports/clock.ts';
import { FetchError, type FetchRequest } from '../ports/fetcher.ts';
import { jsonResponse as json, type FakeAnswer } from '../shared/fake-fetch.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { exportPublicJwk } from '../jose/keys.ts';
import { createDidResolver } from '../did/resolver.ts';
import { createTrustRegistries, ebsiIssuersUrl, lookupTrustedIssuer, trustedIssuersListsProblem } from './ebsi-registry.ts';
import { checkTrustedParticipant } from './trusted-participants.ts';

const DID = 'did:web:issuer.example.org';
const T0 = Date.parse('2026-01-01T00:00:00Z');
const VALID_FOR = { from: '2025-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
const DOC = tirIssuerDocument(DID, ['VerifiableCredential', 'UserCredential'], VALID_FOR);
const NOT_FOUND = json({ title: 'Not Found' }, 404);

/** A fake network answering by URL (a function of the request), recording every request. */
function routes(route: (req: FetchRequest) => FakeAnswer) {
  const requests: FetchRequest[] = [];
  const fetch = async (req: FetchRequest) => {
    requests.push(req);
    const a = route(req);
    const r = typeof a === 'function' ? await a() : a;
    if (r instanceof Error) throw r;
    return r;
  };
  return { fetch, requests };
}

function registries(route: (req: FetchRequest) => FakeAnswer) {
  const clock = fixedClock(T0);
  const net = routes(route);
  const trust = createTrustRegistries({ fetch: net.fetch, dids: createDidResolver({ web: { fetch: net.fetch } }), ttlMs: 60_000, now: clock.now });
  return { trust, clock, requests: net.requests, urls: () => net.requests.map((r) => `${r.method ?? 'GET'} ${r.url}`) };
}

const UNAVAILABLE = (e: unknown) => e instanceof VerifierError && e.code === 'ERR_TRUST_SERVICE_UNAVAILABLE' && e.status === 503;
const NOT_TRUSTED = (e: unknown) => e instanceof VerifierError && e.code === 'ERR_PARTICIPANT_NOT_TRUSTED' && e.status === 401 && e.error === 'invalid_client';

describe('EBSI list URLs', () => {
  test('<listUrl>/v4/issuers/ and /v3/issuers/, a trailing slash of the list URL ignored', () => {
    assert.equal(ebsiIssuersUrl('https://til.example', 'v4'), 'https://til.example/v4/issuers/');
    assert.equal(ebsiIssuersUrl('https://til.example/base/', 'v3'), 'https://til.example/base/v3/issuers/');
  });

  test('a trusted issuers list configuration is ["*"] or http(s) URLs, never "*" mixed with URLs', () => {
    assert.equal(trustedIssuersListsProblem(['*']), undefined);
    assert.equal(trustedIssuersListsProblem(['https://a.example', 'http://b.example:8080/til']), undefined);
    assert.match(trustedIssuersListsProblem(['*', 'https://a.example'])!, /"\*" must be the only entry/);
    assert.match(trustedIssuersListsProblem(['file:///etc/passwd'])!, /not an http\(s\) URL/);
    assert.match(trustedIssuersListsProblem([])!, /empty/);
  });
});

describe('lookupTrustedIssuer (EBSI TIL v4 → v3, several lists)', () => {
  test('GETs <list>/v4/issuers/<DID> as an operator request and decodes the attributes', async () => {
    const { trust, requests } = registries(() => json(DOC));
    const r = await lookupTrustedIssuer(['https://til.example'], DID, trust);
    assert.equal(r.status, 'trusted');
    assert.ok(r.status === 'trusted');
    assert.equal(r.listUrl, 'https://til.example');
    assert.deepEqual(r.record.attributes.map((a) => a.credentialsType), ['VerifiableCredential', 'UserCredential']);
    assert.deepEqual(requests.map((q) => [q.url, q.purpose]), [[`https://til.example/v4/issuers/${DID}`, 'operator']]);
  });

  test('falls back to /v3/issuers/<DID> when v4 fails or answers anything but 200', async () => {
    const { trust, urls } = registries((req) => (req.url.includes('/v4/') ? json({}, 500) : json(DOC)));
    assert.equal((await lookupTrustedIssuer(['https://til.example'], DID, trust)).status, 'trusted');
    assert.deepEqual(urls(), [`GET https://til.example/v4/issuers/${DID}`, `GET https://til.example/v3/issuers/${DID}`]);
  });

  test('the first list that answers 200 wins; the lists are not merged', async () => {
    const { trust, urls } = registries((req) => (req.url.startsWith('https://a.example') ? NOT_FOUND : json(DOC)));
    const r = await lookupTrustedIssuer(['https://a.example', 'https://b.example', 'https://c.example'], DID, trust);
    assert.ok(r.status === 'trusted');
    assert.equal(r.listUrl, 'https://b.example');
    assert.equal(urls().filter((u) => u.includes('c.example')).length, 0);
  });

  test('404 in every list (both versions) is "not found", cached briefly', async () => {
    const { trust, requests, clock } = registries(() => NOT_FOUND);
    assert.deepEqual(await lookupTrustedIssuer(['https://a.example', 'https://b.example'], DID, trust), { status: 'notFound' });
    assert.equal(requests.length, 4);
    clock.advance(5_000);
    await lookupTrustedIssuer(['https://a.example', 'https://b.example'], DID, trust);
    assert.equal(requests.length, 4);
  });

  test('a list that is down does not hide a later list that knows the issuer; with no 200 anywhere it is a 503', async () => {
    const down = (req: FetchRequest): FakeAnswer => (req.url.startsWith('https://a.example') ? new FetchError('network', 'down') : json(DOC));
    assert.equal((await lookupTrustedIssuer(['https://a.example', 'https://b.example'], DID, registries(down).trust)).status, 'trusted');
    const { trust } = registries((req) => (req.url.startsWith('https://a.example') ? new FetchError('timeout', 'slow') : NOT_FOUND));
    await assert.rejects(lookupTrustedIssuer(['https://a.example', 'https://b.example'], DID, trust), UNAVAILABLE);
  });

  test('["*"] skips the lookup (wildcard); an invalid configuration is a server error, never "trusted"', async () => {
    const { trust, requests } = registries(() => json(DOC));
    assert.deepEqual(await lookupTrustedIssuer(['*'], DID, trust), { status: 'wildcard' });
    await assert.rejects(lookupTrustedIssuer(['*', 'https://a.example'], DID, trust), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_SERVER');
    assert.equal(requests.length, 0);
  });
});

describe('checkTrustedParticipant', () => {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const X5U = 'https://issuer.example.org/.well-known/x509CertificateChain.pem';
  const didDoc = (x5u: string | undefined = X5U) => json({
    id: DID,
    verificationMethod: [{ id: `${DID}#key-1`, type: 'JsonWebKey2020', controller: DID, publicKeyJwk: { ...exportPublicJwk(key), ...(x5u ? { x5u } : {}) } }],
  });
  const GX = 'https://registry.lab.gaia-x.eu';
  const gxRoute = (registryAnswer: FakeAnswer) => (req: FetchRequest): FakeAnswer => (req.url === 'https://issuer.example.org/.well-known/did.json' ? didDoc() : req.url.startsWith(GX) ? registryAnswer : NOT_FOUND);

  test('no lists configured: nothing to check (spec §7.3)', async () => {
    const { trust, requests } = registries(() => json(DOC));
    assert.equal(await checkTrustedParticipant([], DID, trust), undefined);
    assert.equal(requests.length, 0);
  });

  test('ebsi: a 200 on <list>/v4|v3/issuers/<DID> is enough (the body is not read); a URL string means ebsi', async () => {
    const { trust, urls } = registries((req) => (req.url.includes('/v3/') ? json('not json at all') : json({}, 500)));
    assert.deepEqual(await checkTrustedParticipant(['https://tir.example'], DID, trust), { type: 'ebsi', url: 'https://tir.example' });
    assert.deepEqual(urls(), [`GET https://tir.example/v4/issuers/${DID}`, `GET https://tir.example/v3/issuers/${DID}`]);
    assert.deepEqual(await checkTrustedParticipant([{ type: 'ebsi', url: 'https://tir.example' }], DID, trust), { type: 'ebsi', url: 'https://tir.example' });
  });

  test('ebsi: unknown everywhere is ERR_PARTICIPANT_NOT_TRUSTED (401); unknown somewhere and down elsewhere is 503', async () => {
    await assert.rejects(checkTrustedParticipant(['https://tir.example'], DID, registries(() => NOT_FOUND).trust), NOT_TRUSTED);
    const mixed = registries((req) => (req.url.startsWith('https://a.example') ? NOT_FOUND : new FetchError('network', 'down')));
    await assert.rejects(checkTrustedParticipant(['https://a.example', 'https://b.example'], DID, mixed.trust), UNAVAILABLE);
  });

  test('gaia-x: resolves the did:web, POSTs {"uri": x5u} to <registry>/v2/api/trustAnchor/chain/file; 200 = trusted, cached', async () => {
    const { trust, requests } = registries(gxRoute(json({ result: true })));
    assert.deepEqual(await checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, trust), { type: 'gaia-x', url: GX });
    const post = requests.find((r) => r.method === 'POST');
    assert.deepEqual(post && { url: post.url, purpose: post.purpose, body: post.body, contentType: post.contentType }, {
      url: `${GX}/v2/api/trustAnchor/chain/file`, purpose: 'operator', body: JSON.stringify({ uri: X5U }), contentType: 'application/json',
    });
    await checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, trust);
    assert.equal(requests.filter((r) => r.method === 'POST').length, 1);
  });

  test('gaia-x: a refused chain, no x5u, a DID that is not did:web or does not resolve is not trusted (401)', async () => {
    await assert.rejects(checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, registries(gxRoute(json({}, 409))).trust), NOT_TRUSTED);
    const noX5u = registries((req) => (req.url.startsWith('https://issuer.example.org') ? didDoc('') : json({})));
    await assert.rejects(checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, noX5u.trust), NOT_TRUSTED);
    assert.equal(noX5u.requests.filter((r) => r.method === 'POST').length, 0);
    const jwkDid = `did:jwk:${Buffer.from(JSON.stringify(exportPublicJwk(key))).toString('base64url')}`;
    await assert.rejects(checkTrustedParticipant([{ type: 'gaia-x', url: GX }], jwkDid, registries(() => json({})).trust), NOT_TRUSTED);
    await assert.rejects(checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, registries(() => NOT_FOUND).trust), NOT_TRUSTED);
  });

  test('gaia-x: a registry that is down or answers 5xx is a 503 (fail closed)', async () => {
    for (const a of [new FetchError('timeout', 'slow'), json({}, 502), json({}, 429)]) {
      await assert.rejects(checkTrustedParticipant([{ type: 'gaia-x', url: GX }], DID, registries(gxRoute(a)).trust), UNAVAILABLE);
    }
  });

  test('several lists: the first that trusts wins, across types', async () => {
    const { trust } = registries((req) => (req.url.startsWith('https://tir.example') ? NOT_FOUND : gxRoute(json({}))(req)));
    assert.deepEqual(await checkTrustedParticipant(['https://tir.example', { type: 'gaia-x', url: GX }], DID, trust), { type: 'gaia-x', url: GX });
  });
});
