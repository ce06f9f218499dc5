/**
 * FIWARE M2M as the Data Space Connector's helper script does it (spec §8.1): discovery, then
 * `POST /services/data-service/token` with `grant_type=vp_token&vp_token=<VP JWT>&scope=default`
 * (raw, and wrapped once more in base64url without padding as the manual walkthrough does), no
 * client authentication, a VP JWT without aud/nonce/exp accepted because the service sets
 * `allowUnboundVp`; then the data service's gateway (APISIX + OPA, §8.5) reads the roles.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { verifyJws, decodeJws } from '@dome-verifier/core';
import { decodePart } from '../../support/world.ts';
import { base64urlNoPad, dscVpToken, fiwareUserCredential, opaReadsRoles } from '../../support/fiware.ts';
import { createFiwareWorld, userScope, type FiwareWorld } from './fiware-world.ts';

let w: FiwareWorld;
before(async () => {
  w = await createFiwareWorld((til) => [{ id: 'data-service', defaultOidcScope: 'default', authorizationType: 'DEEPLINK', oidcScopes: { default: userScope(til) }, allowUnboundVp: true }]);
});
after(() => w.close());

async function jwksKey(url: string, kid: unknown) {
  const jwks = (await (await fetch(url)).json()) as { keys: Array<Record<string, unknown>> };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  assert.ok(jwk, 'the token kid is in the key set');
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
}

for (const [form, encode] of [['raw', (s: string) => s], ['base64url without padding', base64urlNoPad]] as const) {
  test(`the DSC helper script's vp_token request (${form} VP JWT) gets a Bearer token for the service`, async () => {
    const vc = fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() });
    const vp = dscVpToken(w.holder, vc);
    const before = w.storeSize();
    // Step 1 of the script: discovery (APISIX rewrites the data service's well-known to this path).
    const metadata = (await (await fetch(`${w.issuer}/services/data-service/.well-known/openid-configuration`)).json()) as Record<string, string>;
    const tokenPath = new URL(metadata.token_endpoint!).pathname;
    const res = await w.postForm(tokenPath, `grant_type=vp_token&vp_token=${encode(vp)}&scope=default`);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.token_type, 'Bearer');
    assert.equal(res.json.issued_token_type, 'urn:ietf:params:oauth:token-type:access_token');
    assert.equal(res.json.scope, 'default');
    assert.equal(typeof res.json.expires_in, 'number');
    assert.equal(res.json.id_token, res.json.access_token, 'id_token is the access token (VCVerifier)');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    const token = res.json.access_token as string;
    const header = decodePart(token, 0);
    const claims = decodePart(token);
    assert.equal(header.alg, 'ES256');
    verifyJws(decodeJws(token, { maxLength: 65536 }), await jwksKey(metadata.jwks_uri!, header.kid), { algorithms: ['ES256'] });
    assert.equal(claims.iss, w.issuer);
    assert.deepEqual(claims.aud, ['data-service']);
    assert.equal(claims.sub, w.holder.did);
    assert.equal(typeof claims.iat, 'number');
    assert.equal(claims.exp, (claims.iat as number) + (res.json.expires_in as number));
    assert.equal(typeof claims.jti, 'string');
    assert.equal(typeof claims.nonce, 'string');
    const vcClaim = decodePart(vc).vc as Record<string, unknown>;
    assert.deepEqual(claims.verifiableCredential, vcClaim, 'fullInclusion: the VC JWT credential object unchanged');
    assert.deepEqual(claims.vc, vcClaim, 'the vc claim DOME consumers read');
    assert.equal(w.storeSize(), before, 'an unbound VP without nonce leaves nothing in the store');
    // The gateway's policy (APISIX + ODRL-PAP Rego) reads the roles.
    const seen = opaReadsRoles(claims);
    assert.equal(seen.issuer, w.fiwareIssuer.did);
    assert.deepEqual(seen.type, ['UserCredential']);
    assert.deepEqual(seen.roles, [{ names: ['OPERATOR'], target: 'did:web:provider.example' }]);
  });
}

test('without scope the service default scope is used; presentation_submission and the form client_id are ignored', async () => {
  const vp = dscVpToken(w.holder, fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() }));
  const res = await w.postForm('/services/data-service/token', { grant_type: 'vp_token', vp_token: vp, presentation_submission: '{}', client_id: 'someone-else' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.json.scope, 'default');
  assert.deepEqual(decodePart(res.json.access_token as string).aud, ['data-service']);
});

test('POST /token takes the service from the client_id HTTP header', async () => {
  const vp = dscVpToken(w.holder, fiwareUserCredential({ issuer: w.fiwareIssuer, nowMs: w.clock.now() }));
  const res = await w.postForm('/token', { grant_type: 'vp_token', vp_token: vp, scope: 'default' }, { client_id: 'data-service' });
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(decodePart(res.json.access_token as string).aud, ['data-service']);
});
