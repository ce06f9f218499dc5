import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifierError } from '../../shared/expect-verifier-error.ts';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { jwkToDidKey } from '@dome-verifier/did-key';
import type { JwsHeader } from '../../jose/jws.ts';
import { jwkThumbprint } from '../../jose/keys.ts';
import { fixedClock } from '../../ports/clock.ts';
import { FetchError, type FetchErrorReason, type FetchResponse } from '../../ports/fetcher.ts';
import { fakeFetch, jsonResponse as json, type FakeAnswer } from '../../shared/fake-fetch.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import { createClientKeyResolver } from './client-keys.ts';
import { createDidResolver } from '../../did/resolver.ts';

interface P256KeyPair {
  did: string;
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  privateJwk: Record<string, string>;
}

/** A machine key as the client SDK makes one (P-256, did:key); node:crypto only. */
function generateP256(): P256KeyPair {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privateJwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: privateJwk.x!, y: privateJwk.y! };
  return { did: jwkToDidKey(publicJwk), publicJwk, privateJwk };
}

const ISSUER = 'https://verifier.test';
const JWKS_URL = 'https://keycloak.example/realms/dome/protocol/openid-connect/certs';
const T0 = Date.parse('2025-06-01T12:00:00Z');
const TTL = 300_000;
const REFETCH = 60_000;

const client = (clientId: string, jwkSetUrl: string | undefined): RegisteredClient => ({
  clientId, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl, tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
});

const jwk = (k: P256KeyPair, extra: Record<string, unknown> = {}) => ({ ...k.publicJwk, ...extra });
const jwks = (...keys: Array<Record<string, unknown>>) => json({ keys });

function setup(...answers: FakeAnswer[]) {
  const clock = fixedClock(T0);
  const f = fakeFetch(...answers);
  const resolver = createClientKeyResolver({ issuer: ISSUER, fetch: f.fetch, ttlMs: TTL, now: clock.now, timeoutMs: 1500 });
  return { clock, resolver, requests: f.requests };
}

const header = (h: Partial<JwsHeader> = {}): JwsHeader => ({ alg: 'ES256', ...h });
const publicOf = (k: P256KeyPair) => JSON.stringify(k.publicJwk);
const sameKey = (key: KeyObject | undefined, k: P256KeyPair) => {
  assert.ok(key, 'expected a key');
  const { kty, crv, x, y } = key.export({ format: 'jwk' });
  assert.equal(JSON.stringify({ kty, crv, x, y }), publicOf(k));
};

async function rejects(p: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(p, verifierError(code, message));
}

