import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { createMachineTokenRequest, normaliseCredential } from './machine-token-request.ts';
import { CLIENT_ASSERTION_TYPE } from './request-token.ts';
import { generateP256Key, privateKeyToHex } from './keys.ts';
import { fakeVcJwt } from './test-helpers.ts';

const ISSUER = 'https://verifier.example.org';

test('dialect kid (IN2 issuer): kid = did:key on VP and assertion, vp_token standard padded base64, form body per RFC 7523', async () => {
  const k = generateP256Key();
  const vc = await fakeVcJwt(k.did);
  const r = await createMachineTokenRequest({ issuer: ISSUER, key: k.privateJwk, credential: vc });
  assert.equal(r.tokenEndpoint, `${ISSUER}/oidc/token`);
  assert.equal(r.clientId, k.did);
  assert.deepEqual(Object.fromEntries(r.body), {
    grant_type: 'client_credentials',
    client_id: k.did,
    client_assertion_type: CLIENT_ASSERTION_TYPE,
    client_assertion: r.clientAssertion,
  });
  assert.equal(decodeProtectedHeader(r.clientAssertion).kid, k.did);
  assert.equal(decodeProtectedHeader(r.vpJwt).kid, k.did);
  const { payload } = await jwtVerify(r.clientAssertion, didKeyToKeyObject(k.did), { audience: ISSUER, issuer: k.did, subject: k.did });
  assert.equal(payload.vp_token, Buffer.from(r.vpJwt).toString('base64'));
  const vp = decodeJwt(r.vpJwt).vp as { verifiableCredential: string[] };
  assert.deepEqual(vp.verifiableCredential, [vc]);
  await jwtVerify(r.vpJwt, didKeyToKeyObject(k.did));
});

test('dialect jwk (IN2 Java client SDK): header jwk and no kid on both VP and assertion', async () => {
  const k = generateP256Key();
  const r = await createMachineTokenRequest({ issuer: ISSUER, key: k, credential: await fakeVcJwt(k.did), dialect: 'jwk' });
  for (const jwt of [r.vpJwt, r.clientAssertion]) {
    const h = decodeProtectedHeader(jwt);
    assert.equal(h.kid, undefined);
    assert.deepEqual(h.jwk, k.publicJwk);
  }
  assert.equal(decodeJwt(r.clientAssertion).vp_token, Buffer.from(r.vpJwt).toString('base64'));
});

test('dialect base64url: vp_token is URL-safe base64 without padding and decodes back to the VP', async () => {
  const k = generateP256Key();
  const r = await createMachineTokenRequest({ issuer: ISSUER, key: `0x${privateKeyToHex(k.privateKey)}`, credential: await fakeVcJwt(k.did), dialect: 'base64url', scope: 'machine' });
  const token = String(decodeJwt(r.clientAssertion).vp_token);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.equal(Buffer.from(token, 'base64url').toString(), r.vpJwt);
  assert.equal(r.body.get('scope'), 'machine');
  assert.equal(r.clientId, k.did);
});

test('a base64-encoded credential (standard or URL-safe) is decoded to the compact VC-JWT; other text is refused', async () => {
  const vc = await fakeVcJwt();
  assert.equal(normaliseCredential(vc), vc);
  assert.equal(normaliseCredential(` ${Buffer.from(vc).toString('base64')}\n`), vc);
  assert.equal(normaliseCredential(Buffer.from(vc).toString('base64url')), vc);
  assert.throws(() => normaliseCredential('hello world'), TypeError);
  const k = generateP256Key();
  const r = await createMachineTokenRequest({ issuer: ISSUER, key: k.privateKey, credential: Buffer.from(vc).toString('base64'), clientId: 'custom-client' });
  assert.equal(r.clientId, 'custom-client');
  assert.equal(decodeJwt(r.clientAssertion).iss, 'custom-client');
  assert.equal(decodeJwt(r.vpJwt).iss, k.did);
  assert.deepEqual((decodeJwt(r.vpJwt).vp as { verifiableCredential: string[] }).verifiableCredential, [vc]);
});
