import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { keyObjectToDidKey } from '@dome-verifier/did-key';
import { fixedClock } from '../ports/clock.ts';
import { FetchError } from '../ports/fetcher.ts';
import { fakeFetch, jsonResponse as json, type FakeAnswer } from '../shared/fake-fetch.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { exportPublicJwk } from '../jose/keys.ts';
import { createDidResolver } from './resolver.ts';
import { didWebUrl } from './did-web-driver.ts';
import { parseDid } from './parse-did.ts';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const rejects = (code: ErrorCode) => (e: unknown) => {
  assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
  assert.equal(e.code, code);
  assert.equal(e.status, 401);
  assert.equal(e.error, 'invalid_client');
  return true;
};
const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const sameKey = (a: KeyObject, b: KeyObject) => assert.deepEqual(exportPublicJwk(a), exportPublicJwk(b));
const didJwk = (jwk: unknown) => `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;

describe('DID URL syntax', () => {
  test('splits method, method-specific id and fragment; refuses paths, queries and empty ids', () => {
    assert.deepEqual(parseDid('did:web:example.com%3A8443:u:alice#key-1'), {
      did: 'did:web:example.com%3A8443:u:alice', method: 'web', id: 'example.com%3A8443:u:alice', fragment: 'key-1', didUrl: 'did:web:example.com%3A8443:u:alice#key-1',
    });
    for (const bad of ['did:web:', 'did:web:a:', 'did:Web:a', 'did::a', 'did:web:a/b', 'did:web:a?x=1', 'urn:x:y', 'did:web:%zz', `did:web:${'a'.repeat(2050)}`, 5]) {
      assert.equal(parseDid(bad), null, String(bad));
    }
  });
});

describe('did:key', () => {
  test('a P-256 did:key resolves to its one verification method did#<multibase>', async () => {
    const { publicKey } = p256();
    const did = keyObjectToDidKey(publicKey);
    const r = createDidResolver();
    const doc = await r.resolve(did);
    assert.deepEqual(doc.didResolutionMetadata, {});
    assert.equal(doc.didDocument?.verificationMethod[0]?.id, `${did}#${did.slice(8)}`);
    const k = await r.resolveKey(did);
    assert.equal(k.vmId, `${did}#${did.slice(8)}`);
    assert.equal(k.controller, did);
    sameKey(k.key, publicKey);
    sameKey((await r.resolveKey(`${did}#${did.slice(8)}`)).key, publicKey);
  });

  test('Ed25519 and P-384 did:keys resolve; secp256k1 is refused as invalid', async () => {
    const r = createDidResolver();
    const ed = await r.resolveKey('did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp');
    assert.equal(ed.key.asymmetricKeyType, 'ed25519');
    const p384 = await r.resolveKey('did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAWBoLVxwBrTfUyqhnBBmgd8Z5YCPTsRK5ZCcMFvfw2o6p');
    assert.equal(p384.key.asymmetricKeyDetails?.namedCurve, 'secp384r1');
    await assert.rejects(r.resolveKey('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'), rejects('ERR_DID_INVALID'));
    const res = await r.resolve('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme');
    assert.equal(res.didDocument, null);
    assert.equal(res.didResolutionMetadata.error, 'invalidDid');
  });

  test('a fragment that names no verification method of the did:key is refused', async () => {
    const did = keyObjectToDidKey(p256().publicKey);
    await assert.rejects(createDidResolver().resolveKey(`${did}#0`), rejects('ERR_DID_KEY_NOT_FOUND'));
  });
});

