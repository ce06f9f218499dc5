import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { createVpJwt } from './create-vp-jwt.ts';
import { generateP256Key } from './keys.ts';
import { fakeVcJwt } from './test-helpers.ts';

const NOW = 1_745_481_600_000;

test('VP JWT (kid style): header kid = bare did:key, IN2 claims and vp object, verifies with the did:key', async () => {
  const k = generateP256Key();
  const vc = await fakeVcJwt(k.did);
  const jwt = await createVpJwt({ credentials: [vc], holderKey: k.privateKey, holderDid: k.did, now: () => NOW });
  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'JWT', kid: k.did });
  const { payload } = await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW) });
  assert.equal(payload.iss, k.did);
  assert.equal(payload.sub, k.did);
  assert.equal(payload.iat, NOW / 1000);
  assert.equal(payload.nbf, NOW / 1000);
  assert.equal(payload.exp, NOW / 1000 + 120);
  assert.match(String(payload.jti), /^urn:uuid:[0-9a-f-]{36}$/);
  assert.equal(payload.aud, undefined);
  assert.equal(payload.nonce, undefined);
  const vp = payload.vp as Record<string, unknown>;
  assert.deepEqual(vp['@context'], ['https://www.w3.org/2018/credentials/v1']);
  assert.equal(vp.holder, k.did);
  assert.match(String(vp.id), /^urn:uuid:/);
  assert.deepEqual(vp.type, ['VerifiablePresentation']);
  assert.deepEqual(vp.verifiableCredential, [vc]);
});

test('VP JWT (jwk style): embedded public jwk and no kid; aud, nonce and lifetime are honoured', async () => {
  const k = generateP256Key();
  const jwt = await createVpJwt({
    credentials: [await fakeVcJwt()],
    holderKey: k.privateKey,
    holderDid: k.did,
    headerStyle: 'jwk',
    audience: 'https://verifier.example',
    nonce: 'n-0S6_WzA2Mj',
    lifetimeSeconds: 10,
    now: () => NOW,
  });
  const header = decodeProtectedHeader(jwt);
  assert.equal(header.kid, undefined);
  assert.deepEqual(header.jwk, k.publicJwk);
  assert.equal('d' in (header.jwk as object), false);
  const payload = decodeJwt(jwt);
  assert.equal(payload.aud, 'https://verifier.example');
  assert.equal(payload.nonce, 'n-0S6_WzA2Mj');
  assert.equal(payload.exp, NOW / 1000 + 10);
  await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW) });
});

test('VP JWT requires at least one compact credential', async () => {
  const k = generateP256Key();
  await assert.rejects(createVpJwt({ credentials: [], holderKey: k.privateKey, holderDid: k.did }), TypeError);
  await assert.rejects(createVpJwt({ credentials: ['not-a-jwt'], holderKey: k.privateKey, holderDid: k.did }), TypeError);
});

test('VP JWT can be signed with a WebCrypto CryptoKey (jwk style derives the public key)', async () => {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const k = generateP256Key();
  // the holderDid is only used as kid/iss here; the jwk comes from the CryptoKey itself
  const jwt = await createVpJwt({ credentials: [await fakeVcJwt()], holderKey: pair.privateKey, holderDid: k.did, headerStyle: 'jwk' });
  const jwk = decodeProtectedHeader(jwt).jwk as Record<string, unknown>;
  assert.equal(jwk.kty, 'EC');
  assert.notDeepEqual(jwk, k.publicJwk);
  await jwtVerify(jwt, pair.publicKey);
});

test('VP JWT accepts every key input the RP helpers take (loaded key, JWK, hex); the holder DID defaults to the key\'s did:key', async () => {
  const k = generateP256Key();
  const vc = await fakeVcJwt(k.did);
  const hex = Buffer.from(k.privateJwk.d!, 'base64url').toString('hex');
  for (const holderKey of [k, k.privateJwk, JSON.stringify(k.privateJwk), hex]) {
    const jwt = await createVpJwt({ credentials: [vc], holderKey, now: () => NOW });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'JWT', kid: k.did });
    const { payload } = await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW) });
    assert.equal(payload.iss, k.did);
    assert.equal((payload.vp as Record<string, unknown>).holder, k.did);
  }
});

test('VP JWT with a CryptoKey and no holder DID is refused before signing (no did:key to derive)', async () => {
  const pair = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  await assert.rejects(createVpJwt({ credentials: [await fakeVcJwt()], holderKey: pair.privateKey }), {
    name: 'TypeError',
    message: /holderDid/,
  });
});
