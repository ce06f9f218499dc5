/**
 * `inspectToken` against the real runtime of a test world (same steps, same trust framework as
 * the token endpoint): one VC, VP, client assertion, request object and access token per case.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectToken, PRESENTATION_CHECKS, type CheckResult, type InspectionReport } from '@dome-verifier/core';
import { createClientAssertion, createRequestObject, createVpJwt } from '@dome-verifier/client';
import { generateP256, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, ISSUER, newMachine, type World } from '../support/world.ts';

const DAY = 86_400_000;
const rp = generateP256();
const RP_REDIRECT = 'https://rp.example/callback';

let world: World;

before(async () => {
  world = await createWorld({
    clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISSUER, grantTypes: ['authorization_code'], redirectUris: [RP_REDIRECT] })],
  });
});
after(() => world.close());

const byStep = (r: InspectionReport) => new Map(r.checks.map((c) => [c.step, c]));
const codes = (r: InspectionReport) => r.checks.flatMap((c) => (c.code ? [c.code] : []));
const failed = (r: InspectionReport) => r.checks.filter((c) => !c.ok).map((c) => c.step);

/** Invariant of every report: ok only for passed checks; not-run checks carry no code. */
function assertConsistent(r: InspectionReport): void {
  for (const c of r.checks) {
    assert.equal(c.ok, c.status === 'passed', `${c.step}: ok iff passed`);
    if (c.status === 'not-run') {
      assert.equal(c.code, undefined);
      assert.match(c.message ?? '', /^not run: depends on [a-z-]+$/);
    }
  }
  assert.equal(r.valid, r.checks.length > 0 && r.checks.every((c) => c.ok));
}

describe('vp', () => {
  test('a valid machine VP passes every presentation check (nonce check skipped without a nonce)', async () => {
    const { vpJwt } = await world.tokenRequest();
    const r = await inspectToken(vpJwt, world.runtime, { clientId: world.machine.did });
    assertConsistent(r);
    assert.equal(r.kind, 'vp');
    assert.equal(r.valid, true, JSON.stringify(r.checks));
    assert.deepEqual(r.checks.map((c) => c.step), PRESENTATION_CHECKS.map((s) => s.name).filter((n) => n !== 'presentation-session'));
    assert.deepEqual(r.skipped.map((s) => s.step), ['presentation-session']);
    assert.equal(r.claims.iss, world.machine.did);
    assert.deepEqual(r.embedded.map((e) => e.kind), ['vc']);
  });

  test('a VP with an expired credential of an untrusted issuer, presented by another key, lists all three problems', async () => {
    const bound = newMachine();
    const presenter = newMachine();
    const vc = world.issue({
      holder: bound,
      seal: world.pki.otherSeal,
      organizationIdentifier: 'VATES-X9999999',
      validFrom: new Date(world.clock.now() - 30 * DAY),
      validUntil: new Date(world.clock.now() - DAY),
    });
    const vpJwt = await createVpJwt({ credentials: [vc], holderKey: presenter.privateKey, holderDid: presenter.did, now: () => world.clock.now() });
    const r = await inspectToken(vpJwt, world.runtime, {});
    assertConsistent(r);
    assert.equal(r.valid, false);
    for (const code of ['ERR_VC_EXPIRED', 'ERR_ISSUER_NOT_TRUSTED', 'ERR_HOLDER_BINDING'] as const) assert.ok(codes(r).includes(code), `${code} in ${codes(r).join(',')}`);
    const steps = byStep(r);
    assert.equal(steps.get('credential-time')?.code, 'ERR_VC_EXPIRED');
    assert.equal(steps.get('issuer-trusted')?.code, 'ERR_ISSUER_NOT_TRUSTED');
    assert.equal(steps.get('holder-binding')?.code, 'ERR_HOLDER_BINDING');
    assert.equal(steps.get('vc-signature')?.ok, true, 'the signature itself is fine (a seal under the trusted root)');
  });

  test('the presenter and the nonce are checked when given', async () => {
    const { vpJwt } = await world.tokenRequest();
    const r = await inspectToken(vpJwt, world.runtime, { clientId: newMachine().did, nonce: 'n-1', audiences: [ISSUER] });
    assertConsistent(r);
    assert.equal(byStep(r).get('holder-binding')?.code, 'ERR_PRESENTER_NOT_CLIENT');
    assert.equal(byStep(r).get('presentation-session')?.code, 'ERR_VP_NONCE');
    assert.deepEqual(r.skipped, []);
  });

  test('a VP that does not decode: parsing fails and nothing downstream claims to pass', async () => {
    const r = await inspectToken('eyJhbGciOiJFUzI1NiJ9.eyJ2cCI6e319.AA', world.runtime, { kind: 'vp' });
    assertConsistent(r);
    assert.equal(byStep(r).get('parse-presentation')?.code, 'ERR_VP_MALFORMED');
    for (const step of ['credential-type', 'credential-format', 'credential-time', 'holder-binding', 'issuer-trusted', 'claim-restrictions', 'vc-signature', 'revocation', 'mandator-trusted']) {
      assert.equal(byStep(r).get(step)?.status, 'not-run', step);
    }
  });
});

