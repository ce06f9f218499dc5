/**
 * M2M client_credentials with a LEARCredentialMachine presentation, over the real fastify app:
 * the three client dialects of dome-verifier-wire.md §3.3 obtain a token whose claims are the
 * ones DOME resource servers read, verifiable with the published JWKS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createWorld, decodePart, ISSUER, ISSUER_DID, type World } from '../../support/world.ts';

describe('client_credentials with a LEARCredentialMachine', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w.close());

  for (const dialect of ['kid', 'jwk', 'base64url'] as const) {
    test(`issues a 1-hour access token to the ${dialect} client dialect`, async () => {
      const { body } = await w.tokenRequest({ dialect });
      const res = await w.post(body);
      assert.equal(res.status, 200, JSON.stringify(res.json));
      assert.equal(res.json.token_type, 'Bearer');
      assert.equal(res.json.expires_in, 3600);
      assert.equal(res.json.refresh_token, undefined, 'no refresh token for M2M');
      assert.equal(res.json.id_token, undefined, 'no ID token for M2M');
      assert.equal(res.headers['cache-control'], 'no-store');
    });
  }

  test('the access token carries the DOME claims and verifies against /oidc/jwks', async () => {
    const { body } = await w.tokenRequest();
    const res = await w.post(body);
    const token = String(res.json.access_token);
    const jwks = (await w.app.inject({ method: 'GET', url: '/oidc/jwks' })).json();
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: ISSUER,
      audience: ISSUER,
      currentDate: new Date(w.clock.now()),
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: w.runtime.identity.did, typ: 'JWT' });
    assert.equal(payload.client_id, ISSUER);
    assert.equal(payload.sub, w.machine.did);
    assert.equal(payload.scope, 'machine learcredential');
    assert.equal(payload.exp! - payload.iat!, 3600);
    assert.equal(typeof payload.jti, 'string');
    const vc = payload.vc as Record<string, unknown>;
    assert.deepEqual(vc.type, ['LEARCredentialMachine', 'VerifiableCredential']);
    assert.equal((vc.issuer as Record<string, unknown>).id, ISSUER_DID);
    const mandate = (vc.credentialSubject as { mandate: Record<string, Record<string, unknown>> }).mandate;
    assert.equal(mandate.mandator!.organizationIdentifier, 'VATES-T0000001');
    assert.deepEqual(Object.keys(vc), [...Object.keys(vc)].sort(), 'vc keys are sorted as Jackson writes them');
  });

  test('accepts the IN2 issuer millisecond iat/exp in the client assertion (DOME leniency)', async () => {
    const { createClientAssertion, createVpJwt, buildTokenRequestBody } = await import('@dome-verifier/client');
    const vpJwt = await createVpJwt({ credentials: [w.issue()], holderKey: w.machine.privateKey, holderDid: w.machine.did, now: () => w.clock.now() });
    const assertion = await createClientAssertion({ clientId: w.machine.did, key: w.machine.privateKey, audience: ISSUER, vpJwt, msTimestamps: true, now: () => w.clock.now() });
    assert.ok(Number(decodePart(assertion).exp) > 1e11);
    const res = await w.post(buildTokenRequestBody({ clientId: w.machine.did, clientAssertion: assertion }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('accepts a raw (not base64) VP JWT in vp_token', async () => {
    const { createClientAssertion, createVpJwt, buildTokenRequestBody } = await import('@dome-verifier/client');
    const vpJwt = await createVpJwt({ credentials: [w.issue()], holderKey: w.machine.privateKey, holderDid: w.machine.did, now: () => w.clock.now() });
    const assertion = await createClientAssertion({ clientId: w.machine.did, key: w.machine.privateKey, audience: ISSUER, vpJwt, vpTokenEncoding: 'raw', now: () => w.clock.now() });
    const res = await w.post(buildTokenRequestBody({ clientId: w.machine.did, clientAssertion: assertion }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('accepts a machine v2 credential bound by cnf.jwk', async () => {
    const credential = w.issue({ shape: 'v2', cnfJwk: w.machine.publicJwk });
    const res = await w.post((await w.tokenRequest({ credential })).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('accepts the issuer credential without a sigT header and with a PS256 signature', async () => {
    assert.equal((await w.post((await w.tokenRequest({ credential: w.issue({ sigT: false }) })).body)).status, 200);
    assert.equal((await w.post((await w.tokenRequest({ credential: w.issue({ alg: 'PS256' }) })).body)).status, 200);
  });

  test('scope "machine learcredential" may be requested explicitly', async () => {
    const res = await w.post((await w.tokenRequest({ scope: 'machine learcredential' })).body);
    assert.equal(res.status, 200);
  });
});
