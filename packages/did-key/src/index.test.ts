import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { decodeDidKey, didKeyToJwk, jwkToDidKey, keyObjectToDidKey, didKeyToKeyObject, stripFragment, DidKeyError, p256PrivateKeyFromScalar } from './index.ts';

// W3C did:key P-256 vectors and the IN2 test identity (dome-verifier-wire.md §9).
const VECTORS = [
  ['did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv', 'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns', 'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM'],
  ['did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169', 'fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI', 'hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU'],
  ['did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup', 'LYMl1xHRsGZLdz-BlH8cWOWb09EhVTDORpX-ST5_Vzs', 'PBOyuQEYllic9u9NMa3iW8p4L91WbNU-hnOsGbXUYcE'],
] as const;

test('decodes the W3C and IN2 P-256 did:key vectors', () => {
  for (const [did, x, y] of VECTORS) {
    assert.deepEqual(didKeyToJwk(did), { kty: 'EC', crv: 'P-256', x, y });
    assert.equal(jwkToDidKey({ kty: 'EC', crv: 'P-256', x, y }), did);
  }
});

test('ignores a #fragment when decoding', () => {
  const [did, x] = VECTORS[0];
  assert.equal(didKeyToJwk(`${did}#${did.slice(8)}`).x, x);
  assert.equal(stripFragment(`${did}#abc`), did);
});

test('round-trips freshly generated keys', () => {
  for (let i = 0; i < 20; i++) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const did = keyObjectToDidKey(privateKey);
    assert.deepEqual(didKeyToKeyObject(did).export({ format: 'jwk' }), publicKey.export({ format: 'jwk' }));
  }
});

test('a raw P-256 scalar gives the private key it came from (public point derived)', () => {
  for (let i = 0; i < 5; i++) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    const key = p256PrivateKeyFromScalar(Buffer.from(jwk.d!, 'base64url'));
    assert.equal(key.type, 'private');
    assert.deepEqual(key.export({ format: 'jwk' }), jwk);
  }
});

test('a zero scalar or one not below the P-256 group order is refused with DidKeyError', () => {
  const n = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
  assert.throws(() => p256PrivateKeyFromScalar(Buffer.alloc(32)), DidKeyError);
  assert.throws(() => p256PrivateKeyFromScalar(n), DidKeyError);
});

test('refuses did:key values of other key types (strict multicodec check)', () => {
  // Ed25519 did:key (multicodec 0xed) — the IN2 decoder would skip the prefix and mis-decode.
  assert.throws(() => didKeyToJwk('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'), DidKeyError);
});

test('refuses malformed did:key strings', () => {
  for (const bad of ['', 'did:web:example.com', 'did:key:', 'did:key:abc', 'did:key:z0OIl', 'did:key:zDnae', `did:key:z${'1'.repeat(200)}`]) {
    assert.throws(() => didKeyToJwk(bad), DidKeyError, bad);
  }
});

// did:key of other key types (W3C did:key test vectors), decoded only by decodeDidKey.
const ED25519_DID = 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp';
const P384_DID = 'did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAWBoLVxwBrTfUyqhnBBmgd8Z5YCPTsRK5ZCcMFvfw2o6p';
const SECP256K1_DID = 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme';

test('decodeDidKey decodes Ed25519, P-256 and P-384 did:keys to public JWKs', () => {
  const ed = decodeDidKey(ED25519_DID);
  assert.equal(ed.kty, 'OKP');
  assert.equal(ed.crv, 'Ed25519');
  assert.equal(Buffer.from(ed.x, 'base64url').length, 32);
  const [p256, x, y] = VECTORS[0];
  assert.deepEqual(decodeDidKey(p256), { kty: 'EC', crv: 'P-256', x, y });
  const p384 = decodeDidKey(P384_DID);
  assert.equal(p384.kty, 'EC');
  assert.equal(p384.crv, 'P-384');
  assert.equal(Buffer.from(p384.x, 'base64url').length, 48);
  // the JWKs import as real keys
  assert.equal(createPublicKey({ key: { ...ed }, format: 'jwk' }).asymmetricKeyType, 'ed25519');
  assert.equal(createPublicKey({ key: { ...p384 }, format: 'jwk' }).asymmetricKeyDetails?.namedCurve, 'secp384r1');
});

test('decodeDidKey refuses secp256k1 and unknown multicodecs; didKeyToJwk stays P-256 only', () => {
  assert.throws(() => decodeDidKey(SECP256K1_DID), DidKeyError);
  assert.throws(() => decodeDidKey('did:key:z1111'), DidKeyError);
  assert.throws(() => didKeyToJwk(ED25519_DID), DidKeyError);
  assert.throws(() => didKeyToJwk(P384_DID), DidKeyError);
});
