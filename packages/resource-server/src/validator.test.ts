import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createAccessTokenValidator, type ValidatorOptions } from './validator.ts';
import { AccessTokenError, InvalidRequestError, InvalidTokenError, KeySetUnavailableError } from './errors.ts';
import { hasPower, isLEAR, organizationOf } from './powers.ts';

const ISSUER = 'https://verifier.example';
const KID = 'did:key:zDnaeTestVerifierKey';
const NOW = 1_750_000_000_000;
const iat = NOW / 1000;

const machineVc = {
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialmachine/v1'],
  id: 'urn:uuid:1',
  type: ['LEARCredentialMachine', 'VerifiableCredential'],
  issuer: { id: 'did:elsi:VATES-B60645900', organizationIdentifier: 'VATES-B60645900' },
  credentialSubject: {
    mandate: {
      id: 'm-1',
      mandatee: { id: 'did:key:zDnaeMachine', domain: 'https://svc.example', ipAddress: '10.0.0.1', serviceName: 'svc' },
      mandator: { organizationIdentifier: 'VATES-B60645900', organization: 'IN2', country: 'ES', commonName: 'LEAR', emailAddress: 'lear@in2.es' },
      power: [{ id: 'p1', tmf_type: 'Domain', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_action: 'Execute' }],
    },
  },
};

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid: KID, alg: 'ES256', use: 'sig' };
const other = await generateKeyPair('ES256', { extractable: true });

const baseClaims = (): JWTPayload => ({
  iss: ISSUER,
  aud: ISSUER,
  sub: 'did:key:zDnaeMachine',
  iat,
  exp: iat + 3600,
  jti: 'j-1',
  scope: 'machine learcredential',
  client_id: ISSUER,
  vc: machineVc,
});

async function sign(claims: JWTPayload = baseClaims(), header: Record<string, unknown> = { alg: 'ES256', kid: KID, typ: 'JWT' }, key: Parameters<SignJWT['sign']>[0] = privateKey): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(key);
}

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

function staticValidator(extra: Partial<ValidatorOptions> = {}) {
  return createAccessTokenValidator({ issuer: ISSUER, jwks: { keys: [publicJwk] }, now: () => NOW, ...extra });
}

async function rejects(p: Promise<unknown>, description: RegExp, ctor: new (...a: never[]) => AccessTokenError = InvalidTokenError): Promise<AccessTokenError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ctor, `expected ${ctor.name}, got ${String(e)}`);
    assert.match(e.description, description);
    return e;
  }
  assert.fail('expected a rejection');
}

describe('validate: accepted tokens', () => {
  test('a verifier-shaped M2M token validates into the credential, subject, kind and scopes', async () => {
    const token = await sign();
    const t = await staticValidator().validate(token);
    assert.equal(t.subject, 'did:key:zDnaeMachine');
    assert.equal(t.kind, 'machine');
    assert.deepEqual(t.scopes, ['machine', 'learcredential']);
    assert.equal(t.claims.client_id, ISSUER);
    assert.equal(t.header.kid, KID);
    assert.equal(t.token, token);
    assert.equal(organizationOf(t), 'VATES-B60645900');
    assert.ok(isLEAR(t));
    assert.ok(hasPower(t, { function: 'onboarding', action: 'EXECUTE' }));
    assert.ok(!hasPower(t, { function: 'ProductOffering', action: 'Create' }));
  });

  test('typ at+jwt and application/at+jwt are accepted by default; typ can be restricted', async () => {
    const v = staticValidator();
    await v.validate(await sign(undefined, { alg: 'ES256', kid: KID, typ: 'at+jwt' }));
    await v.validate(await sign(undefined, { alg: 'ES256', kid: KID, typ: 'application/at+JWT' }));
    await rejects(staticValidator({ typ: ['at+jwt'] }).validate(await sign()), /typ/);
    await rejects(v.validate(await sign(undefined, { alg: 'ES256', kid: KID })), /typ/);
    await rejects(v.validate(await sign(undefined, { alg: 'ES256', kid: KID, typ: 'dpop+jwt' })), /typ/);
  });

  test('vc as a JSON string is accepted (ISS accepts both)', async () => {
    const t = await staticValidator().validate(await sign({ ...baseClaims(), vc: JSON.stringify(machineVc) }));
    assert.equal(t.credential.mandator.organizationIdentifier, 'VATES-B60645900');
  });

  test('exp within the clock tolerance is accepted, beyond it refused', async () => {
    await staticValidator().validate(await sign({ ...baseClaims(), exp: iat - 10 }));
    await rejects(staticValidator({ clockToleranceSeconds: 5 }).validate(await sign({ ...baseClaims(), exp: iat - 10 })), /expired/);
  });

  test('audience: default accepts any present aud; a value, a list or a predicate restrict it', async () => {
    const rp = await sign({ ...baseClaims(), aud: 'did:key:zRp' });
    await staticValidator().validate(rp);
    await staticValidator({ audience: ['x', 'did:key:zRp'] }).validate(rp);
    await staticValidator({ audience: (aud) => aud === 'did:key:zRp' }).validate(rp);
    await staticValidator({ audience: 'y' }).validate(await sign({ ...baseClaims(), aud: ['x', 'y'] }));
    await rejects(staticValidator({ audience: ISSUER }).validate(rp), /not intended/);
    await rejects(staticValidator({ audience: () => false }).validate(rp), /not intended/);
    const { aud: _aud, ...noAud } = baseClaims();
    await rejects(staticValidator().validate(await sign(noAud)), /not intended/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), aud: [] })), /not intended/);
  });

  test('a trailing slash on the configured issuer is ignored', async () => {
    await staticValidator({ issuer: `${ISSUER}/` }).validate(await sign());
  });
});

