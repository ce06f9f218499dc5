/**
 * Issue #10 §6: for every credential format the verifier's access token carries `vc` as an
 * object exposing `credentialSubject.mandate.{mandatee, mandator, power}`, plus
 * `credential_type` and (for a client configured with one) `tenant`; the ID token keeps
 * `vc_json` as a string and the OIDC claims. The resource-server middleware reads legacy,
 * VCDM 2.0 and SD-JWT-derived tokens, and `vc` given as a JSON string (IN2 V3 for a while);
 * `hasPower` works for all. Tokens come from the real verifier: its endpoints for JWT VCs (M2M and
 * wallet login), its SD-JWT pipeline + token signer + JWKS for SD-JWT VCs (not yet reachable from
 * the wallet endpoint).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createAccessTokenValidator, hasPower, organizationOf } from '@dome-verifier/resource-server';
import { createAccessToken, credentialTokenClaims, mapSdJwtLearCredential, sdJwtTokenVc, signJws, verifySdJwtPresentation } from '@dome-verifier/core';
import { issueSdJwtVc, presentSdJwt, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, decodePart, ISSUER, ISSUER_DID, newMachine, ORG, TYPES, type MachineClient, type World } from '../support/world.ts';
import { refreshForm } from '../support/h2m.ts';
import { employeeTokens, RP_CALLBACK, verifierFetch } from './helpers.ts';

const EMPLOYEE_W3C = 'learcredential.employee.w3c.4';
const MACHINE_W3C = 'learcredential.machine.w3c.3';

describe('tokens for every credential format, read by the resource-server middleware', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({
      til: { [ISSUER_DID]: { types: [...TYPES, EMPLOYEE_W3C, MACHINE_W3C, 'learcredential.employee.sd.1'] } },
      clients: [{ ...trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISSUER, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [RP_CALLBACK] }), tenant: 'acme' }],
    });
  });
  after(() => w.close());

  const validator = () => createAccessTokenValidator({ issuer: w.issuer, fetch: verifierFetch(w), now: () => w.clock.now() });
  const mandatee = { firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' };

  async function machineToken(format: 'legacy' | 'w3c-v2'): Promise<string> {
    const res = await w.post((await w.tokenRequest({ credential: w.issue({ format }) })).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return String(res.json.access_token);
  }


  /** The token the verifier issues for an SD-JWT VC login: its SD-JWT pipeline, its signer. */
  async function sdJwtToken(): Promise<string> {
    const issued = issueSdJwtVc({ seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, holderJwk: user.publicJwk, mandatee: { id: user.did, ...mandatee }, validFrom: new Date(w.clock.now() - 3_600_000), validUntil: new Date(w.clock.now() + 86_400_000) });
    const presentation = presentSdJwt({ sdJwt: issued.sdJwt, holderKey: user.privateKey, clientId: w.runtime.identity.did, nonce: 'n-sd', iat: Math.floor(w.clock.now() / 1000) });
    const verified = await verifySdJwtPresentation({ presentation, expectedAudience: w.runtime.identity.did, expectedNonce: 'n-sd' }, { clock: w.clock, x5c: w.runtime.tokenDeps.x5c });
    const credential = mapSdJwtLearCredential(verified);
    return createAccessToken(w.runtime.tokenDeps.signer, {
      issuer: w.issuer, audience: rp.did, subject: user.did, scope: 'openid learcredential', vc: sdJwtTokenVc(verified),
      nowSeconds: Math.floor(w.clock.now() / 1000), expiresInSeconds: 300, typ: 'JWT', extra: credentialTokenClaims(credential, 'acme'),
    }).token;
  }

  function assertMandateObject(token: string): Record<string, any> {
    const vc = decodePart(token).vc as Record<string, any>;
    assert.equal(typeof vc, 'object', 'vc is an object');
    const m = vc.credentialSubject.mandate;
    assert.equal(typeof m.mandatee, 'object');
    assert.equal(m.mandator.organizationIdentifier, ORG);
    assert.ok(Array.isArray(m.power) && m.power.length > 0);
    return vc;
  }

  for (const [format, type] of [['legacy', 'LEARCredentialMachine'], ['w3c-v2', MACHINE_W3C]] as const) {
    test(`M2M ${format}: vc object with the mandate, credential_type ${type}; the middleware reads it and hasPower works`, async () => {
      const token = await machineToken(format);
      assertMandateObject(token);
      const v = await validator().validate(token);
      assert.equal(v.kind, 'machine');
      assert.equal(v.subject, w.machine.did);
      assert.equal(v.credential.mandatee.id, w.machine.did);
      assert.equal(v.credentialType, type);
      assert.equal(organizationOf(v), ORG);
      assert.ok(hasPower(v, { function: 'Onboarding', action: 'Execute' }));
    });
  }

  for (const [format, type] of [['legacy', 'LEARCredentialEmployee'], ['w3c-v2', EMPLOYEE_W3C]] as const) {
    test(`H2M ${format}: access token vc object, sub = mandatee, credential_type and the client's tenant; ID token vc_json string and OIDC claims`, async () => {
      const tokens = await employeeTokens({ w, rp, user }, w.issue({ kind: 'employee', format, mandatee: { id: user.did, ...mandatee } }));
      const at = decodePart(tokens.accessToken);
      const vc = assertMandateObject(tokens.accessToken);
      assert.equal(at.sub, user.did, 'the holder, not the urn:uuid credentialSubject.id');
      assert.equal(at.credential_type, type);
      assert.equal(at.tenant, 'acme');
      assert.equal(vc.credentialSubject.mandate.mandatee.firstName, 'Jane');
      const id = decodePart(tokens.idToken);
      assert.equal(typeof id.vc_json, 'string');
      assert.deepEqual(JSON.parse(String(id.vc_json)), vc);
      assert.equal(id.sub, user.did);
      assert.equal(id.credential_type, type);
      assert.deepEqual([id.given_name, id.family_name, id.name, id.email], ['Jane', 'Doe', 'Jane Doe', 'jane@example.org']);
      const v = await validator().validate(tokens.accessToken);
      assert.equal(v.kind, 'employee');
      assert.equal(v.subject, user.did);
      assert.equal(v.tenant, 'acme');
      assert.equal(v.credentialType, type);
      assert.ok(hasPower(v, { function: 'ProductOffering', action: 'Create' }));
      const refreshed = await w.post(refreshForm(rp, tokens.refreshToken, w));
      assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
      const again = decodePart(String(refreshed.json.access_token));
      assert.deepEqual([again.credential_type, again.tenant, again.sub], [type, 'acme', user.did], 'a refreshed token keeps the claims');
      assert.deepEqual(again.vc, at.vc);
    });
  }

  test('SD-JWT VC: the mapped vc object carries the mandate at the same paths, credential_type learcredential.employee.sd.1; the middleware reads it', async () => {
    const token = await sdJwtToken();
    const vc = assertMandateObject(token);
    assert.deepEqual(vc.type, ['VerifiableCredential', 'learcredential.employee.sd.1']);
    assert.equal(vc.credentialSubject.mandate.mandatee.id, user.did);
    const at = decodePart(token);
    assert.equal(at.credential_type, 'learcredential.employee.sd.1');
    const v = await validator().validate(token);
    assert.equal(v.kind, 'employee');
    assert.equal(v.credentialType, 'learcredential.employee.sd.1');
    assert.equal(v.credential.mandatee.firstName, 'Jane');
    assert.ok(hasPower(v, { function: 'Onboarding', action: 'Execute' }));
  });

  test('vc given as a JSON string (IN2 V3 until 2026-07) is read like the object', async () => {
    const objectToken = await machineToken('w3c-v2');
    const claims = decodePart(objectToken);
    const stringToken = signJws({ alg: 'ES256', kid: w.runtime.tokenDeps.signer.kid, typ: 'JWT' }, { ...claims, vc: JSON.stringify(claims.vc) }, w.runtime.tokenDeps.signer.key);
    const [a, b] = [await validator().validate(objectToken), await validator().validate(stringToken)];
    assert.deepEqual(b.credential, a.credential);
    assert.ok(hasPower(b, { function: 'Onboarding', action: 'Execute' }));
    assert.equal(b.credentialType, MACHINE_W3C);
  });
});
