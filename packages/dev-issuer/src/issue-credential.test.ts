import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { decodeJws, verifyJws } from '@dome-verifier/core/jws';
import { createDevChain, createSealCertificate, type DevCertificate } from './ca.ts';
import { issueLearCredential, LEAR_CONTEXTS, type IssueOptions } from './issue-credential.ts';
import { generateP256 } from './keys.ts';

const ORG = 'VATES-B60645900';
const FROM = new Date('2025-01-01T00:00:00.000Z');
const UNTIL = new Date('2026-01-01T00:00:00.000Z');
let seal: DevCertificate;
let ecSeal: DevCertificate;
let intermediate: DevCertificate;

before(async () => {
  ({ intermediate } = await createDevChain());
  seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'IN2 Test S.L.', country: 'ES', serialNumber: 'B60645900' });
  ecSeal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'IN2 Test S.L.', country: 'ES', keyAlg: 'ES256' });
});

/** Decodes, checks the signature with the x5c leaf key (crit sigT understood) and returns the parts. */
function verified(jwt: string) {
  const jws = decodeJws(jwt, { maxLength: 100_000, maxHeaderLength: 24 * 1024 });
  const x5c = jws.header.x5c as string[];
  const leaf = new X509Certificate(Buffer.from(x5c[0]!, 'base64'));
  verifyJws(jws, leaf.publicKey, { algorithms: ['RS256', 'PS256', 'ES256'], crit: ['sigT'] });
  return { header: jws.header, payload: jws.payload, vc: jws.payload.vc as Record<string, any> };
}

function base(o: Partial<IssueOptions> & Pick<IssueOptions, 'kind'>): IssueOptions {
  return { seal, chain: [intermediate], organizationIdentifier: ORG, mandatee: { id: generateP256().did }, validFrom: FROM, validUntil: UNTIL, ...o };
}