describe('validate: forged and broken tokens are invalid_token', () => {
  test('signed by another P-256 key with the same kid', async () => {
    await rejects(staticValidator().validate(await sign(undefined, undefined, other.privateKey)), /signature/);
  });

  test('alg none (empty and non-empty signature)', async () => {
    const payload = b64(baseClaims());
    const h = b64({ alg: 'none', kid: KID, typ: 'JWT' });
    await rejects(staticValidator().validate(`${h}.${payload}.`), /compact JWS/);
    await rejects(staticValidator().validate(`${h}.${payload}.AAAA`), /algorithm/);
  });

  test('HS256 keyed with the public key (algorithm confusion)', async () => {
    const secrets = [Buffer.from(JSON.stringify(publicJwk)), Buffer.from(publicJwk.x!, 'base64url')];
    for (const secret of secrets) {
      const forged = await sign(undefined, { alg: 'HS256', kid: KID, typ: 'JWT' }, new Uint8Array(secret));
      await rejects(staticValidator().validate(forged), /algorithm/);
    }
    assert.throws(() => staticValidator({ algorithms: ['ES256', 'HS256'] }), TypeError);
    assert.throws(() => staticValidator({ algorithms: ['none'] }), TypeError);
  });

  test('an allowed algorithm whose key type does not match is refused', async () => {
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const forged = await sign(undefined, { alg: 'RS256', kid: KID, typ: 'JWT' }, rsa.privateKey);
    await rejects(staticValidator({ algorithms: ['ES256', 'RS256'] }).validate(forged), /unknown key/);
  });

  test('expired, not yet valid, issued in the future', async () => {
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), iat: iat - 7200, exp: iat - 3600 })), /expired/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), nbf: iat + 600 })), /not yet valid/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), iat: iat + 600 })), /issued in the future/);
    // ISS-style milliseconds: iat far in the future
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), iat: NOW, exp: NOW + 3_600_000 })), /issued in the future/);
  });

  test('missing exp, sub, iss; wrong iss', async () => {
    const { exp: _e, ...noExp } = baseClaims();
    const { sub: _s, ...noSub } = baseClaims();
    const { iss: _i, ...noIss } = baseClaims();
    await rejects(staticValidator().validate(await sign(noExp)), /exp/);
    await rejects(staticValidator().validate(await sign(noSub)), /sub/);
    await rejects(staticValidator().validate(await sign(noIss)), /iss/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), iss: 'https://evil.example' })), /another issuer/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), iss: `${ISSUER}/` })), /another issuer/);
  });

  test('missing kid, unknown kid, crit header', async () => {
    await rejects(staticValidator().validate(await sign(undefined, { alg: 'ES256', typ: 'JWT' })), /kid/);
    await rejects(staticValidator().validate(await sign(undefined, { alg: 'ES256', typ: 'JWT', kid: 'did:key:zOther' })), /unknown key/);
    const crit = `${b64({ alg: 'ES256', kid: KID, typ: 'JWT', crit: ['exp'], exp: 1 })}.${b64(baseClaims())}.AAAA`;
    await rejects(staticValidator().validate(crit), /critical/);
  });

  test('missing or unusable vc claim: "the token carries no LEAR credential"', async () => {
    const { vc: _vc, ...noVc } = baseClaims();
    await rejects(staticValidator().validate(await sign(noVc)), /^the token carries no LEAR credential$/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), vc: { type: ['VerifiableCredential'] } })), /^the token carries no LEAR credential/);
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), vc: '{not json' })), /^the token carries no LEAR credential/);
    const noMandatee = structuredClone(machineVc) as { credentialSubject: { mandate: Record<string, unknown> } };
    delete noMandatee.credentialSubject.mandate.mandatee;
    await rejects(staticValidator().validate(await sign({ ...baseClaims(), vc: noMandatee })), /mandatee/);
  });

  test('an ID token (vc_json, no vc) is not an access token', async () => {
    const { vc: _vc, scope: _s, client_id: _c, ...rest } = baseClaims();
    const idToken = await sign({ ...rest, aud: 'did:key:zRp', nonce: 'n', acr: '0', vc_json: JSON.stringify(machineVc) });
    await rejects(staticValidator().validate(idToken), /no LEAR credential/);
  });

  test('malformed compact serialisations', async () => {
    const good = await sign();
    const [h, p, s] = good.split('.') as [string, string, string];
    for (const bad of ['', 'abc', `${h}.${p}`, `${h}.${p}.${s}.x`, `${h}.${p}.${s}=`, `!!.${p}.${s}`, `${b64('x')}.${p}.${s}`, `${Buffer.from('{bad').toString('base64url')}.${p}.${s}`]) {
      await assert.rejects(staticValidator().validate(bad), InvalidTokenError);
    }
    await rejects(staticValidator().validate(`${h}.${'A'.repeat(70_000)}.${s}`), /too large/);
    await rejects(staticValidator().validate(`${h}.${p}.${s.slice(0, -4)}AAAA`), /signature/);
  });

  test('no description or message ever contains the token or its parts', async () => {
    const tokens = [
      await sign(undefined, undefined, other.privateKey),
      await sign({ ...baseClaims(), iss: 'https://evil.example' }),
      await sign({ ...baseClaims(), exp: 1 }),
      await sign({ ...baseClaims(), vc: { type: 'x' } }),
      await sign(undefined, { alg: 'ES256', typ: 'JWT', kid: 'did:key:zUnknownKid' }),
    ];
    for (const token of tokens) {
      const e = await staticValidator().validate(token).then(() => assert.fail('accepted'), (err: unknown) => err as Error);
      for (const part of [token, ...token.split('.'), 'evil.example', 'zUnknownKid']) {
        assert.ok(!e.message.includes(part), e.message);
        assert.ok(!String(e.stack).includes(part));
      }
    }
  });
});

