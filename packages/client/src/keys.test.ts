import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { didKeyToJwk } from '@dome-verifier/did-key';
import { generateP256Key, KeyLoadError, loadP256PrivateKey, privateKeyToHex } from './keys.ts';

test('a P-256 key loads to the same did:key from JWK object, JWK JSON, PKCS#8 PEM, SEC1 PEM and hex (with and without 0x)', () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = privateKey.export({ format: 'jwk' }) as Record<string, unknown>;
  const expected = loadP256PrivateKey(privateKey).did;
  assert.match(expected, /^did:key:zDna/);
  const hex = privateKeyToHex(privateKey);
  const inputs: Array<Record<string, unknown> | string> = [
    jwk,
    JSON.stringify(jwk),
    privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    privateKey.export({ format: 'pem', type: 'sec1' }).toString(),
    hex,
    `0x${hex}`,
    { kty: 'EC', crv: 'P-256', d: jwk.d },
  ];
  for (const input of inputs) {
    const loaded = loadP256PrivateKey(input);
    assert.equal(loaded.did, expected);
    assert.deepEqual(loaded.publicJwk, didKeyToJwk(expected));
    assert.equal(loaded.privateKey.type, 'private');
  }
});

test('non-P-256, public-only and garbage key inputs are refused without echoing the input', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
  const pub = generateP256Key().publicJwk;
  const secretLooking = 'zz-not-a-key-SECRET';
  for (const bad of [rsa, p384, pub as unknown as Record<string, unknown>, secretLooking, '{"kty":', '0'.repeat(64)]) {
    assert.throws(
      () => loadP256PrivateKey(bad),
      (e: unknown) => e instanceof KeyLoadError && !e.message.includes('SECRET'),
    );
  }
});

test('generateP256Key returns a private JWK that reloads to the same did', () => {
  const k = generateP256Key();
  assert.equal(typeof k.privateJwk.d, 'string');
  assert.equal(loadP256PrivateKey(k.privateJwk).did, k.did);
});