describe('vc', () => {
  test('a valid credential passes the credential-level steps only', async () => {
    const r = await inspectToken(world.issue(), world.runtime);
    assertConsistent(r);
    assert.equal(r.kind, 'vc');
    assert.equal(r.valid, true, JSON.stringify(r.checks));
    assert.deepEqual(r.checks.map((c) => c.step), ['parse-credential', 'credential-type', 'credential-format', 'credential-time', 'issuer-trusted', 'claim-restrictions', 'vc-signature', 'revocation', 'mandator-trusted']);
  });

  test('an expired credential under a rogue root: time and signature fail, revocation is not run', async () => {
    const vc = world.issue({ seal: world.pki.rogueSeal, chain: [], validFrom: new Date(world.clock.now() - 30 * DAY), validUntil: new Date(world.clock.now() - DAY) });
    const r = await inspectToken(vc, world.runtime);
    assertConsistent(r);
    assert.equal(byStep(r).get('credential-time')?.code, 'ERR_VC_EXPIRED');
    assert.equal(byStep(r).get('vc-signature')?.code, 'ERR_VC_CERTIFICATE');
    assert.equal(byStep(r).get('revocation')?.message, 'not run: depends on vc-signature');
    assert.equal(byStep(r).get('issuer-trusted')?.ok, true);
  });

  test('an employee credential is checked as an employee credential', async () => {
    const r = await inspectToken(world.issue({ kind: 'employee', mandatee: { id: world.machine.did, email: 'a@example.org', firstName: 'A', lastName: 'B' } }), world.runtime);
    assertConsistent(r);
    assert.equal(byStep(r).get('credential-type')?.ok, true);
  });

  test('a credential JWT that does not decode fails parse-credential with the server message', async () => {
    const r = await inspectToken('eyJhbGciOiJSUzI1NiJ9.eyJ2YyI6e319.', world.runtime, { kind: 'vc' });
    assertConsistent(r);
    assert.equal(byStep(r).get('parse-credential')?.code, 'ERR_VC_MALFORMED');
    assert.match(byStep(r).get('parse-credential')?.message ?? '', /^the credential is not a valid JWT/);
    assert.equal(failed(r).length, r.checks.length);
  });
});

