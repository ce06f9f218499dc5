import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { employeeProfile, employeeTokenVc, subjectOf } from '../token-credential.ts';
import { mapSdJwtLearCredential, sdJwtLearVc } from './map-lear-sd-jwt.ts';
import { SdJwtError, type SdJwtFailure } from './errors.ts';

/** Processed claims of a DOME SD-JWT VC (dome-wallet-pwa.md §6.3) after the disclosures are applied. */
const MANDATEE = { id: 'did:key:zDnaeHolder', email: 'jane.doe@example.org', firstName: 'Jane', lastName: 'Doe', employeeId: 'E-1' };
const MANDATOR = { organizationIdentifier: 'VATES-T0000001', organization: 'Test S.L.', commonName: 'LEAR', country: 'ES', email: 'lear@example.org', serialNumber: 'IDCT0000001' };
const POWER = [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: 'Execute' }];
const CNF = { jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } };
const claims = (over: Record<string, unknown> = {}) => ({
  iss: 'did:elsi:VATES-T0000001', jti: 'urn:uuid:0f5e', iat: 1748736000, nbf: 1748736000, exp: 1780272000,
  vct: 'learcredential.employee.sd.1', mandate: { mandatee: MANDATEE, mandator: MANDATOR, power: POWER }, cnf: CNF,
  status: { status_list: { uri: 'https://issuer.example.org/status/1', idx: 7 } }, ...over,
});
const statusList = { uri: 'https://issuer.example.org/status/1', idx: 7 };
const failure = (name: SdJwtFailure) => (e: unknown) => e instanceof SdJwtError && e.failure === name && e.code === 'ERR_SD_JWT_VCT';

describe('LEAR SD-JWT VC → LEAR credential model', () => {
  test('learcredential.employee.sd.1 maps to an employee credential with mandate, issuer, validity and a TokenStatusListEntry', () => {
    const c = mapSdJwtLearCredential({ claims: claims(), statusList });
    assert.equal(c.kind, 'employee');
    assert.equal(c.issuerDid, 'did:elsi:VATES-T0000001');
    assert.equal(c.id, 'urn:uuid:0f5e');
    assert.equal(c.validFrom, '2025-06-01T00:00:00.000Z');
    assert.equal(c.validUntil, '2026-06-01T00:00:00.000Z');
    assert.deepEqual(c.mandatee, MANDATEE);
    assert.deepEqual(c.mandator, MANDATOR);
    assert.deepEqual(c.powers, [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute'] }]);
    assert.deepEqual(c.credentialStatus, { type: 'TokenStatusListEntry', statusPurpose: 'revocation', statusListCredential: statusList.uri, statusListIndex: 7 });
    assert.deepEqual(c.types, ['VerifiableCredential', 'learcredential.employee.sd.1']);
  });

  test("IN2 V3's vct eu.europa.ec.eudi.lce.1 maps to the same employee type and keeps the presented vct", () => {
    const vc = sdJwtLearVc({ claims: claims({ vct: 'eu.europa.ec.eudi.lce.1' }), statusList });
    assert.deepEqual(vc.type, ['VerifiableCredential', 'learcredential.employee.sd.1']);
    assert.equal(vc.vct, 'eu.europa.ec.eudi.lce.1');
  });

  test('the machine vcts map to machine credentials', () => {
    for (const vct of ['learcredential.machine.sd.1', 'eu.europa.ec.eudi.lcm.1']) {
      assert.equal(mapSdJwtLearCredential({ claims: claims({ vct }), statusList }).kind, 'machine', vct);
    }
  });

  test('tokens expose credentialSubject.mandate.{mandatee, mandator, power} at the paths relying parties read', () => {
    const c = mapSdJwtLearCredential({ claims: claims(), statusList });
    const vc = employeeTokenVc(c) as { credentialSubject: { mandate: Record<string, unknown> } };
    assert.equal((vc.credentialSubject.mandate.mandatee as { firstName: string }).firstName, 'Jane');
    assert.equal((vc.credentialSubject.mandate.mandatee as { first_name: string }).first_name, 'Jane');
    assert.equal((vc.credentialSubject.mandate.mandator as { organizationIdentifier: string }).organizationIdentifier, 'VATES-T0000001');
    assert.equal((vc.credentialSubject.mandate.power as Array<{ function: string }>)[0]!.function, 'Onboarding');
    assert.deepEqual(employeeProfile(c), { name: 'Jane Doe', given_name: 'Jane', family_name: 'Doe', email: 'jane.doe@example.org', email_verified: true });
    assert.equal(subjectOf(c), 'did:key:zDnaeHolder', 'the holder is mandate.mandatee.id');
  });

  test('a root sub becomes credentialSubject.id', () => {
    assert.equal(mapSdJwtLearCredential({ claims: claims({ sub: 'did:key:zDnaeHolder' }), statusList }).subjectId, 'did:key:zDnaeHolder');
  });

  test('without a status list reference there is no credentialStatus', () => {
    assert.equal(mapSdJwtLearCredential({ claims: claims({ status: undefined }), statusList: undefined }).credentialStatus, undefined);
  });

  test('an SD-JWT VC of another vct is refused', () => {
    assert.throws(() => mapSdJwtLearCredential({ claims: claims({ vct: 'urn:eudi:pid:1' }), statusList }), failure('VCT_UNSUPPORTED'));
    assert.throws(() => mapSdJwtLearCredential({ claims: claims({ vct: undefined }), statusList }), failure('VCT_UNSUPPORTED'));
  });

  test('a presentation that withholds mandatee, mandator or power is refused (the PWA always discloses all three)', () => {
    for (const missing of ['mandatee', 'mandator', 'power']) {
      const mandate: Record<string, unknown> = { mandatee: MANDATEE, mandator: MANDATOR, power: POWER };
      delete mandate[missing];
      assert.throws(() => mapSdJwtLearCredential({ claims: claims({ mandate }), statusList }), failure('MANDATE_INCOMPLETE'), missing);
    }
    assert.throws(() => mapSdJwtLearCredential({ claims: claims({ mandate: undefined }), statusList }), failure('MANDATE_INCOMPLETE'));
  });
});
