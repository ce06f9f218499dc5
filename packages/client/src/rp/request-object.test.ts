import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { createRequestObject, type CreateRequestObjectOptions } from './request-object.ts';
import { generateP256Key } from '../keys.ts';

const ISSUER = 'https://verifier.example.org';
const NOW = Date.parse('2026-03-01T10:00:00Z');
const k = generateP256Key();
const base = (extra: Partial<CreateRequestObjectOptions> = {}): CreateRequestObjectOptions => ({
  clientId: k.did,
  key: k.privateJwk,
  issuer: ISSUER,
  redirectUri: 'https://rp.example/callback',
  scope: 'openid learcredential',
  state: 'st-1',
  nonce: 'n-1',
  now: () => NOW,
  ...extra,
});

test('signed ES256 with typ oauth-authz-req+jwt and kid = did:key client_id; iss, aud, time claims, jti and the parameters', async () => {
  const jwt = await createRequestObject(base({ codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }));
  assert.deepEqual(decodeProtectedHeader(jwt), { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: k.did });
  const { payload } = await jwtVerify(jwt, didKeyToKeyObject(k.did), { currentDate: new Date(NOW), audience: ISSUER, issuer: k.did, typ: 'oauth-authz-req+jwt' });
  const iat = NOW / 1000;
  assert.deepEqual({ ...payload, jti: undefined }, {
    iss: k.did,
    aud: ISSUER,
    client_id: k.did,
    response_type: 'code',
    redirect_uri: 'https://rp.example/callback',
    scope: 'openid learcredential',
    state: 'st-1',
    nonce: 'n-1',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
    iat,
    nbf: iat,
    exp: iat + 300,
    jti: undefined,
  });
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
});

test('lifetime is bounded to 1..3600 s; kid can be set, and is absent for a non-did client by default; extra claims cannot override', async () => {
  await assert.rejects(createRequestObject(base({ lifetimeSeconds: 3601 })), TypeError);
  await assert.rejects(createRequestObject(base({ lifetimeSeconds: 0 })), TypeError);
  await assert.rejects(createRequestObject(base({ nonce: '' })), TypeError);
  const long = await createRequestObject(base({ lifetimeSeconds: 3600, kid: 'rp-key-1' }));
  assert.equal(decodeProtectedHeader(long).kid, 'rp-key-1');
  const other = await createRequestObject(base({ clientId: 'keycloak-broker', key: k.privateKey, extraClaims: { iss: 'evil', ui_locales: 'es' } }));
  assert.equal(decodeProtectedHeader(other).kid, undefined);
  const { payload } = await jwtVerify(other, didKeyToKeyObject(k.did), { currentDate: new Date(NOW) });
  assert.equal(payload.iss, 'keycloak-broker');
  assert.equal(payload.ui_locales, 'es');
});
