/**
 * The OID4VP client library's DEEPLINK discovery (spec §8.2): `GET /api/v1/authorization` with
 * state, nonce, response_type=code, client_id, scope → a 302 to an `openid4vp:` URI (the library
 * requires it), whose `request_uri` (GET) serves the signed request object; the library verifies
 * it against `client_id` and requires `nonce`/`state` to echo its own, `response_type=vp_token`,
 * `response_mode=direct_post`; it reads `dcql_query`. A same-device wallet answering it is
 * redirected with the code to the verifier's own URL (VCVerifier's DEEPLINK callback).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { decodeJws, verifyJws } from '@dome-verifier/core';
import { createH2mWorld, h2mServices, openId4VpQuery, type H2mWorld } from './fiware-h2m-world.ts';

let h: H2mWorld;
before(async () => {
  h = await createH2mWorld();
});
after(() => h.close());

const discovery = (state: string, extra: Record<string, string> = {}) =>
  `/api/v1/authorization?${new URLSearchParams({ state, nonce: `n-${state}`, response_type: 'code', client_id: 'data-service', scope: 'default', ...extra }).toString()}`;

test('DEEPLINK: /api/v1/authorization answers 302 openid4vp://?client_id&request_uri&request_uri_method=get, whose request object verifies against client_id and echoes state and nonce', async () => {
  const res = await h.get(discovery('abcdefgh12345678'));
  assert.equal(res.status, 302, res.body);
  const location = String(res.headers.location);
  // AuthorizationClient: the Location must be an openid4vp URI.
  assert.equal(new URL(location).protocol, 'openid4vp:');
  const q = openId4VpQuery(location);
  assert.deepEqual([...q.keys()], ['client_id', 'request_uri', 'request_uri_method']);
  assert.equal(q.get('client_id'), h.w.runtime.identity.did);
  assert.equal(q.get('request_uri_method'), 'get');
  const requestUri = new URL(q.get('request_uri')!);
  assert.equal(requestUri.origin + requestUri.pathname.replace(/[^/]+$/, ''), `${h.w.issuer}/api/v1/request/`);

  const ro = await fetch(requestUri);
  assert.equal(ro.status, 200);
  assert.match(ro.headers.get('content-type')!, /^text\/plain/);
  const jws = decodeJws(await ro.text(), { maxLength: 65536 });
  verifyJws(jws, didKeyToKeyObject(q.get('client_id')!), { algorithms: ['ES256'] });
  assert.equal(jws.header.typ, 'oauth-authz-req+jwt');
  const c = jws.payload;
  assert.equal(c.client_id, q.get('client_id'));
  assert.equal(c.iss, q.get('client_id'));
  assert.equal(c.state, 'abcdefgh12345678');
  assert.equal(c.nonce, 'n-abcdefgh12345678');
  assert.equal(c.response_type, 'vp_token');
  assert.equal(c.response_mode, 'direct_post');
  assert.equal(c.response_uri, `${h.w.issuer}/api/v1/authentication_response`);
  assert.deepEqual(c.dcql_query, (h2mServices(h.til.base)[0] as { oidcScopes: { default: { dcql: unknown } } }).oidcScopes.default.dcql);
  assert.equal(c.scope, undefined, 'no scope claim, as VCVerifier');
  assert.ok((c.exp as number) - (c.iat as number) <= 30, 'short exp');
  assert.equal((await fetch(requestUri)).status, 404, 'the request object is handed out once');
});

test('DEEPLINK: the wallet answering the request object is redirected with state, code and nonce to the verifier URL, and the code is redeemed with that redirect_uri', async () => {
  const res = await h.get(discovery('deeplink-state-2'));
  const answer = await h.wallet(String(res.headers.location));
  assert.equal(answer.status, 302, JSON.stringify(answer.json));
  const back = new URL(answer.location!);
  assert.equal(back.origin, h.w.issuer);
  assert.equal(back.searchParams.get('state'), 'deeplink-state-2');
  assert.equal(back.searchParams.get('nonce'), 'n-deeplink-state-2');
  const code = back.searchParams.get('code')!;
  const token = await h.postForm('/services/data-service/token', { grant_type: 'authorization_code', code, redirect_uri: h.w.issuer });
  assert.equal(token.status, 200, JSON.stringify(token.json));
  assert.equal(token.json.token_type, 'Bearer');
  assert.equal(token.json.id_token, token.json.access_token);
  const claims = JSON.parse(Buffer.from(String(token.json.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
  assert.deepEqual(claims.aud, ['data-service']);
  assert.equal(claims.sub, h.user.did);
  assert.equal(claims.nonce, 'n-deeplink-state-2');
  assert.equal((claims.verifiableCredential as { type: string[] }).type.includes('LEARCredentialEmployee'), true);
});

for (const [rule, query, error, code] of [
  ['an unknown service', { client_id: 'nope' }, 'invalid_request', 'ERR_FIWARE_LOGIN_SERVICE_UNKNOWN'],
  ['a scope the service does not have', { scope: 'other' }, 'invalid_scope', 'ERR_FIWARE_LOGIN_SCOPE'],
  ['a service without authorizationType', { client_id: 'no-type' }, 'invalid_request', 'ERR_FIWARE_LOGIN_TYPE'],
  ['a redirect_uri for a service that lists no redirectUris (open redirect)', { redirect_uri: 'https://attacker.example/cb' }, 'invalid_request', 'ERR_FIWARE_LOGIN_REDIRECT_URI'],
  ['a missing state', { state: '' }, 'invalid_request', 'ERR_FIWARE_LOGIN_PARAMETER'],
  ['a response_type other than code', { response_type: 'token' }, 'invalid_request', 'ERR_FIWARE_LOGIN_PARAMETER'],
] as const) {
  test(`/api/v1/authorization refuses ${rule} with 400 ${error}, storing nothing`, async () => {
    const before = h.w.storeSize();
    const res = await h.get(discovery(`refused-${code}-${rule.length}`, query));
    assert.equal(res.status, 400, res.body);
    assert.equal((JSON.parse(res.body) as { error: string }).error, error);
    assert.equal(h.w.storeSize(), before);
    assert.equal(res.headers.location, undefined);
  });
}

test('a second login with a pending state is refused (400 ERR_FIWARE_LOGIN_STATE_IN_USE), the first one still works', async () => {
  const first = await h.get(discovery('same-state-twice'));
  assert.equal(first.status, 302);
  const before = h.w.storeSize();
  const second = await h.get(discovery('same-state-twice'));
  assert.equal(second.status, 400);
  assert.match(second.body, /already pending/);
  assert.equal(h.w.storeSize(), before);
  assert.equal((await h.wallet(String(first.headers.location))).status, 302);
});