describe('client-assertion', () => {
  test('a valid M2M assertion passes client authentication and the presentation, without writing a replay entry', async () => {
    const { clientAssertion } = await world.tokenRequest();
    const before = world.storeSize();
    for (let i = 0; i < 2; i++) {
      const r = await inspectToken(clientAssertion, world.runtime);
      assertConsistent(r);
      assert.equal(r.kind, 'client-assertion');
      assert.equal(r.valid, true, JSON.stringify(r.checks));
      assert.ok(byStep(r).has('assertion-signature') && byStep(r).has('vp-token') && byStep(r).has('mandator-trusted'));
      assert.ok(!byStep(r).has('assertion-replay'));
      assert.ok(r.skipped.some((s) => s.step === 'assertion-replay'));
      assert.deepEqual(r.embedded.map((e) => e.kind), ['vp', 'vc']);
    }
    assert.equal(world.storeSize(), before, 'no jti reserved');
    const res = await world.post((await world.tokenRequest()).body);
    assert.equal(res.status, 200, 'the token endpoint still works');
  });

  test('an unknown client with an expired assertion: every failure listed, the presentation is still checked', async () => {
    const stranger = newMachine();
    const { clientAssertion } = await world.tokenRequest({ holder: stranger, now: world.clock.now() - 10 * 60_000 });
    const r = await inspectToken(clientAssertion, world.runtime);
    assertConsistent(r);
    assert.equal(byStep(r).get('find-client')?.code, 'ERR_CLIENT_UNKNOWN');
    for (const step of ['assertion-header', 'assertion-claims', 'resolve-client-key']) {
      assert.equal(byStep(r).get(step)?.message, 'not run: depends on find-client', step);
    }
    assert.equal(byStep(r).get('assertion-signature')?.message, 'not run: depends on resolve-client-key');
    assert.equal(byStep(r).get('presentation-time')?.code, 'ERR_VP_EXPIRED');
    assert.equal(byStep(r).get('vc-signature')?.ok, true);
  });

  test('an assertion without vp_token: client authentication only', async () => {
    const assertion = await createClientAssertion({ clientId: world.machine.did, key: world.machine.privateKey, audience: ISSUER, vpJwt: 'a.b.c', extraClaims: { vp_token: undefined }, now: () => world.clock.now() });
    const r = await inspectToken(assertion, world.runtime, { kind: 'client-assertion' });
    assertConsistent(r);
    assert.equal(r.valid, true, JSON.stringify(r.checks));
    assert.ok(!byStep(r).has('vp-token'));
    assert.ok(r.skipped.some((s) => s.step === 'presentation'));
  });

  test('an assertion that does not parse: nothing after find-client runs', async () => {
    const r = await inspectToken('eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.AA', world.runtime, { kind: 'client-assertion' });
    assertConsistent(r);
    assert.equal(byStep(r).get('parse-client-assertion')?.ok, false);
    assert.equal(byStep(r).get('vp-token')?.message, 'not run: depends on parse-client-assertion');
    assert.equal(byStep(r).get('parse-presentation')?.message, 'not run: depends on vp-token');
    assert.ok(r.checks.every((c: CheckResult) => !c.ok));
  });
});

