/**
 * FIWARE discovery and keys (spec §2.2, §2.3): the per-service metadata FIWARE clients and
 * APISIX's openid-connect plugin read, and `/.well-known/jwks` = the `/oidc/jwks` key set.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
before(async () => {
  w = await createFiwareWorld((til) => [
    { id: 'data-service', defaultOidcScope: 'default', oidcScopes: { default: userScope(til), operator: userScope(til), 'openid learcredential': userScope(til) } },
    { id: 'portal', defaultOidcScope: 'default', authorizationPath: '/custom/authorize', allowedOrigins: ['https://portal.example'], oidcScopes: { default: userScope(til) } },
  ]);
});
after(() => w.close());

test('GET /services/{id}/.well-known/openid-configuration has VCVerifier\'s fields with this verifier\'s URLs', async () => {
  const res = await fetch(`${w.issuer}/services/data-service/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  const doc = (await res.json()) as Record<string, unknown>;
  assert.equal(doc.issuer, w.issuer);
  assert.equal(doc.token_endpoint, `${w.issuer}/services/data-service/token`);
  assert.equal(doc.jwks_uri, `${w.issuer}/.well-known/jwks`);
  assert.equal(doc.authorization_endpoint, `${w.issuer}/api/v1/authorization`);
  assert.deepEqual(doc.scopes_supported, ['default', 'operator', 'openid learcredential']);
  assert.deepEqual(doc.response_types_supported, ['code']);
  assert.deepEqual(doc.response_mode_supported, ['direct_post'], 'the singular, non-standard key of VCVerifier');
  const grants = doc.grant_types_supported as string[];
  assert.ok(grants.includes('vp_token') && grants.includes('urn:ietf:params:oauth:grant-type:token-exchange'), grants.join());
  assert.deepEqual(doc.subject_types_supported, ['public']);
  assert.deepEqual(doc.id_token_signing_alg_values_supported, ['ES256']);
});

test('a service authorizationPath overrides authorization_endpoint', async () => {
  const doc = (await (await fetch(`${w.issuer}/services/portal/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  assert.equal(doc.authorization_endpoint, `${w.issuer}/custom/authorize`);
});

test('an unknown service has no metadata: 404 (VCVerifier answers 200 with no scopes)', async () => {
  const res = await fetch(`${w.issuer}/services/nope/.well-known/openid-configuration`);
  assert.equal(res.status, 404);
  assert.deepEqual(await res.json(), { error: 'not_found', error_description: 'no such service' }, 'the service is unknown, not the route');
});

test('GET /.well-known/jwks is the /oidc/jwks key set (the access-token signing key, with its kid)', async () => {
  const fiware = await fetch(`${w.issuer}/.well-known/jwks`);
  const dome = await (await fetch(`${w.issuer}/oidc/jwks`)).json();
  assert.equal(fiware.status, 200);
  const keys = (await fiware.json()) as { keys: Array<Record<string, unknown>> };
  assert.deepEqual(keys, dome);
  assert.equal(keys.keys.length, 1);
  assert.equal(typeof keys.keys[0]!.kid, 'string');
});

test('CORS: a service answers its allowedOrigins (preflight and response), not other origins; /token and jwks the union', async () => {
  const pre = await fetch(`${w.issuer}/services/portal/token`, { method: 'OPTIONS', headers: { origin: 'https://portal.example', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://portal.example');
  const doc = await fetch(`${w.issuer}/services/portal/.well-known/openid-configuration`, { headers: { origin: 'https://portal.example' } });
  assert.equal(doc.headers.get('access-control-allow-origin'), 'https://portal.example');
  const otherService = await fetch(`${w.issuer}/services/data-service/.well-known/openid-configuration`, { headers: { origin: 'https://portal.example' } });
  assert.equal(otherService.headers.get('access-control-allow-origin'), null, 'another service does not list the origin');
  const stranger = await fetch(`${w.issuer}/services/portal/.well-known/openid-configuration`, { headers: { origin: 'https://evil.example' } });
  assert.equal(stranger.headers.get('access-control-allow-origin'), null);
  const jwks = await fetch(`${w.issuer}/.well-known/jwks`, { headers: { origin: 'https://portal.example' } });
  assert.equal(jwks.headers.get('access-control-allow-origin'), 'https://portal.example');
});
