/**
 * Tokens issued by the real verifier (M2M client_credentials and H2M wallet login) validate
 * with the resource-server package; audience separation; ID tokens are not access tokens;
 * discovery over real HTTP on 127.0.0.1.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessTokenValidator, hasPower, InvalidTokenError, isLEAR, organizationOf, type ValidatorOptions } from '@dome-verifier/resource-server';
import { generateKeyPair, SignJWT } from 'jose';
import { decodePart, ORG, ISSUER_DID } from '../support/world.ts';
import { createTokenWorld, employeeTokens, machineToken, verifierFetch, type TokenWorld } from './helpers.ts';

describe('tokens from the verifier', () => {
  let t: TokenWorld;
  let m2m: string;
  let h2m: { accessToken: string; idToken: string };
  const calls: string[] = [];
  before(async () => {
    t = await createTokenWorld();
    m2m = await machineToken(t.w);
    h2m = await employeeTokens(t);
  });
  after(() => t.w.close());

  const validator = (extra: Partial<ValidatorOptions> = {}) =>
    createAccessTokenValidator({ issuer: t.w.issuer, fetch: verifierFetch(t.w, calls), now: () => t.w.clock.now(), ...extra });

  test('an M2M token validates: machine, subject = machine DID, organisation, Onboarding/Execute, isLEAR', async () => {
    const v = await validator().validate(m2m);
    assert.equal(v.kind, 'machine');
    assert.equal(v.subject, t.w.machine.did);
    assert.equal(v.credential.mandatee.id, t.w.machine.did);
    assert.equal(v.credential.issuer, ISSUER_DID);
    assert.equal(organizationOf(v), ORG);
    assert.ok(hasPower(v, { function: 'Onboarding', action: 'Execute' }));
    assert.ok(isLEAR(v));
    assert.deepEqual(v.scopes, ['machine', 'learcredential']);
    assert.equal(v.claims.aud, t.w.issuer);
    assert.equal(v.claims.client_id, t.w.issuer);
  });

  test('an H2M token validates: employee, subject = holder DID, names, powers', async () => {
    const v = await validator().validate(h2m.accessToken);
    assert.equal(v.kind, 'employee');
    assert.equal(v.subject, t.user.did);
    assert.equal(v.credential.mandatee.firstName, 'Jane');
    assert.equal(v.credential.mandatee.email, 'jane@example.org');
    assert.equal(organizationOf(v), ORG);
    assert.ok(isLEAR(v));
    assert.ok(hasPower(v, { function: 'ProductOffering', action: 'Create' }));
    assert.deepEqual(v.scopes, ['openid', 'learcredential']);
    assert.equal(v.claims.aud, t.rp.did);
  });

  test('audience: the M2M value rejects H2M tokens and the RP client id rejects M2M tokens', async () => {
    const m2mOnly = validator({ audience: t.w.issuer });
    const rpOnly = validator({ audience: t.rp.did });
    await m2mOnly.validate(m2m);
    await rpOnly.validate(h2m.accessToken);
    await assert.rejects(m2mOnly.validate(h2m.accessToken), (e: unknown) => e instanceof InvalidTokenError && /not intended/.test(e.description));
    await assert.rejects(rpOnly.validate(m2m), (e: unknown) => e instanceof InvalidTokenError && /not intended/.test(e.description));
  });

  test('the ID token of the same login is refused as an access token', async () => {
    await assert.rejects(validator().validate(h2m.idToken), (e: unknown) => e instanceof InvalidTokenError && /no LEAR credential/.test(e.description));
  });

  test('another issuer URL refuses the tokens', async () => {
    // A validator for another verifier would not even find its discovery; with the same keys it still refuses the iss.
    const jwks = (await t.w.app.inject({ method: 'GET', url: '/oidc/jwks' })).json();
    const other = createAccessTokenValidator({ issuer: 'https://verifier.other.example', jwks, now: () => t.w.clock.now() });
    await assert.rejects(other.validate(m2m), (e: unknown) => e instanceof InvalidTokenError && /another issuer/.test(e.description));
  });

  test('expired once the clock passes exp + tolerance', async () => {
    const later = validator({ now: () => t.w.clock.now() + 3600_000 + 31_000 });
    await assert.rejects(later.validate(m2m), (e: unknown) => e instanceof InvalidTokenError && /expired/.test(e.description));
  });

  test('forgeries of a verifier token: another key under the verifier kid, alg none, HS256 keyed with the public JWK', async () => {
    const header = decodePart(m2m, 0);
    const payload = decodePart(m2m);
    const rogue = await generateKeyPair('ES256');
    const jwk = (await t.w.app.inject({ method: 'GET', url: '/oidc/jwks' })).json().keys[0] as Record<string, unknown>;
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const forgeries = [
      await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'ES256' }).sign(rogue.privateKey),
      `${b64({ ...header, alg: 'none' })}.${b64(payload)}.`,
      await new SignJWT(payload).setProtectedHeader({ ...header, alg: 'HS256' }).sign(new TextEncoder().encode(JSON.stringify(jwk))),
      `${b64({ ...header, kid: undefined })}.${m2m.split('.')[1]}.${m2m.split('.')[2]}`,
      `${b64(header)}.${b64({ ...payload, scope: 'admin' })}.${m2m.split('.')[2]}`,
    ];
    for (const forged of forgeries) await assert.rejects(validator().validate(forged), InvalidTokenError);
  });

  test('an unknown kid triggers one JWKS refetch (then at most one per 30 s), then invalid_token', async () => {
    let offset = 0;
    const fetched: string[] = [];
    const v = createAccessTokenValidator({ issuer: t.w.issuer, fetch: verifierFetch(t.w, fetched), now: () => t.w.clock.now() + offset });
    await v.validate(m2m);
    const rogue = await generateKeyPair('ES256');
    const unknown = await new SignJWT(decodePart(m2m)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'did:key:zDnaeUnknownKey' }).sign(rogue.privateKey);
    offset = 31_000;
    await assert.rejects(v.validate(unknown), /unknown key/);
    await assert.rejects(v.validate(unknown), /unknown key/);
    assert.deepEqual(fetched, ['/.well-known/openid-configuration', '/oidc/jwks', '/oidc/jwks']);
  });

  test('discovery and JWKS come from the verifier (discovery once per validator)', async () => {
    calls.length = 0;
    const v = validator();
    await v.validate(m2m);
    await v.validate(h2m.accessToken);
    assert.deepEqual(calls, ['/.well-known/openid-configuration', '/oidc/jwks']);
  });
});

describe('over real HTTP (127.0.0.1, global fetch)', () => {
  let t: TokenWorld;
  before(async () => {
    t = await createTokenWorld({ listen: true });
  });
  after(() => t.w.close());

  test('discovery, JWKS and validation with the default fetch', async () => {
    assert.match(t.w.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    const token = await machineToken(t.w);
    const v = createAccessTokenValidator({ issuer: t.w.issuer, audience: t.w.issuer, now: () => t.w.clock.now() });
    const verified = await v.validateRequest({ headers: { authorization: `Bearer ${token}` }, url: '/api/things' });
    assert.equal(verified.kind, 'machine');
    assert.ok(isLEAR(verified));
  });
});