describe('keys via discovery', () => {
  function verifierFetch(state: { keys: JWK[]; calls: string[]; fail?: boolean; discovery?: Record<string, unknown>; jwksBody?: string }): typeof fetch {
    return (async (input: string | URL | Request) => {
      const url = String(input);
      state.calls.push(new URL(url).pathname);
      if (state.fail) throw new TypeError('fetch failed');
      if (url === `${ISSUER}/.well-known/openid-configuration`) return Response.json(state.discovery ?? { issuer: ISSUER, jwks_uri: `${ISSUER}/oidc/jwks` });
      if (url === `${ISSUER}/oidc/jwks`) return new Response(state.jwksBody ?? JSON.stringify({ keys: state.keys }), { headers: { 'content-type': 'application/jwk-set+json' } });
      return new Response('not found', { status: 404 });
    }) as typeof fetch;
  }

  test('discovery then JWKS once; cached afterwards; refreshed after the max age', async () => {
    let now = NOW;
    const state = { keys: [publicJwk], calls: [] as string[] };
    const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => now });
    const token = await sign();
    await v.validate(token);
    await v.validate(token);
    assert.deepEqual(state.calls, ['/.well-known/openid-configuration', '/oidc/jwks']);
    now += 600_001;
    await v.validate(await sign({ ...baseClaims(), iat: now / 1000, exp: now / 1000 + 60 }));
    assert.deepEqual(state.calls, ['/.well-known/openid-configuration', '/oidc/jwks', '/oidc/jwks']);
  });

  test('an unknown kid refetches once (at most every 30 s), then invalid_token; a rotated key validates after the refetch', async () => {
    let now = NOW;
    const state = { keys: [publicJwk], calls: [] as string[] };
    const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => now });
    await v.validate(await sign());
    assert.equal(state.calls.length, 2);
    const unknown = await sign(undefined, { alg: 'ES256', typ: 'JWT', kid: 'did:key:zRotated' }, other.privateKey);
    await rejects(v.validate(unknown), /unknown key/);
    assert.equal(state.calls.length, 2, 'no refetch within 30 s of the last fetch');
    now += 31_000;
    await rejects(v.validate(unknown), /unknown key/);
    assert.equal(state.calls.length, 3, 'exactly one refetch');
    await rejects(v.validate(unknown), /unknown key/);
    await rejects(v.validate(unknown), /unknown key/);
    assert.equal(state.calls.length, 3, 'the refetch is rate limited');
    state.keys = [publicJwk, { ...(await exportJWK(other.publicKey)), kid: 'did:key:zRotated', alg: 'ES256' }];
    now += 31_000;
    const t = await v.validate(await sign({ ...baseClaims(), iat: now / 1000, exp: now / 1000 + 60 }, { alg: 'ES256', typ: 'JWT', kid: 'did:key:zRotated' }, other.privateKey));
    assert.equal(t.header.kid, 'did:key:zRotated');
    assert.equal(state.calls.length, 4);
  });

  test('concurrent first requests share one fetch', async () => {
    const state = { keys: [publicJwk], calls: [] as string[] };
    const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => NOW });
    const token = await sign();
    await Promise.all(Array.from({ length: 10 }, () => v.validate(token)));
    assert.equal(state.calls.length, 2);
  });

  test('verifier unreachable with nothing cached: 503 temporarily_unavailable, not invalid_token', async () => {
    const state = { keys: [publicJwk], calls: [] as string[], fail: true };
    const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => NOW });
    const e = await rejects(v.validate(await sign()), /unavailable/, KeySetUnavailableError);
    assert.equal(e.status, 503);
    assert.equal(e.error, 'temporarily_unavailable');
  });

  test('stale keys keep serving while the verifier is down', async () => {
    let now = NOW;
    const state = { keys: [publicJwk], calls: [] as string[], fail: false };
    const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => now });
    await v.validate(await sign());
    state.fail = true;
    now += 3_600_000;
    const fresh = () => sign({ ...baseClaims(), iat: now / 1000, exp: now / 1000 + 60 });
    await v.validate(await fresh());
    await v.validate(await fresh());
    assert.equal(state.calls.length, 3, 'one failed refresh, then a cooldown');
  });

  test('discovery for another issuer, a cross-scheme jwks_uri, an oversized or malformed JWKS: keys unavailable', async () => {
    const cases = [
      { discovery: { issuer: 'https://evil.example', jwks_uri: `${ISSUER}/oidc/jwks` } },
      { discovery: { issuer: ISSUER, jwks_uri: 'http://verifier.example/oidc/jwks' } },
      { discovery: { issuer: ISSUER } },
      { jwksBody: JSON.stringify({ keys: [publicJwk], pad: 'x'.repeat(300 * 1024) }) },
      { jwksBody: '{"keys": 1}' },
      { jwksBody: 'not json' },
    ];
    for (const c of cases) {
      const state = { keys: [publicJwk], calls: [] as string[], ...c };
      const v = createAccessTokenValidator({ issuer: ISSUER, fetch: verifierFetch(state), now: () => NOW });
      await rejects(v.validate(await sign()), /unavailable/, KeySetUnavailableError);
    }
  });

  test('private keys published in the JWKS are never used', async () => {
    const leaked: JWK = { ...(await exportJWK(privateKey)), kid: KID, alg: 'ES256' };
    const v = createAccessTokenValidator({ issuer: ISSUER, jwks: { keys: [leaked] }, now: () => NOW });
    await rejects(v.validate(await sign()), /unknown key/);
  });

  test('several keys under one kid: the one that verifies is used', async () => {
    const second: JWK = { ...(await exportJWK(other.publicKey)), kid: KID, alg: 'ES256' };
    const v = createAccessTokenValidator({ issuer: ISSUER, jwks: { keys: [second, publicJwk] }, now: () => NOW });
    await v.validate(await sign());
  });
});

describe('validateRequest', () => {
  test('reads the Authorization header; refuses the query form and repeated headers', async () => {
    const token = await sign();
    const v = staticValidator();
    assert.equal((await v.validateRequest({ headers: { authorization: `Bearer ${token}` }, url: '/x?y=1' })).subject, 'did:key:zDnaeMachine');
    assert.equal((await v.authenticate({ headers: { Authorization: `bearer ${token}` } })).kind, 'machine');
    await rejects(v.validateRequest({ headers: {}, url: `/x?access_token=${token}` }), /query/, InvalidRequestError);
    await rejects(v.validateRequest({ headers: { authorization: `Bearer ${token}` }, url: `/x?access_token=${token}` }), /query/, InvalidRequestError);
    await rejects(v.validateRequest({ headers: { authorization: `Bearer ${token}` }, headersDistinct: { authorization: [`Bearer ${token}`, 'Bearer x'] } }), /more than one/, InvalidRequestError);
    const missing = await rejects(v.validateRequest({ headers: {} }), /required/);
    assert.ok((missing as InvalidTokenError).missing);
  });
});
