/** Discovery, JWKS, did:key resolution, health and metrics over the real app. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, ISSUER, type World } from '../support/world.ts';

describe('public endpoints', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w.close());
  const get = (url: string) => w.app.inject({ method: 'GET', url });

  test('discovery states only what is implemented: ES256, private_key_jwt or none, code with PKCE S256, revocation and introspection', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const doc = (await get(path)).json();
      assert.equal(doc.issuer, ISSUER);
      assert.equal(doc.token_endpoint, `${ISSUER}/oidc/token`);
      assert.equal(doc.jwks_uri, `${ISSUER}/oidc/jwks`);
      assert.equal(doc.authorization_endpoint, `${ISSUER}/oidc/authorize`);
      assert.deepEqual(doc.grant_types_supported, ['client_credentials', 'authorization_code', 'refresh_token']);
      assert.deepEqual(doc.response_types_supported, ['code']);
      assert.deepEqual(doc.code_challenge_methods_supported, ['S256']);
      assert.equal(doc.authorization_response_iss_parameter_supported, true);
      assert.deepEqual(doc.token_endpoint_auth_methods_supported, ['private_key_jwt', 'none']);
      assert.deepEqual(doc.id_token_signing_alg_values_supported, ['ES256']);
      assert.equal(doc.revocation_endpoint, `${ISSUER}/oidc/revoke`);
      assert.equal(doc.introspection_endpoint, `${ISSUER}/oidc/introspect`);
      assert.deepEqual(doc.revocation_endpoint_auth_methods_supported, ['private_key_jwt', 'none']);
      assert.deepEqual(doc.introspection_endpoint_auth_methods_supported, ['private_key_jwt']);
      for (const absent of ['device_authorization_endpoint', 'userinfo_endpoint', 'tls_client_certificate_bound_access_tokens']) {
        assert.equal(doc[absent], undefined, absent);
      }
    }
  });

  test('JWKS publishes the verifier key with kid = did:key and use sig', async () => {
    const res = await get('/oidc/jwks');
    assert.equal(res.statusCode, 200);
    const { keys } = res.json();
    assert.equal(keys.length, 1);
    assert.deepEqual(keys[0], { kty: 'EC', crv: 'P-256', x: 'LYMl1xHRsGZLdz-BlH8cWOWb09EhVTDORpX-ST5_Vzs', y: 'PBOyuQEYllic9u9NMa3iW8p4L91WbNU-hnOsGbXUYcE', kid: 'did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup', use: 'sig', alg: 'ES256' });
    assert.equal('d' in keys[0], false);
  });

  test('/oidc/did/{did} resolves a P-256 did:key to a JWKS (IN2 vector)', async () => {
    const did = 'did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup';
    for (const url of [`/oidc/did/${did}`, `/oidc/did/${encodeURIComponent(did)}`]) {
      const res = await get(url);
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { keys: [{ kty: 'EC', crv: 'P-256', x: 'LYMl1xHRsGZLdz-BlH8cWOWb09EhVTDORpX-ST5_Vzs', y: 'PBOyuQEYllic9u9NMa3iW8p4L91WbNU-hnOsGbXUYcE', kid: did }] });
    }
  });

  test('/oidc/did/{did} answers 400 invalid_request, never 500, for other DIDs and other key types', async () => {
    for (const did of ['did:web:example.com', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:key:zzzz', 'hello']) {
      const res = await get(`/oidc/did/${encodeURIComponent(did)}`);
      assert.equal(res.statusCode, 400, did);
      assert.equal(res.json().error, 'invalid_request');
    }
  });

  test('health is UP once the Trusted Services List is loaded', async () => {
    const res = await get('/health');
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status, 'UP');
  });

  test('metrics count requests by route and outcome and validation failures by code, at /metrics and /prometheus', async () => {
    await w.post('grant_type=client_credentials');
    await w.post((await w.tokenRequest()).body);
    for (const path of ['/metrics', '/prometheus']) {
      const res = await get(path);
      assert.equal(res.statusCode, 200);
      assert.match(res.headers['content-type'] as string, /text\/plain/);
      const text = res.body;
      assert.match(text, /verifier_http_requests_total\{route="\/oidc\/token",method="POST",status="401",outcome="invalid_client"\} 1/);
      assert.match(text, /verifier_http_requests_total\{route="\/oidc\/token",method="POST",status="200",outcome="ok"\} 1/);
      assert.match(text, /verifier_validation_failures_total\{code="ERR_CLIENT_AUTH_MISSING",step="parse-client-assertion"\} 1/);
      assert.match(text, /verifier_tokens_issued_total\{grant_type="client_credentials"\} 1/);
      assert.match(text, /verifier_http_request_duration_seconds_bucket\{le="0.005",route="\/oidc\/token",method="POST"\}/);
      assert.match(text, /verifier_process_resident_memory_bytes/);
    }
  });

  test('unknown paths are 404 JSON', async () => {
    const res = await get('/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });
});

describe('CORS', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w.close());

  test('the token endpoint and discovery allow the origin of a registered client, and only that', async () => {
    const pre = await w.app.inject({ method: 'OPTIONS', url: '/oidc/token', headers: { origin: 'https://machine.example', 'access-control-request-method': 'POST' } });
    assert.equal(pre.statusCode, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://machine.example');
    assert.equal(pre.headers['access-control-allow-credentials'], undefined);
    const disc = await w.app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://machine.example' } });
    assert.equal(disc.headers['access-control-allow-origin'], 'https://machine.example');
    const evil = await w.app.inject({ method: 'GET', url: '/.well-known/openid-configuration', headers: { origin: 'https://evil.example' } });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });

  test('the wallet endpoints are public', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/oid4vp/auth-request/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', headers: { origin: 'https://any.example' } });
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });
});
