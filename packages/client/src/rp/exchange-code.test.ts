import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { exchangeCode, authorizationCodeGrantRequest } from './exchange-code.ts';
import { refresh } from './refresh.ts';
import { OAuthError } from '../oauth-error.ts';
import { TokenRequestError, processTokenResponse, CLIENT_ASSERTION_TYPE } from '../request-token.ts';
import { generateP256Key } from '../keys.ts';
import { fakeFetch, jsonResponse } from '../test-helpers.ts';

const md = { issuer: 'https://verifier.example.org', token_endpoint: 'https://verifier.example.org/oidc/token' };
const NOW = Date.parse('2026-03-01T10:00:00Z');
const rp = generateP256Key();
const CODE = 'Vq5f1Yb1k7w0-authorization-code-0000000000';
const RT = 'refresh-token-value-0000000000000000000000';
const TOKENS = { access_token: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.sig', id_token: 'x.y.z', refresh_token: 'rt2', token_type: 'Bearer', expires_in: 3600 };

test('exchangeCode POSTs grant_type=authorization_code with a private_key_jwt assertion and the PKCE verifier', async () => {
  const f = fakeFetch(() => jsonResponse(TOKENS));
  const tokens = await exchangeCode(md, { clientId: rp.did, key: rp.privateJwk, code: CODE, redirectUri: 'https://rp.example/cb', codeVerifier: 'v'.repeat(43), fetch: f, now: () => NOW });
  assert.deepEqual(tokens, TOKENS);
  const call = f.calls[0]!;
  assert.equal(call.url, md.token_endpoint);
  assert.equal(call.method, 'POST');
  assert.equal(call.headers.get('content-type'), 'application/x-www-form-urlencoded');
  const form = new URLSearchParams(call.body);
  assert.deepEqual([...form.keys()], ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'client_id', 'client_assertion_type', 'client_assertion']);
  assert.equal(form.get('grant_type'), 'authorization_code');
  assert.equal(form.get('code'), CODE);
  assert.equal(form.get('client_id'), rp.did);
  assert.equal(form.get('client_assertion_type'), CLIENT_ASSERTION_TYPE);
  const assertion = form.get('client_assertion')!;
  assert.deepEqual(decodeProtectedHeader(assertion), { alg: 'ES256', typ: 'JWT', kid: rp.did });
  const { payload } = await jwtVerify(assertion, didKeyToKeyObject(rp.did), { currentDate: new Date(NOW), issuer: rp.did, subject: rp.did });
  assert.equal(payload.aud, md.issuer, 'aud is the issuer as a single string');
  assert.equal(payload.exp, NOW / 1000 + 60);
  assert.match(String(payload.jti), /^[0-9a-f-]{36}$/);
});

test('without a key the client is public: client_id only', async () => {
  const f = fakeFetch(() => jsonResponse(TOKENS));
  await exchangeCode(md, { clientId: 'spa-client', code: CODE, redirectUri: 'https://spa.example/cb', codeVerifier: 'v'.repeat(43), fetch: f });
  assert.deepEqual(Object.fromEntries(new URLSearchParams(f.calls[0]!.body)), { grant_type: 'authorization_code', code: CODE, redirect_uri: 'https://spa.example/cb', code_verifier: 'v'.repeat(43), client_id: 'spa-client' });
});

test('an OAuth error is a TokenRequestError (an OAuthError) with the code; the code and assertion are never in the message', async () => {
  const f = fakeFetch((call) => jsonResponse({ error: 'invalid_grant', error_description: `code ${new URLSearchParams(call.body).get('code')} was already used` }, 400));
  await assert.rejects(exchangeCode(md, { clientId: rp.did, key: rp.privateKey, code: CODE, redirectUri: 'https://rp.example/cb', fetch: f }), (e: unknown) => {
    assert.ok(e instanceof TokenRequestError);
    assert.ok(e instanceof OAuthError);
    assert.equal(e.error, 'invalid_grant');
    assert.equal(e.status, 400);
    assert.equal(e.description, 'code [redacted] was already used');
    assert.ok(!e.message.includes(CODE));
    return true;
  });
});

test('request/process pair: the raw Response can be inspected before processing', async () => {
  const f = fakeFetch(() => jsonResponse(TOKENS, 200, { 'cache-control': 'no-store' }));
  const { response, body } = await authorizationCodeGrantRequest(md, { clientId: rp.did, key: rp, code: CODE, redirectUri: 'https://rp.example/cb', fetch: f });
  assert.equal(response.headers.get('cache-control'), 'no-store');
  assert.equal((await processTokenResponse(response, body)).refresh_token, 'rt2');
});

test('refresh POSTs grant_type=refresh_token with client authentication; the refresh token is redacted from errors', async () => {
  const ok = fakeFetch(() => jsonResponse(TOKENS));
  assert.equal((await refresh(md, { clientId: rp.did, key: rp, refreshToken: RT, fetch: ok })).refresh_token, 'rt2');
  const form = new URLSearchParams(ok.calls[0]!.body);
  assert.equal(form.get('grant_type'), 'refresh_token');
  assert.equal(form.get('refresh_token'), RT);
  assert.equal(form.get('client_id'), rp.did);
  assert.ok(form.get('client_assertion'));
  const bad = fakeFetch(() => jsonResponse({ error: 'invalid_grant', error_description: `unknown ${RT}` }, 400));
  await assert.rejects(refresh(md, { clientId: rp.did, key: rp, refreshToken: RT, fetch: bad }), (e: unknown) => e instanceof TokenRequestError && e.error === 'invalid_grant' && !e.message.includes(RT));
  await assert.rejects(refresh(md, { clientId: rp.did, refreshToken: '', fetch: ok }), TypeError);
});
