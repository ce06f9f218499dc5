import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, SignJWT, type JSONWebKeySet } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { validateIdToken, fetchJwks } from './id-token.ts';
import { OAuthError } from '../oauth-error.ts';
import { fakeFetch, jsonResponse } from '../test-helpers.ts';

const ISSUER = 'https://verifier.example.org';
const md = { issuer: ISSUER, jwks_uri: `${ISSUER}/oidc/jwks` };
const CLIENT = 'did:key:zDnaeRP';
const NOW = Date.parse('2026-03-01T10:00:00Z');
const NOW_S = NOW / 1000;
const KID = 'did:key:zDnaeVerifier';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const jwks: JSONWebKeySet = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, use: 'sig' }] };
const now = () => NOW;

function idToken(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key = privateKey): Promise<string> {
  return new SignJWT({ iss: ISSUER, sub: 'did:key:zDnaeUser', aud: CLIENT, iat: NOW_S, exp: NOW_S + 60, auth_time: NOW_S, acr: '0', nonce: 'n-1', given_name: 'Jane', ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: KID, ...header })
    .sign(key);
}

async function refused(token: Promise<string> | string, pattern: RegExp, extra: { nonce?: string } = { nonce: 'n-1' }): Promise<void> {
  await assert.rejects(validateIdToken(await token, { metadata: md, clientId: CLIENT, jwks, now, ...extra }), (e: unknown) => {
    assert.ok(e instanceof OAuthError, String(e));
    assert.equal(e.error, 'invalid_id_token');
    assert.match(e.message, pattern);
    return true;
  });
}

test('a valid ID token: claims returned; keys from the jwks_uri by default', async () => {
  const f = fakeFetch(() => jsonResponse(jwks));
  const claims = await validateIdToken(await idToken(), { metadata: md, clientId: CLIENT, nonce: 'n-1', now, fetch: f });
  assert.equal(claims.sub, 'did:key:zDnaeUser');
  assert.equal(claims.given_name, 'Jane');
  assert.equal(f.calls.length, 1);
  assert.equal(f.calls[0]?.url, md.jwks_uri);
  // aud as an array containing the client; no nonce expected → a present nonce is fine
  assert.equal((await validateIdToken(await idToken({ aud: [CLIENT] }), { metadata: md, clientId: CLIENT, jwks, now })).nonce, 'n-1');
});

test('signature, kid and algorithm', async () => {
  await refused(idToken({}, {}, other.privateKey), /signature/);
  await refused(idToken({}, { kid: 'unknown' }), /no key/);
  await refused(idToken({}, { kid: undefined }), /no kid/);
  await refused('not-a-jwt', /compact/);
  const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const jwks384: JSONWebKeySet = { keys: [{ ...(await exportJWK(p384.publicKey)), kid: 'k384' }] };
  const t384 = await new SignJWT({ iss: ISSUER, sub: 's', aud: CLIENT, iat: NOW_S, exp: NOW_S + 60 }).setProtectedHeader({ alg: 'ES384', kid: 'k384' }).sign(p384.privateKey);
  await assert.rejects(validateIdToken(t384, { metadata: md, clientId: CLIENT, jwks: jwks384, now }), (e: unknown) => e instanceof OAuthError && /ES256/.test(e.message));
});

test('iss, aud, azp, exp, iat, sub and nonce', async () => {
  await refused(idToken({ iss: 'https://evil.example' }), /iss/);
  await refused(idToken({ aud: 'other-client' }), /aud/);
  await refused(idToken({ aud: [CLIENT, 'other'], azp: 'other' }), /azp/);
  await refused(idToken({ exp: NOW_S - 31 }), /expired/);
  await refused(idToken({ exp: undefined }), /exp/);
  await refused(idToken({ iat: NOW_S + 120, exp: NOW_S + 180 }), /future/);
  await refused(idToken({ sub: undefined }), /sub/);
  await refused(idToken({ nonce: 'replayed' }), /nonce/);
  await refused(idToken({ nonce: undefined }), /no nonce/);
  // within the 30 s tolerance
  await validateIdToken(await idToken({ exp: NOW_S - 10 }), { metadata: md, clientId: CLIENT, jwks, now, nonce: 'n-1' });
});

test('fetchJwks: typed failures', async () => {
  await assert.rejects(fetchJwks(md, { fetch: fakeFetch(() => jsonResponse({ nope: 1 })) }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_jwks');
  await assert.rejects(fetchJwks(md, { fetch: fakeFetch(() => new Response('', { status: 503 })) }), (e: unknown) => e instanceof OAuthError && e.error === 'http_503' && e.status === 503);
  await assert.rejects(fetchJwks({}, {}), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_metadata');
});
