/**
 * Interop with the DOME PDP's test fixture (fiware-and-dome-docs.md §23.2, `pdp/fake_claims.go`):
 * a production-shaped H2M access token — prd verifier kid, LEARCredentialEmployee v1 with
 * `tmf_*` powers, `life_span` and `signer`, issued by did:elsi:VATES-Q0000000J — signed here
 * by a test key published under the prd verifier's kid. Personal data are placeholders.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createAccessTokenValidator, hasPower, isLEAR, organizationOf, parseLearCredential, type LearCredential } from '@dome-verifier/resource-server';

const PRD_VERIFIER = 'https://verifier.dome-marketplace.eu';
const PRD_KID = 'did:key:zDnaeVYnWTZu5nbrH1qmBVMvNwSrtKnkRbCZ4xH5h2LQPnzdr';
const CLIENT = 'did:key:zDnaeTU39Wx9KXgmEwmfXsZSyEVxgCqwCVmoPyVQUTD8bhW8a';
const MANDATEE = 'did:key:zDnaecLv5ayCrzWRiYyF3vaHhKqTSkFGWiJJdMfArWnZWcqRn';
const IAT = 1755669179;

/** The fixture's payload, field for field (alphabetical inside `vc`, as the verifier's Jackson writes it). */
function fixturePayload(power: Array<Record<string, unknown>>): Record<string, unknown> {
  return {
    aud: CLIENT,
    sub: MANDATEE,
    scope: 'openid learcredential',
    iss: PRD_VERIFIER,
    exp: IAT + 3600,
    iat: IAT,
    vc: {
      '@context': ['https://www.w3.org/ns/credentials/v2', 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialemployee/v1'],
      credentialSubject: {
        mandate: {
          id: '52cecf75-76ba-4dad-8e86-0e5c2caa4094',
          life_span: { end_date_time: '2025-12-23T10:15:48.868293863Z', start_date_time: '2024-12-23T10:15:48.868293863Z' },
          mandatee: { email: 'employee@example.org', first_name: 'Ada', id: MANDATEE, last_name: 'Example', mobile_phone: '' },
          mandator: {
            commonName: 'Legal Representative',
            country: 'ES',
            emailAddress: 'lear@example.org',
            organization: 'IN2 INGENIERIA DE LA INFORMACION SOCIEDAD LIMITADA',
            organizationIdentifier: 'VATES-B60645900',
            serialNumber: '00000000T',
          },
          power,
          signer: {
            commonName: 'Credential Issuer Signer',
            country: 'ES',
            emailAddress: 'signer@example.org',
            organization: 'DOME Credential Issuer',
            organizationIdentifier: 'VATES-Q0000000J',
            serialNumber: 'IDCES-00000000T',
          },
        },
      },
      id: '16274fcc-0744-4266-b8b1-4f48ff827e14',
      issuer: 'did:elsi:VATES-Q0000000J',
      type: ['LEARCredentialEmployee', 'VerifiableCredential'],
      validFrom: '2024-12-23T10:15:48.868293863Z',
      validUntil: '2025-12-23T10:15:48.868293863Z',
    },
    jti: '4c492f01-6d18-43d2-a040-f351cb813ee0',
    client_id: PRD_VERIFIER,
  };
}

const FIXTURE_POWERS = [
  { id: '054b8f6f-0f17-4662-ae26-3171dfaddb87', tmf_action: 'Execute', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_type: 'Domain' },
  { id: '3f642e88-d3c0-4263-8718-a436372d1a56', tmf_action: ['Create', 'Update', 'Delete'], tmf_domain: 'DOME', tmf_function: 'ProductOffering', tmf_type: 'Domain' },
];

/** The PDP's computation (`pdp/pdp.go`), re-stated independently: string-valued, case-insensitive, plain or tmf_ names. */
function pdpIsLear(vc: Record<string, unknown>): boolean {
  const mandate = (vc.credentialSubject as { mandate: { power?: Array<Record<string, unknown>> } }).mandate;
  const field = (p: Record<string, unknown>, name: string) => String(p[name] ?? p[`tmf_${name}`] ?? '').toLowerCase();
  return (mandate.power ?? []).some((p) => field(p, 'type') === 'domain' && field(p, 'domain') === 'dome' && field(p, 'function') === 'onboarding' && field(p, 'action') === 'execute');
}

const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: PRD_KID, use: 'sig', alg: 'ES256' }] };
const sign = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ kid: PRD_KID, typ: 'JWT', alg: 'ES256' }).sign(privateKey);
const validator = () => createAccessTokenValidator({ issuer: PRD_VERIFIER, audience: CLIENT, jwks, now: () => (IAT + 60) * 1000 });