describe('did:jwk', () => {
  test('resolves to the JWK as its only verification method #0', async () => {
    const { publicKey } = p256();
    const jwk = exportPublicJwk(publicKey);
    const did = didJwk(jwk);
    const r = createDidResolver();
    const k = await r.resolveKey(did);
    assert.equal(k.vmId, `${did}#0`);
    assert.deepEqual(k.jwk, jwk);
    sameKey(k.key, publicKey);
    sameKey((await r.resolveKey(`${did}#0`)).key, publicKey);
    await assert.rejects(r.resolveKey(`${did}#1`), rejects('ERR_DID_KEY_NOT_FOUND'));
    const ed = generateKeyPairSync('ed25519').publicKey;
    sameKey((await r.resolveKey(didJwk(exportPublicJwk(ed)))).key, ed);
  });

  test('refuses a private JWK, an encryption key, a non-JWK and non-base64url ids', async () => {
    const r = createDidResolver();
    const priv = p256().privateKey.export({ format: 'jwk' });
    const pub = exportPublicJwk(p256().publicKey);
    for (const did of [didJwk(priv), didJwk({ ...pub, use: 'enc' }), didJwk({ kty: 'oct', k: 'AAAA' }), didJwk([1]), didJwk({ kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' }), 'did:jwk:eyJ%20', `did:jwk:${Buffer.from('{"kty":"EC","kty":"EC"}').toString('base64url')}`]) {
      await assert.rejects(r.resolveKey(did), rejects('ERR_DID_INVALID'), did);
    }
  });
});

describe('methods', () => {
  test('an unregistered method is unsupported; did:web only when configured; garbage is invalid', async () => {
    const r = createDidResolver();
    assert.deepEqual(r.methods, ['key', 'jwk']);
    await assert.rejects(r.resolveKey('did:ebsi:zabc'), rejects('ERR_DID_UNSUPPORTED_METHOD'));
    await assert.rejects(r.resolveKey('did:web:example.com'), rejects('ERR_DID_UNSUPPORTED_METHOD'));
    await assert.rejects(r.resolveKey('did:elsi:VATES-B60645900'), rejects('ERR_DID_UNSUPPORTED_METHOD'));
    await assert.rejects(r.resolveKey('not a did'), rejects('ERR_DID_INVALID'));
    assert.deepEqual((await r.resolve('did:ebsi:zabc')).didResolutionMetadata.error, 'unsupportedDidMethod');
  });

  test('extra drivers plug into the registry (did-resolver style)', async () => {
    const { publicKey } = p256();
    const jwk = exportPublicJwk(publicKey);
    const r = createDidResolver({ registry: { example: async (p) => ({ id: p.did, verificationMethod: [{ id: `${p.did}#k`, type: 'JsonWebKey2020', controller: p.did, publicKeyJwk: jwk }] }) } });
    assert.deepEqual(r.methods, ['key', 'jwk', 'example']);
    sameKey((await r.resolveKey('did:example:123#k')).key, publicKey);
  });
});

describe('did:web', () => {
  test('maps host, %3A port and path to the document URL', () => {
    const url = (did: string) => didWebUrl(parseDid(did)!);
    assert.equal(url('did:web:example.com'), 'https://example.com/.well-known/did.json');
    assert.equal(url('did:web:Example.COM%3A8443'), 'https://example.com:8443/.well-known/did.json');
    assert.equal(url('did:web:example.com:user:alice'), 'https://example.com/user/alice/did.json');
    assert.equal(url('did:web:w3c-ccg.github.io:caf%C3%A9:alice'), 'https://w3c-ccg.github.io/caf%C3%A9/alice/did.json');
    assert.equal(didWebUrl(parseDid('did:web:127.0.0.1%3A8080')!, 'http'), 'http://127.0.0.1:8080/.well-known/did.json');
  });

  test('refuses traversal, empty segments, bad hosts and ports', async () => {
    const r = createDidResolver({ web: { fetch: fakeFetch(json({})).fetch } });
    for (const did of ['did:web:example.com:..', 'did:web:example.com:%2e%2e', 'did:web:example.com:a%2Fb', 'did:web:example.com::a', 'did:web:exa_mple.com', 'did:web:example.com%3A0', 'did:web:example.com%3A99999', 'did:web:%40evil.com', 'did:web:user%40example.com', 'did:web:example.com%3Ax', 'did:web:example.com:a%20b']) {
      await assert.rejects(r.resolveKey(did), rejects('ERR_DID_INVALID'), did);
    }
  });

  const DID = 'did:web:issuer.example.org';
  const key1 = p256().publicKey;
  const key2 = p256().publicKey;
  const jwk1 = exportPublicJwk(key1);
  const doc = (over: Record<string, unknown> = {}) => ({
    '@context': ['https://www.w3.org/ns/did/v1'],
    id: DID,
    verificationMethod: [{ id: `${DID}#key-1`, type: 'JsonWebKey2020', controller: DID, publicKeyJwk: jwk1 }],
    ...over,
  });
  function setup(...answers: FakeAnswer[]) {
    const clock = fixedClock(T0);
    const f = fakeFetch(...answers);
    const r = createDidResolver({ web: { fetch: f.fetch, timeoutMs: 1234, maxDocumentBytes: 4096 }, cacheTtlMs: 60_000, now: clock.now });
    return { r, clock, requests: f.requests };
  }

  test('fetches the document as an untrusted URL with the timeout and size cap, and finds the JWK method', async () => {
    const { r, requests } = setup(json(doc()));
    const k = await r.resolveKey(`${DID}#key-1`);
    sameKey(k.key, key1);
    assert.equal(k.vmId, `${DID}#key-1`);
    assert.deepEqual(requests, [{ url: 'https://issuer.example.org/.well-known/did.json', purpose: 'untrusted', maxBytes: 4096, timeoutMs: 1234, accept: 'application/did+json, application/json' }]);
    // without a fragment: the only usable method
    sameKey((await r.resolveKey(DID)).key, key1);
  });

  test('relative method ids, embedded assertionMethod entries; several methods need a kid', async () => {
    const jwk2 = exportPublicJwk(key2);
    const { r } = setup(json(doc({
      verificationMethod: [{ id: '#key-1', type: 'JsonWebKey', controller: DID, publicKeyJwk: jwk1 }],
      assertionMethod: ['#key-1', { id: `${DID}#key-2`, type: 'JsonWebKey2020', controller: DID, publicKeyJwk: jwk2 }],
    })));
    sameKey((await r.resolveKey(`${DID}#key-1`)).key, key1);
    sameKey((await r.resolveKey(`${DID}#key-2`)).key, key2);
    await assert.rejects(r.resolveKey(DID), rejects('ERR_DID_KEY_NOT_FOUND'));
    await assert.rejects(r.resolveKey(`${DID}#key-3`), rejects('ERR_DID_KEY_NOT_FOUND'));
  });

  test('uses only public JWK methods controlled by the DID itself', async () => {
    const priv = p256().privateKey.export({ format: 'jwk' });
    const { r } = setup(json(doc({
      verificationMethod: [
        { id: `${DID}#multibase`, type: 'Multikey', controller: DID, publicKeyMultibase: 'zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv' },
        { id: `${DID}#foreign`, type: 'JsonWebKey2020', controller: 'did:web:attacker.example', publicKeyJwk: jwk1 },
        { id: 'did:web:attacker.example#k', type: 'JsonWebKey2020', controller: DID, publicKeyJwk: jwk1 },
        { id: `${DID}#no-controller`, type: 'JsonWebKey2020', publicKeyJwk: jwk1 },
        { id: `${DID}#private`, type: 'JsonWebKey2020', controller: DID, publicKeyJwk: priv },
      ],
    })));
    for (const frag of ['multibase', 'foreign', 'no-controller', 'private']) {
      await assert.rejects(r.resolveKey(`${DID}#${frag}`), rejects('ERR_DID_KEY_NOT_FOUND'), frag);
    }
    await assert.rejects(r.resolveKey(DID), rejects('ERR_DID_KEY_NOT_FOUND'));
  });

  test('a document for another DID, a non-object, or conflicting methods is invalid', async () => {
    for (const body of [
      doc({ id: 'did:web:other.example' }),
      '[1]',
      'not json',
      doc({ verificationMethod: {} }),
      doc({ verificationMethod: [{ type: 'JsonWebKey2020' }] }),
      doc({ verificationMethod: [doc().verificationMethod[0], { ...doc().verificationMethod[0], publicKeyJwk: exportPublicJwk(key2) }] }),
      doc({ verificationMethod: Array.from({ length: 65 }, (_, i) => ({ id: `${DID}#k${i}`, controller: DID, publicKeyJwk: jwk1 })) }),
    ]) {
      const { r } = setup(json(body));
      await assert.rejects(r.resolveKey(`${DID}#key-1`), rejects('ERR_DID_DOCUMENT_INVALID'), JSON.stringify(body).slice(0, 80));
    }
  });

  test('404/410 is not found; transport failures and other statuses are resolution failures (401, not 503)', async () => {
    for (const status of [404, 410]) await assert.rejects(setup(json({}, status)).r.resolveKey(DID), rejects('ERR_DID_NOT_FOUND'));
    for (const a of [json({}, 500), json({}, 503), json({}, 301), new FetchError('timeout', 't'), new FetchError('blocked', 'b'), new FetchError('too_large', 'l'), new FetchError('network', 'n')]) {
      await assert.rejects(setup(a).r.resolveKey(DID), rejects('ERR_DID_RESOLUTION_FAILED'));
    }
  });

  test('caches a document for the TTL, then fetches it again', async () => {
    const { r, clock, requests } = setup(json(doc()));
    await r.resolveKey(DID);
    clock.advance(59_999);
    await r.resolveKey(`${DID}#key-1`);
    assert.equal(requests.length, 1);
    clock.advance(1);
    await r.resolveKey(DID);
    assert.equal(requests.length, 2);
  });

  test('remembers failures only briefly (min(ttl, 10 s)) and never as a document', async () => {
    const { r, clock, requests } = setup(new FetchError('network', 'down'), json(doc()));
    await assert.rejects(r.resolveKey(DID), rejects('ERR_DID_RESOLUTION_FAILED'));
    clock.advance(9_999);
    await assert.rejects(r.resolveKey(DID), rejects('ERR_DID_RESOLUTION_FAILED'));
    assert.equal(requests.length, 1);
    clock.advance(1);
    sameKey((await r.resolveKey(DID)).key, key1);
    assert.equal(requests.length, 2);
  });

  test('concurrent resolutions of one DID share one fetch', async () => {
    let release!: () => void;
    const gate = new Promise<void>((res) => (release = res));
    const { r, requests } = setup(async () => (await gate, json(doc())));
    const all = Promise.all([r.resolveKey(DID), r.resolveKey(`${DID}#key-1`), r.resolve(DID)]);
    release();
    await all;
    assert.equal(requests.length, 1);
  });

  test('the cache is bounded: the oldest DID is evicted first', async () => {
    const clock = fixedClock(T0);
    const f = fakeFetch(() => json(doc({ id: requestsDid(f.requests.at(-1)!.url) })));
    const requestsDid = (url: string) => `did:web:${new URL(url).hostname}`;
    const r = createDidResolver({ web: { fetch: f.fetch }, maxEntries: 2, now: clock.now });
    const dids = ['did:web:a.example', 'did:web:b.example', 'did:web:c.example'];
    for (const d of dids) await r.resolve(d);
    await r.resolve(dids[2]!);
    await r.resolve(dids[1]!);
    assert.equal(f.requests.length, 3);
    await r.resolve(dids[0]!);
    assert.equal(f.requests.length, 4);
  });
});
