import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { createClientAssertion, encodeVpToken } from './create-client-assertion.ts';
import { createVpJwt } from './create-vp-jwt.ts';
import { generateP256Key } from './keys.ts';
import { fakeVcJwt } from './test-helpers.ts';

const NOW = 1_745_481_600_000;
const AUD = 'https://verifier.dome-marketplace.eu';

async function setup() {
  const k = generateP256Key();
  // Pick a VP whose standard base64 needs padding, so padded and unpadded encodings differ.
  let vpJwt = '';
  const vc = await fakeVcJwt(k.did);
  for (let i = 1; i < 8; i++) {
    vpJwt = await createVpJwt({ credentials: [vc], holderKey: k.privateKey, holderDid: k.did, nonce: 'n'.repeat(i), now: () => NOW });
    if (Buffer.from(vpJwt).toString('base64').endsWith('=')) break;
  }
  return { k, vpJwt };
}

test('client assertion carries iss = sub = client_id, aud as a single string, iat/exp (default 60 s), uuid jti and vp_token; verifies with the did:key', async () => {
  const { k, vpJwt } = await setup();
  const jwt = await createClientAssertion({ clientId: k.did, key: k.privateKey, audience: AUD, vpJwt, now: () => NOW });
  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'JWT', kid: k.did });
  const { payload } = await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW), audience: AUD, issuer: k.did, subject: k.did });
  assert.equal(typeof payload.aud, 'string');
  assert.equal(payload.iat, NOW / 1000);
  assert.equal(payload.exp, NOW / 1000 + 60);
  assert.match(String(payload.jti), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.deepEqual(Object.keys(payload).sort(), ['aud', 'exp', 'iat', 'iss', 'jti', 'sub', 'vp_token']);
});

test('vp_token default encoding is standard base64 WITH padding and decodes back to the VP JWT', async () => {
  const { k, vpJwt } = await setup();
  const jwt = await createClientAssertion({ clientId: k.did, key: k.privateKey, audience: AUD, vpJwt });
  const vpToken = String(decodeJwt(jwt).vp_token);
  assert.equal(vpToken, Buffer.from(vpJwt).toString('base64'));
  assert.match(vpToken, /^[A-Za-z0-9+/]+={1,2}$/);
  assert.equal(vpToken.length % 4, 0);
  assert.equal(Buffer.from(vpToken, 'base64').toString('utf8'), vpJwt);
});

test('vp_token base64url encoding is URL-safe without padding and decodes back; raw is the JWT itself', async () => {
  const { k, vpJwt } = await setup();
  const urlJwt = await createClientAssertion({ clientId: k.did, key: k.privateKey, audience: AUD, vpJwt, vpTokenEncoding: 'base64url' });
  const urlToken = String(decodeJwt(urlJwt).vp_token);
  assert.match(urlToken, /^[A-Za-z0-9_-]+$/);
  assert.equal(Buffer.from(urlToken, 'base64url').toString('utf8'), vpJwt);
  const rawJwt = await createClientAssertion({ clientId: k.did, key: k.privateKey, audience: AUD, vpJwt, vpTokenEncoding: 'raw' });
  assert.equal(decodeJwt(rawJwt).vp_token, vpJwt);
  assert.equal(encodeVpToken(vpJwt, 'raw'), vpJwt);
});

test('client assertion jwk header style embeds the public key without kid; jti, lifetime, ms timestamps and extra claims are honoured', async () => {
  const { k, vpJwt } = await setup();
  const jwt = await createClientAssertion({
    clientId: k.did,
    key: k.privateKey,
    audience: AUD,
    vpJwt,
    headerStyle: 'jwk',
    jti: 'fixed-jti',
    lifetimeSeconds: 10,
    msTimestamps: true,
    extraClaims: { aud: [AUD], custom: 1 },
    now: () => NOW,
  });
  const header = decodeProtectedHeader(jwt);
  assert.equal(header.kid, undefined);
  assert.deepEqual(header.jwk, k.publicJwk);
  const p = decodeJwt(jwt);
  assert.equal(p.jti, 'fixed-jti');
  assert.equal(p.iat, NOW);
  assert.equal(p.exp, NOW + 10_000);
  assert.deepEqual(p.aud, [AUD]);
  assert.equal(p.custom, 1);
});

test('client assertion accepts every key input the RP helpers take (loaded key, JWK, PEM); client_id defaults to the key\'s did:key', async () => {
  const { k, vpJwt } = await setup();
  const pem = k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  for (const key of [k, k.privateJwk, pem]) {
    const jwt = await createClientAssertion({ key, audience: AUD, vpJwt, now: () => NOW });
    assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'JWT', kid: k.did });
    const { payload } = await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW), audience: AUD, issuer: k.did, subject: k.did });
    assert.equal(payload.sub, k.did);
  }
});