describe('DOME PDP test-fixture token', () => {
  test('validates; isLEAR as the PDP computes it; organisation = the mandator', async () => {
    const payload = fixturePayload(FIXTURE_POWERS);
    const token = await sign(payload);
    assert.deepEqual(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()), { kid: PRD_KID, typ: 'JWT', alg: 'ES256' });
    const v = await validator().validate(token);
    assert.equal(v.kind, 'employee');
    assert.equal(v.credential.shape, 'employee-v1');
    assert.equal(v.subject, MANDATEE);
    assert.equal(v.credential.issuer, 'did:elsi:VATES-Q0000000J');
    assert.equal(organizationOf(v), 'VATES-B60645900');
    assert.equal(v.credential.mandator.country, 'ES');
    assert.equal(v.credential.signer?.organizationIdentifier, 'VATES-Q0000000J');
    assert.equal(v.credential.mandatee.firstName, 'Ada');
    assert.equal(isLEAR(v), true);
    assert.equal(isLEAR(v), pdpIsLear(payload.vc as Record<string, unknown>));
    assert.ok(hasPower(v, { function: 'ProductOffering', action: 'Delete' }));
    assert.ok(!hasPower(v, { function: 'Certification', action: 'Attest' }));
  });

  test('isLEAR agrees with the PDP across power variants', () => {
    const variants: Array<Array<Record<string, unknown>>> = [
      [],
      [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: 'execute' }], // the PDP's own fake claims
      [{ tmf_type: 'domain', tmf_domain: 'dome', tmf_function: 'ONBOARDING', tmf_action: 'EXECUTE' }],
      [{ tmf_type: 'Organization', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_action: 'Execute' }],
      [{ tmf_type: 'Domain', tmf_domain: 'OTHER', tmf_function: 'Onboarding', tmf_action: 'Execute' }],
      [{ tmf_type: 'Domain', tmf_domain: 'DOME', tmf_function: 'ProductOffering', tmf_action: 'Execute' }],
      [{ tmf_type: 'Domain', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_action: 'Create' }],
      FIXTURE_POWERS,
    ];
    for (const power of variants) {
      const vc = fixturePayload(power).vc as Record<string, unknown>;
      const c: LearCredential = parseLearCredential(vc);
      assert.equal(isLEAR(c), pdpIsLear(vc), JSON.stringify(power));
    }
  });

  test('the fixture token is refused after exp, for another audience, and when re-signed with another key', async () => {
    const token = await sign(fixturePayload(FIXTURE_POWERS));
    await assert.rejects(createAccessTokenValidator({ issuer: PRD_VERIFIER, jwks, now: () => (IAT + 3600 + 31) * 1000 }).validate(token), /expired/);
    await assert.rejects(createAccessTokenValidator({ issuer: PRD_VERIFIER, jwks, audience: PRD_VERIFIER, now: () => IAT * 1000 }).validate(token), /not intended/);
    const rogue = await generateKeyPair('ES256');
    const forged = await new SignJWT(fixturePayload(FIXTURE_POWERS)).setProtectedHeader({ kid: PRD_KID, typ: 'JWT', alg: 'ES256' }).sign(rogue.privateKey);
    await assert.rejects(validator().validate(forged), /signature/);
  });
});
