import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { exportPublicJwk, importPublicJwk, jwkThumbprint } from './keys.ts';
import { JoseError, type JoseErrorCode } from './errors.ts';

/** RFC 7638 §3.1 example key and its thumbprint. */
const RFC7638_JWK = {
  kty: 'RSA',
  n:
    '0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw',
  e: 'AQAB',
  alg: 'RS256',
  kid: '2011-04-29',
};
const RFC7638_THUMBPRINT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

const ecJwk = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as Record<string, string>;

function throwsJose(fn: () => unknown, code: JoseErrorCode, message?: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof JoseError, `expected JoseError, got ${String(e)}`);
    assert.equal(e.code, code);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

describe('jwkThumbprint (RFC 7638)', () => {
  test('matches the RFC 7638 §3.1 example vector, ignoring alg and kid', () => {
    assert.equal(jwkThumbprint(RFC7638_JWK), RFC7638_THUMBPRINT);
    assert.equal(jwkThumbprint({ e: RFC7638_JWK.e, n: RFC7638_JWK.n, kty: 'RSA' }), RFC7638_THUMBPRINT);
  });

  test('hashes the required EC members in lexicographic order, whatever their order in the JWK', () => {
    const { x, y } = ecJwk();
    const expected = createHash('sha256').update(`{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`).digest('base64url');
    assert.equal(jwkThumbprint({ y, x, kty: 'EC', crv: 'P-256', use: 'sig', kid: 'k' }), expected);
  });

  test('hashes crv, kty and x of an OKP key', () => {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const expected = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');
    assert.equal(jwkThumbprint(jwk), expected);
  });

  test('refuses unsupported key types (oct, unknown, missing)', () => {
    for (const jwk of [{ kty: 'oct', k: 'c2VjcmV0' }, { kty: 'EC2' }, {}, { kty: 1 }]) {
      throwsJose(() => jwkThumbprint(jwk), 'ERR_JWS_KEY_MISMATCH', 'unsupported JWK key type');
    }
  });

  test('refuses a JWK with a required member missing or not a string', () => {
    const { x } = ecJwk();
    throwsJose(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x }), 'ERR_JWS_MALFORMED', 'JWK member "y" is missing');
    throwsJose(() => jwkThumbprint({ kty: 'EC', crv: 'P-256', x, y: 1 }), 'ERR_JWS_MALFORMED', 'JWK member "y" is missing');
    throwsJose(() => jwkThumbprint({ kty: 'RSA', n: RFC7638_JWK.n }), 'ERR_JWS_MALFORMED', 'JWK member "e" is missing');
  });
});

describe('importPublicJwk', () => {
  test('imports the RFC 7638 RSA key, an EC P-256 key and an Ed25519 key', () => {
    const rsa = importPublicJwk(RFC7638_JWK);
    assert.equal(rsa.type, 'public');
    assert.equal(rsa.asymmetricKeyType, 'rsa');
    assert.equal(rsa.asymmetricKeyDetails?.modulusLength, 2048);
    const ec = importPublicJwk(ecJwk());
    assert.equal(ec.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const ed = importPublicJwk(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    assert.equal(ed.asymmetricKeyType, 'ed25519');
  });

  test('refuses a JWK that carries private members (d, p or k)', () => {
    const priv = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) as Record<string, string>;
    throwsJose(() => importPublicJwk(priv), 'ERR_JWS_KEY_MISMATCH', 'JWK must be a public key');
    throwsJose(() => importPublicJwk({ ...RFC7638_JWK, p: 'AQAB' }), 'ERR_JWS_KEY_MISMATCH', 'JWK must be a public key');
    throwsJose(() => importPublicJwk({ kty: 'oct', k: 'c2VjcmV0' }), 'ERR_JWS_KEY_MISMATCH', 'JWK must be a public key');
    throwsJose(() => importPublicJwk({ ...ecJwk(), d: undefined }), 'ERR_JWS_KEY_MISMATCH', 'JWK must be a public key');
  });

  test('refuses values that are not JSON objects', () => {
    for (const v of [null, undefined, 'jwk', [], 42]) throwsJose(() => importPublicJwk(v), 'ERR_JWS_MALFORMED', 'JWK must be an object');
  });

  test('refuses a point that is not on the curve and a curve the JWK does not support', () => {
    const jwk = ecJwk();
    const bad = { ...jwk, y: Buffer.alloc(32, 1).toString('base64url') };
    throwsJose(() => importPublicJwk(bad), 'ERR_JWS_KEY_MISMATCH', 'JWK is not a valid public key');
    throwsJose(() => importPublicJwk({ ...jwk, crv: 'P-999' }), 'ERR_JWS_KEY_MISMATCH', 'JWK is not a valid public key');
  });

  test('caches imports by thumbprint: an equal key (other object, extra members) yields the same KeyObject', () => {
    const jwk = ecJwk();
    const first = importPublicJwk(jwk);
    assert.equal(importPublicJwk({ ...jwk }), first);
    assert.equal(importPublicJwk({ ...jwk, kid: 'other', use: 'sig', alg: 'ES256' }), first);
    assert.notEqual(importPublicJwk(ecJwk()), first);
  });

  test('does not cache a failed import', () => {
    const jwk = ecJwk();
    const bad = { ...jwk, x: Buffer.alloc(32, 7).toString('base64url') };
    throwsJose(() => importPublicJwk(bad), 'ERR_JWS_KEY_MISMATCH');
    throwsJose(() => importPublicJwk(bad), 'ERR_JWS_KEY_MISMATCH');
  });
});

describe('exportPublicJwk', () => {
  test('exports only the public members of a private or public key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const fromPrivate = exportPublicJwk(privateKey);
    assert.deepEqual(Object.keys(fromPrivate).sort(), ['crv', 'kty', 'x', 'y']);
    assert.deepEqual(fromPrivate, exportPublicJwk(publicKey));
    assert.equal(jwkThumbprint(fromPrivate), jwkThumbprint(publicKey.export({ format: 'jwk' }) as Record<string, unknown>));
  });
});