test('machine v1: header {alg RS256, typ JWT, x5c leaf first, sigT, crit [sigT]}, IN2 envelope claims, signature verifies with the leaf key', () => {
  const holder = generateP256().did;
  const { jwt, credential } = issueLearCredential(base({ kind: 'machine', mandatee: { id: holder } }));
  const { header, payload, vc } = verified(jwt);
  assert.equal(header.alg, 'RS256');
  assert.equal(header.typ, 'JWT');
  assert.deepEqual(header.x5c, [seal.x5c, intermediate.x5c]);
  assert.deepEqual(header.crit, ['sigT']);
  assert.match(String(header.sigT), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(Object.keys(payload), ['sub', 'nbf', 'iss', 'exp', 'iat', 'jti', 'vc']);
  assert.equal(payload.iss, `did:elsi:${ORG}`);
  assert.equal(payload.sub, holder);
  assert.equal(payload.nbf, FROM.getTime() / 1000);
  assert.equal(payload.iat, FROM.getTime() / 1000);
  assert.equal(payload.exp, UNTIL.getTime() / 1000);
  assert.equal(payload.jti, vc.id);
  assert.match(vc.id, /^urn:uuid:/);
  assert.deepEqual(credential, vc);
  assert.deepEqual(vc['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialmachine/v1']);
  assert.deepEqual(vc.type, ['LEARCredentialMachine', 'VerifiableCredential']);
  assert.deepEqual(vc.issuer, {
    id: `did:elsi:${ORG}`, organizationIdentifier: ORG, organization: 'IN2 Test S.L.', country: 'ES', commonName: 'IN2 Test S.L. eSeal', serialNumber: 'B60645900',
  });
  assert.equal(vc.issuanceDate, FROM.toISOString());
  assert.equal(vc.validFrom, FROM.toISOString());
  assert.equal(vc.expirationDate, UNTIL.toISOString());
  assert.equal(vc.validUntil, UNTIL.toISOString());
  const m = vc.credentialSubject.mandate;
  assert.equal(typeof m.id, 'string');
  assert.deepEqual(m.life_span, { start_date_time: FROM.toISOString(), end_date_time: UNTIL.toISOString() });
  assert.equal(m.mandatee.id, holder);
  for (const f of ['serviceName', 'serviceType', 'version', 'domain', 'ipAddress', 'description']) assert.equal(typeof m.mandatee[f], 'string', f);
  assert.deepEqual(Object.keys(m.mandatee.contact), ['email', 'phone']);
  assert.deepEqual(Object.keys(m.mandator), ['commonName', 'country', 'emailAddress', 'organization', 'organizationIdentifier', 'serialNumber']);
  assert.equal(m.mandator.organizationIdentifier, ORG);
  assert.equal(m.power.length, 1);
  assert.deepEqual(Object.keys(m.power[0]), ['id', 'tmf_type', 'tmf_domain', 'tmf_function', 'tmf_action']);
  assert.deepEqual({ ...m.power[0], id: undefined }, { id: undefined, tmf_type: 'Domain', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_action: 'Execute' });
  assert.equal(m.signer.organizationIdentifier, ORG);
  assert.equal(vc.credentialStatus, undefined);
});

test('machine v2: eudistack context, credentialSubject.id = mandatee.id, mandator with did:elsi id and email, powers without id, cnf.jwk claim', () => {
  const holder = generateP256();
  const { jwt } = issueLearCredential(base({ kind: 'machine', shape: 'v2', mandatee: { id: holder.did, domain: 'https://svc.example' }, cnfJwk: holder.publicJwk }));
  const { payload, vc } = verified(jwt);
  assert.deepEqual(vc['@context'], LEAR_CONTEXTS.machine.v2);
  assert.equal(vc['@context'][1], 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_machine/w3c/v2');
  assert.deepEqual(payload.cnf, { jwk: holder.publicJwk });
  assert.equal(vc.credentialSubject.id, holder.did);
  const m = vc.credentialSubject.mandate;
  assert.deepEqual(Object.keys(m), ['mandatee', 'mandator', 'power']);
  assert.deepEqual(m.mandatee, { id: holder.did, domain: 'https://svc.example', ipAddress: '127.0.0.1' });
  assert.deepEqual(Object.keys(m.mandator), ['id', 'commonName', 'country', 'email', 'organization', 'organizationIdentifier', 'serialNumber']);
  assert.equal(m.mandator.id, `did:elsi:${ORG}`);
  assert.deepEqual(m.power, [{ action: 'Execute', domain: 'DOME', function: 'Onboarding', type: 'Domain' }]);
  for (const k of ['validFrom', 'validUntil', 'issuanceDate', 'expirationDate']) assert.equal(typeof vc[k], 'string');
});

test('employee v1: exact v1 context, snake_case mandatee, tmf_* powers (default Onboarding + ProductOffering), life_span and signer', () => {
  const holder = generateP256().did;
  const { jwt } = issueLearCredential(base({ kind: 'employee', shape: 'v1', mandatee: { id: holder, firstName: 'Oriol' } }));
  const { payload, vc } = verified(jwt);
  assert.equal(payload.sub, holder);
  assert.deepEqual(vc['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialemployee/v1']);
  assert.deepEqual(vc.type, ['LEARCredentialEmployee', 'VerifiableCredential']);
  const m = vc.credentialSubject.mandate;
  assert.deepEqual(Object.keys(m.mandatee).sort(), ['email', 'first_name', 'id', 'last_name', 'mobile_phone']);
  assert.equal(m.mandatee.first_name, 'Oriol');
  assert.deepEqual(m.power.map((p: Record<string, unknown>) => [p.tmf_function, p.tmf_action]), [['Onboarding', 'Execute'], ['ProductOffering', ['Create', 'Update', 'Delete']]]);
  assert.ok(m.power.every((p: Record<string, unknown>) => typeof p.id === 'string'));
  assert.ok(m.life_span && m.signer);
  assert.equal(vc.expirationDate, UNTIL.toISOString());
});

test('employee v2 (default employee shape): 2025 DOME context, camelCase mandatee with nationality, plain powers with id, description, no life_span/signer', () => {
  const { jwt } = issueLearCredential(base({ kind: 'employee', mandatee: { id: generateP256().did, first_name: 'Ana' } }));
  const { vc } = verified(jwt);
  assert.deepEqual(vc['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://www.dome-marketplace.eu/2025/credentials/learcredentialemployee/v2']);
  assert.equal(typeof vc.description, 'string');
  assert.match(vc.id, /^[0-9a-f-]{36}$/);
  const m = vc.credentialSubject.mandate;
  assert.equal(typeof m.id, 'string');
  assert.deepEqual(Object.keys(m.mandatee).sort(), ['email', 'firstName', 'id', 'lastName', 'nationality']);
  assert.equal(m.mandatee.firstName, 'Ana');
  assert.deepEqual(Object.keys(m.power[0]), ['id', 'action', 'domain', 'function', 'type']);
  assert.equal(m.life_span, undefined);
  assert.equal(m.signer, undefined);
  assert.equal(vc.credentialSubject.id, undefined);
  assert.equal(m.mandator.emailAddress, 'lear@example.org');
});

test('employee v3: eudistack employee context, credentialSubject.id, mandatee with employeeId, mandator.email, powers without id, no mandate id', () => {
  const holder = generateP256().did;
  const { jwt } = issueLearCredential(base({ kind: 'employee', shape: 'v3', mandatee: { id: holder, employeeId: 'E-42' }, mandator: { emailAddress: 'boss@example.org' } }));
  const { vc } = verified(jwt);
  assert.deepEqual(vc['@context'], ['https://www.w3.org/ns/credentials/v2', 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_employee/w3c/v3']);
  assert.equal(vc.credentialSubject.id, holder);
  const m = vc.credentialSubject.mandate;
  assert.equal(m.id, undefined);
  assert.deepEqual(Object.keys(m.mandatee).sort(), ['email', 'employeeId', 'firstName', 'id', 'lastName']);
  assert.equal(m.mandatee.employeeId, 'E-42');
  assert.equal(m.mandator.email, 'boss@example.org');
  assert.equal(m.mandator.emailAddress, undefined);
  assert.ok(m.power.every((p: Record<string, unknown>) => !('id' in p)));
});

test('options: ES256 seal, PS256, no sigT, ms timestamps, explicit id, credentialStatus, custom powers and mandator org', () => {
  const es = verified(issueLearCredential(base({ kind: 'machine', seal: ecSeal, sigT: false })).jwt);
  assert.equal(es.header.alg, 'ES256');
  assert.equal(es.header.crit, undefined);
  assert.equal(es.header.sigT, undefined);
  const status = { id: 'https://issuer.example/status/1#7', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: 'https://issuer.example/status/1' };
  const ps = verified(
    issueLearCredential(
      base({
        kind: 'employee', alg: 'PS256', msTimestamps: true, id: 'a923523e-2130-4924-9e8f-4cc99fd2b3e8', credentialStatus: status,
        powers: [{ function: 'Certification', action: ['Attest', 'Upload'] }], mandator: { organizationIdentifier: 'VATES-A00000000', organization: 'Other S.A.' },
      }),
    ).jwt,
  );
  assert.equal(ps.header.alg, 'PS256');
  assert.equal(ps.payload.nbf, FROM.getTime());
  assert.equal(ps.payload.jti, 'a923523e-2130-4924-9e8f-4cc99fd2b3e8');
  assert.deepEqual(ps.vc.credentialStatus, status);
  assert.deepEqual(ps.vc.credentialSubject.mandate.power.map((p: Record<string, unknown>) => p.action), [['Attest', 'Upload']]);
  assert.equal(ps.vc.credentialSubject.mandate.mandator.organizationIdentifier, 'VATES-A00000000');
  assert.equal(ps.vc.issuer.organizationIdentifier, ORG);
});

test('invalid combinations are refused: machine v3, missing mandatee id, validUntil before validFrom', () => {
  assert.throws(() => issueLearCredential(base({ kind: 'machine', shape: 'v3' })), TypeError);
  assert.throws(() => issueLearCredential(base({ kind: 'machine', mandatee: { id: '' } })), TypeError);
  assert.throws(() => issueLearCredential(base({ kind: 'machine', validFrom: UNTIL, validUntil: FROM })), TypeError);
});

for (const kind of ['employee', 'machine'] as const) {
  test(`w3c-v2 ${kind}: VCDM 2.0 at the JWT root (no vc claim), typ vc+jwt, x5c seal, cnf.jwk of the mandatee did:key, sub = mandatee, credentialSubject.id a urn:uuid`, () => {
    const holder = generateP256();
    const status = { id: 'https://status.example/1#3', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '3', statusListCredential: 'https://status.example/1' };
    const { jwt, credential } = issueLearCredential(base({ kind, format: 'w3c-v2', mandatee: { id: holder.did }, credentialStatus: status }));
    const { header, payload } = verified(jwt);
    assert.equal(header.typ, 'vc+jwt');
    assert.deepEqual(header.x5c, [seal.x5c, intermediate.x5c]);
    assert.equal(payload.vc, undefined);
    assert.deepEqual(payload.type, ['VerifiableCredential', kind === 'employee' ? 'learcredential.employee.w3c.4' : 'learcredential.machine.w3c.3']);
    assert.equal((payload['@context'] as string[])[0], 'https://www.w3.org/ns/credentials/v2');
    assert.equal(payload.validFrom, FROM.toISOString());
    assert.equal(payload.validUntil, UNTIL.toISOString());
    assert.deepEqual(payload.credentialStatus, status);
    assert.deepEqual((payload.cnf as Record<string, unknown>).jwk, holder.publicJwk);
    assert.equal(payload.sub, holder.did);
    assert.equal(payload.iss, `did:elsi:${ORG}`);
    assert.equal(payload.jti, payload.id);
    const subject = payload.credentialSubject as Record<string, any>;
    assert.match(subject.id, /^urn:uuid:[0-9a-f-]{36}$/);
    assert.equal(subject.mandate.mandatee.id, holder.did);
    assert.equal(subject.mandate.mandator.organizationIdentifier, ORG);
    assert.ok(Array.isArray(subject.mandate.power) && subject.mandate.power.length > 0);
    assert.deepEqual(credential.credentialSubject, payload.credentialSubject);
  });
}

test('w3c-v2 refuses a mandatee that is no did:key when no cnfJwk is given', () => {
  assert.throws(() => issueLearCredential(base({ kind: 'employee', format: 'w3c-v2', mandatee: { id: 'urn:example:x' } })), /cnf\.jwk/);
});