describe('createClientKeyResolver: did:key clients', () => {
  const machine = generateP256();
  const other = generateP256();

  test('decodes the key of a did:key client locally, never fetching', async () => {
    const { resolver, requests } = setup(new Error('no fetch expected'));
    for (const kid of [undefined, machine.did, `${machine.did}#${machine.did.slice(8)}`]) {
      const keys = await resolver.keysFor(client(machine.did, 'https://elsewhere.example/jwks'), header(kid === undefined ? {} : { kid }));
      assert.equal(keys.length, 1);
      sameKey(keys[0], machine);
    }
    assert.equal(requests.length, 0);
  });

  test('refuses an assertion kid that is not the client did:key', async () => {
    const { resolver } = setup();
    for (const kid of [other.did, 'key-1', `${other.did}#${machine.did.slice(8)}`]) {
      await rejects(resolver.keysFor(client(machine.did, undefined), header({ kid })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the assertion kid is not the client did:key');
    }
  });

  test('accepts an embedded jwk that is the client did:key, refuses a foreign one', async () => {
    const { resolver } = setup();
    sameKey((await resolver.keysFor(client(machine.did, undefined), header({ jwk: jwk(machine) })))[0], machine);
    await rejects(resolver.keysFor(client(machine.did, undefined), header({ jwk: jwk(other) })), 'ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client did:key');
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey.export({ format: 'jwk' }) as Record<string, unknown>;
    await rejects(resolver.keysFor(client(machine.did, undefined), header({ jwk: p384 })), 'ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client did:key');
  });

  test('refuses a did:key client id that is not a P-256 did:key', async () => {
    const { resolver } = setup();
    for (const did of ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:key:zNotBase58!', 'did:key:']) {
      await rejects(resolver.keysFor(client(did, undefined), header()), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the client did:key is not a valid P-256 did:key');
    }
  });
});

describe('createClientKeyResolver: jwkSetUrl on this verifier (/oidc/did/{did})', () => {
  const machine = generateP256();
  const other = generateP256();

  test('decodes the did:key named by a self jwkSetUrl without an HTTP self-call', async () => {
    const { resolver, requests } = setup(new Error('no fetch expected'));
    const keys = await resolver.keysFor(client('dome-m2m', `${ISSUER}/oidc/did/${machine.did}`), header());
    sameKey(keys[0], machine);
    assert.equal(requests.length, 0);
  });

  test('percent-decodes the did in a self jwkSetUrl', async () => {
    const { resolver } = setup(new Error('no fetch expected'));
    const keys = await resolver.keysFor(client('dome-m2m', `${ISSUER}/oidc/did/${encodeURIComponent(machine.did)}`), header({ kid: machine.did }));
    sameKey(keys[0], machine);
  });

  test('applies the did:key rules to a self jwkSetUrl (kid and embedded jwk must be that did:key)', async () => {
    const { resolver } = setup();
    const c = client('dome-m2m', `${ISSUER}/oidc/did/${machine.did}`);
    await rejects(resolver.keysFor(c, header({ kid: other.did })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the assertion kid is not the client did:key');
    await rejects(resolver.keysFor(c, header({ jwk: jwk(other) })), 'ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client did:key');
  });

  test('refuses a self jwkSetUrl that names no did:key', async () => {
    const { resolver, requests } = setup(new Error('no fetch expected'));
    await rejects(resolver.keysFor(client('dome-m2m', `${ISSUER}/oidc/did/did:web:machine.example`), header()), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the client jwkSetUrl names no did:key');
    assert.equal(requests.length, 0);
  });

  test('treats a look-alike host as remote, not as this verifier', async () => {
    const { resolver, requests } = setup(jwks(jwk(machine)));
    await resolver.keysFor(client('dome-m2m', `${ISSUER}.evil.example/oidc/did/${machine.did}`), header());
    assert.equal(requests.length, 1);
  });

  test('refuses a client that is neither did:key nor has a jwkSetUrl', async () => {
    const { resolver } = setup();
    await rejects(resolver.keysFor(client('dome-issuer', undefined), header()), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the client has no jwkSetUrl');
  });
});

describe('createClientKeyResolver: remote JWKS', () => {
  const a = generateP256();
  const b = generateP256();
  const c = generateP256();
  const remote = client('dome-issuer', JWKS_URL);

  test('fetches the JWKS through the SSRF-guarded fetcher with bounded size and the configured timeout', async () => {
    const { resolver, requests } = setup(jwks(jwk(a, { kid: 'a' })));
    sameKey((await resolver.keysFor(remote, header({ kid: 'a' })))[0], a);
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0], { url: JWKS_URL, purpose: 'untrusted', maxBytes: 64 * 1024, timeoutMs: 1500, accept: 'application/jwk-set+json, application/json' });
  });

  test('caches the JWKS: later assertions within the TTL do not fetch', async () => {
    const { resolver, requests, clock } = setup(jwks(jwk(a, { kid: 'a' }), jwk(b, { kid: 'b' })));
    await resolver.keysFor(remote, header({ kid: 'a' }));
    clock.advance(TTL - 1);
    sameKey((await resolver.keysFor(remote, header({ kid: 'b' })))[0], b);
    assert.equal(requests.length, 1);
  });

  test('refetches once the TTL has passed', async () => {
    const { resolver, requests, clock } = setup(jwks(jwk(a, { kid: 'a' })), jwks(jwk(b, { kid: 'a' })));
    sameKey((await resolver.keysFor(remote, header({ kid: 'a' })))[0], a);
    clock.advance(TTL);
    sameKey((await resolver.keysFor(remote, header({ kid: 'a' })))[0], b);
    assert.equal(requests.length, 2);
  });

  test('shares one fetch between concurrent lookups of the same JWKS', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { resolver, requests } = setup(async () => {
      await gate;
      return jwks(jwk(a, { kid: 'a' }));
    });
    const pending = Promise.all([resolver.keysFor(remote, header({ kid: 'a' })), resolver.keysFor(remote, header({ kid: 'a' }))]);
    release();
    const [k1, k2] = await pending;
    assert.equal(requests.length, 1);
    assert.equal(k1[0], k2[0]);
  });

  test('an unknown kid triggers at most one refetch per 60 s', async () => {
    const { resolver, requests, clock } = setup(jwks(jwk(a, { kid: 'a' })), jwks(jwk(a, { kid: 'a' }), jwk(b, { kid: 'b' })));
    await resolver.keysFor(remote, header({ kid: 'a' }));
    clock.advance(REFETCH - 1);
    await rejects(resolver.keysFor(remote, header({ kid: 'b' })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    assert.equal(requests.length, 1, 'no refetch before 60 s');
    clock.advance(1);
    sameKey((await resolver.keysFor(remote, header({ kid: 'b' })))[0], b); // key rotation picked up
    assert.equal(requests.length, 2);
    clock.advance(REFETCH - 1);
    await rejects(resolver.keysFor(remote, header({ kid: 'zzz' })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    await rejects(resolver.keysFor(remote, header({ kid: 'yyy' })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    assert.equal(requests.length, 2, 'still no refetch: the last one is under 60 s old');
    clock.advance(1);
    await rejects(resolver.keysFor(remote, header({ kid: 'zzz' })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    assert.equal(requests.length, 3);
  });

  test('refuses a JWKS with two keys under the same kid', async () => {
    const { resolver } = setup(jwks(jwk(a, { kid: 'k' }), jwk(b, { kid: 'k' })));
    await rejects(resolver.keysFor(remote, header({ kid: 'k' })), 'ERR_CLIENT_JWKS_INVALID', "the client's JWKS has two keys with the same kid");
  });

  test('returns every usable key (at most five) when the assertion names no kid', async () => {
    const seven = Array.from({ length: 7 }, () => generateP256());
    const { resolver } = setup(jwks(...seven.map((k, i) => jwk(k, { kid: String(i) }))));
    const keys = await resolver.keysFor(remote, header());
    assert.equal(keys.length, 5);
    keys.forEach((k, i) => sameKey(k, seven[i]!));
  });

  test('skips encryption keys, private keys and keys of unsupported types', async () => {
    const { resolver } = setup(jwks(
      jwk(a, { kid: 'enc', use: 'enc' }),
      { ...a.privateJwk, kid: 'priv' },
      { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
      { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', kid: 'broken' },
      'not-a-key' as unknown as Record<string, unknown>,
      jwk(b, { kid: 'sig', use: 'sig' }),
    ));
    const all = await resolver.keysFor(remote, header());
    assert.equal(all.length, 1);
    sameKey(all[0], b);
    for (const kid of ['enc', 'priv', 'oct', 'broken']) {
      await rejects(resolver.keysFor(remote, header({ kid })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    }
  });

  test('considers only the first 50 JWKS entries', async () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ kty: 'oct', k: 'AA', kid: `filler-${i}` }));
    const { resolver } = setup(jwks(...many, jwk(a, { kid: 'late' })));
    await rejects(resolver.keysFor(remote, header({ kid: 'late' })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
  });

  test('an embedded header jwk must be a JWKS key (same RFC 7638 thumbprint); it is never trusted by itself', async () => {
    const { resolver, requests } = setup(jwks(jwk(a, { kid: 'a' }), jwk(b, { kid: 'b' })));
    const keys = await resolver.keysFor(remote, header({ jwk: jwk(b, { kid: 'whatever', alg: 'ES256' }) }));
    assert.equal(keys.length, 1);
    sameKey(keys[0], b);
    await rejects(resolver.keysFor(remote, header({ jwk: jwk(c) })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    await rejects(resolver.keysFor(remote, header({ kid: 'a', jwk: jwk(b) })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'no key in the client JWKS matches the assertion');
    assert.equal(requests.length, 1);
    assert.equal(jwkThumbprint(jwk(b, { kid: 'x' })), jwkThumbprint(b.publicJwk as unknown as Record<string, unknown>));
  });

  test('refuses an embedded jwk that is not a valid key', async () => {
    const { resolver } = setup(jwks(jwk(a, { kid: 'a' })));
    for (const bad of [{ kty: 'oct', k: 'AA' }, { kty: 'EC', crv: 'P-256', x: 'AA' }]) {
      await rejects(resolver.keysFor(remote, header({ jwk: bad })), 'ERR_ASSERTION_HEADER', 'the embedded jwk is not a valid key');
    }
  });
});

describe('createClientKeyResolver: JWKS endpoint failures', () => {
  const a = generateP256();
  const remote = client('dome-issuer', JWKS_URL);
  const UNREACHABLE = ['ERR_CLIENT_JWKS_UNAVAILABLE', "the client's jwkSetUrl is unreachable; try again later"] as const;
  const UNAVAILABLE = ['ERR_CLIENT_JWKS_UNAVAILABLE', "the client's jwkSetUrl is unavailable; try again later"] as const;
  const fetchError = (reason: FetchErrorReason) => new FetchError(reason, `fetch failed: ${reason}`);

  test('a fetch timeout or network failure is temporary (503)', async () => {
    for (const reason of ['timeout', 'network'] as const) {
      const { resolver } = setup(fetchError(reason));
      await rejects(resolver.keysFor(remote, header()), ...UNREACHABLE);
    }
  });

  test('a URL the fetcher refuses (blocked address, bad URL, oversize body) makes the JWKS invalid', async () => {
    for (const reason of ['blocked', 'bad_url', 'too_large'] as const) {
      const { resolver } = setup(fetchError(reason));
      await rejects(resolver.keysFor(remote, header()), 'ERR_CLIENT_JWKS_INVALID', "the client's jwkSetUrl cannot be used");
    }
  });

  test('HTTP 404 (or any other non-200 client error) makes the JWKS invalid', async () => {
    for (const status of [404, 401, 301, 204]) {
      const { resolver } = setup(json({}, status));
      await rejects(resolver.keysFor(remote, header()), 'ERR_CLIENT_JWKS_INVALID', `the client's jwkSetUrl answered HTTP ${status}`);
    }
  });

  test('HTTP 5xx and 429 are temporary (503)', async () => {
    for (const status of [500, 502, 503, 429]) {
      const { resolver } = setup(json({}, status));
      await rejects(resolver.keysFor(remote, header()), ...UNAVAILABLE);
    }
  });

  test('a body that is not a JSON object with a keys array makes the JWKS invalid', async () => {
    const text = (s: string): FetchResponse => ({ status: 200, contentType: 'application/json', body: Buffer.from(s) });
    for (const body of ['<html>', '[]', '"keys"', '{"keys":']) {
      const { resolver } = setup(text(body));
      await rejects(resolver.keysFor(remote, header()), 'ERR_CLIENT_JWKS_INVALID', "the client's jwkSetUrl did not return JSON");
    }
    for (const doc of [{}, { keys: {} }, { keys: 'a' }]) {
      const { resolver } = setup(json(doc));
      await rejects(resolver.keysFor(remote, header()), 'ERR_CLIENT_JWKS_INVALID', "the client's JWKS has no keys array");
    }
  });

  test('failures are not cached: the next assertion fetches again', async () => {
    const { resolver, requests } = setup(json({}, 503), jwks(jwk(a, { kid: 'a' })));
    await rejects(resolver.keysFor(remote, header({ kid: 'a' })), ...UNAVAILABLE);
    sameKey((await resolver.keysFor(remote, header({ kid: 'a' })))[0], a);
    assert.equal(requests.length, 2);
  });

  test('a failed refetch for an unknown kid surfaces the outage', async () => {
    const { resolver, clock } = setup(jwks(jwk(a, { kid: 'a' })), fetchError('timeout'));
    await resolver.keysFor(remote, header({ kid: 'a' }));
    clock.advance(REFETCH);
    await rejects(resolver.keysFor(remote, header({ kid: 'new' })), ...UNREACHABLE);
    sameKey((await resolver.keysFor(remote, header({ kid: 'a' })))[0], a); // the cached JWKS is still served
  });
});

describe('createClientKeyResolver: did:jwk and did:web clients (the DID resolver)', () => {
  const machine = generateP256();
  const other = generateP256();
  const didJwk = `did:jwk:${Buffer.from(JSON.stringify(machine.publicJwk)).toString('base64url')}`;
  const WEB = 'did:web:machine.example.org';
  const webDoc = json({ id: WEB, verificationMethod: [
    { id: `${WEB}#k1`, type: 'JsonWebKey2020', controller: WEB, publicKeyJwk: machine.publicJwk },
    { id: `${WEB}#k2`, type: 'JsonWebKey2020', controller: WEB, publicKeyJwk: other.publicJwk },
  ] });
  function didSetup(...answers: FakeAnswer[]) {
    const f = fakeFetch(...answers);
    const resolver = createClientKeyResolver({ issuer: ISSUER, fetch: f.fetch, ttlMs: TTL, now: fixedClock(T0).now, dids: createDidResolver({ web: { fetch: f.fetch } }) });
    return { resolver, requests: f.requests };
  }

  test('a did:jwk client key comes from the client_id itself (kid absent, the DID, or did#0), never fetched', async () => {
    const { resolver, requests } = didSetup(new Error('no fetch expected'));
    for (const kid of [undefined, didJwk, `${didJwk}#0`]) {
      const keys = await resolver.keysFor(client(didJwk, 'https://elsewhere.example/jwks'), header(kid === undefined ? {} : { kid }));
      assert.equal(keys.length, 1);
      sameKey(keys[0], machine);
    }
    assert.equal(requests.length, 0);
  });

  test('a did:web client key is the verification method its kid names, from the guarded fetch of its DID document', async () => {
    const { resolver, requests } = didSetup(webDoc);
    sameKey((await resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k2` })))[0], other);
    sameKey((await resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k1`, jwk: machine.publicJwk })))[0], machine);
    assert.deepEqual(requests.map((r) => [r.url, r.purpose]), [['https://machine.example.org/.well-known/did.json', 'untrusted']]);
  });

  test('refuses a kid of another DID, an unknown fragment, a foreign embedded jwk and an unresolvable DID', async () => {
    const { resolver } = didSetup(webDoc);
    await rejects(resolver.keysFor(client(WEB, undefined), header({ kid: `${machine.did}` })), 'ERR_ASSERTION_KEY_NOT_FOUND', 'the assertion kid is not a key of the client DID');
    await rejects(resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k9` })), 'ERR_DID_KEY_NOT_FOUND', 'the DID document has no usable verification method with this id');
    await rejects(resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k1`, jwk: other.publicJwk })), 'ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client DID');
    await rejects(resolver.keysFor(client(WEB, undefined), header({})), 'ERR_DID_KEY_NOT_FOUND', 'the DID document has several verification methods; the kid must name one');
    const down = didSetup(new FetchError('timeout', 'slow'));
    await rejects(down.resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k1` })), 'ERR_DID_RESOLUTION_FAILED', 'the did:web document could not be fetched (timeout)');
  });

  test('without a configured resolver, a did:jwk client still works offline and a did:web client is an unsupported method', async () => {
    const { resolver } = setup(new Error('no fetch expected'));
    sameKey((await resolver.keysFor(client(didJwk, undefined), header({})))[0], machine);
    await rejects(resolver.keysFor(client(WEB, undefined), header({ kid: `${WEB}#k1` })), 'ERR_DID_UNSUPPORTED_METHOD', 'the DID method "web" is not supported');
  });
});