describe('request-object', () => {
  const sign = (o: { issuer?: string; lifetimeSeconds?: number; redirectUri?: string; scope?: string } = {}) =>
    createRequestObject({
      clientId: rp.did,
      key: rp.privateKey,
      issuer: o.issuer ?? ISSUER,
      redirectUri: o.redirectUri ?? RP_REDIRECT,
      scope: o.scope ?? 'openid learcredential',
      state: 's-1',
      nonce: 'n-1',
      now: () => world.clock.now(),
      ...(o.lifetimeSeconds !== undefined ? { lifetimeSeconds: o.lifetimeSeconds } : {}),
    });

  test('a request object signed by a registered RP passes', async () => {
    const r = await inspectToken(await sign(), world.runtime);
    assertConsistent(r);
    assert.equal(r.kind, 'request-object');
    assert.deepEqual(r.checks.map((c) => [c.step, c.ok]), [
      ['authorize-client', true], ['request-object', true], ['redirect-uri', true], ['response-type', true], ['scope', true], ['state-nonce', true], ['pkce', true],
    ]);
  });

  test('a redirect_uri not registered for the client fails as /oidc/authorize fails it, never VALID', async () => {
    const jwt = await sign({ redirectUri: 'https://evil.example/cb' });
    const r = await inspectToken(jwt, world.runtime);
    assertConsistent(r);
    assert.equal(r.valid, false);
    assert.equal(byStep(r).get('redirect-uri')?.code, 'ERR_AUTHZ_REDIRECT_URI');
    // The server refuses the same object (error page, nothing stored).
    const res = await world.app.inject({ method: 'GET', url: `/oidc/authorize?${new URLSearchParams({ client_id: rp.did, response_type: 'code', request: jwt }).toString()}` });
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /ERR_AUTHZ_REDIRECT_URI/);
  });

  test('a scope the verifier does not serve fails the scope check', async () => {
    const r = await inspectToken(await sign({ scope: 'openid email' }), world.runtime);
    assertConsistent(r);
    assert.equal(r.valid, false);
    assert.deepEqual(failed(r), ['scope']);
  });

  test('one for another verifier fails; one of an unknown client is not verified at all', async () => {
    const other = await inspectToken(await sign({ issuer: 'https://elsewhere.example' }), world.runtime);
    assertConsistent(other);
    assert.equal(byStep(other).get('request-object')?.code, 'ERR_REQUEST_OBJECT_INVALID');
    const stranger = generateP256();
    const unknown = await inspectToken(
      await createRequestObject({ clientId: stranger.did, key: stranger.privateKey, issuer: ISSUER, redirectUri: RP_REDIRECT, scope: 'learcredential', state: 's', nonce: 'n' }),
      world.runtime,
    );
    assertConsistent(unknown);
    assert.equal(byStep(unknown).get('authorize-client')?.code, 'ERR_AUTHZ_CLIENT_UNKNOWN');
    assert.equal(byStep(unknown).get('request-object')?.message, 'not run: depends on authorize-client');
  });
});

describe('access-token', () => {
  async function issuedToken(): Promise<string> {
    const res = await world.post((await world.tokenRequest()).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return String(res.json.access_token);
  }

  test('an access token issued by the runtime verifies', async () => {
    const r = await inspectToken(await issuedToken(), world.runtime);
    assertConsistent(r);
    assert.equal(r.kind, 'access-token');
    assert.equal(r.valid, true, JSON.stringify(r.checks));
    assert.deepEqual(r.checks.map((c) => c.step), ['parse-access-token', 'access-token-signature', 'access-token-typ', 'access-token-issuer', 'access-token-time', 'access-token-audience', 'access-token-credential']);
  });

  test('a tampered access token fails the signature check only', async () => {
    const [h, p, s] = (await issuedToken()).split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, scope: 'machine learcredential admin' })).toString('base64url')}.${s}`;
    const r = await inspectToken(tampered, world.runtime);
    assertConsistent(r);
    assert.equal(r.kind, 'access-token');
    assert.equal(r.valid, false);
    assert.deepEqual(failed(r), ['access-token-signature']);
    assert.match(byStep(r).get('access-token-signature')?.message ?? '', /signature does not verify/);
    assert.equal(byStep(r).get('access-token-signature')?.code, 'ERR_ACCESS_TOKEN_SIGNATURE');
  });

  test('an expired token from another issuer lists both; the clock can be replaced', async () => {
    const token = await issuedToken();
    const later = await inspectToken(token, { ...world.runtime, clock: { now: () => world.clock.now() + DAY } });
    assert.match(byStep(later).get('access-token-time')?.message ?? '', /expired/);
    assert.equal(byStep(later).get('access-token-time')?.code, 'ERR_ACCESS_TOKEN_EXPIRED');
    const elsewhere = await inspectToken(token, { ...world.runtime, issuer: 'https://elsewhere.example' }, { kind: 'access-token' });
    assert.deepEqual(failed(elsewhere), ['access-token-issuer']);
    assert.equal(byStep(elsewhere).get('access-token-issuer')?.code, 'ERR_ACCESS_TOKEN_ISSUER');
    const garbage = await inspectToken('eyJhbGciOiJFUzI1NiJ9.e30.x', world.runtime, { kind: 'access-token' });
    assert.equal(byStep(garbage).get('parse-access-token')?.code, 'ERR_ACCESS_TOKEN_MALFORMED');
  });
});
