import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLearCredential } from './credential.ts';
import { InvalidTokenError } from './errors.ts';
import { hasPower, isLEAR, organizationOf, requirePower, requireScope } from './powers.ts';
import { InsufficientScopeError } from './errors.ts';
import type { VerifiedAccessToken } from './validator.ts';

const CTX = 'https://www.w3.org/ns/credentials/v2';
const mandator = { commonName: 'IN2', country: 'ES', emailAddress: 'rrhh@in2.es', organization: 'IN2, Ingeniería de la Información, S.L.', organizationIdentifier: 'VATES-B60645900', serialNumber: 'B60645900' };

// dome-verifier-wire.md §6.1 (in2-guides example)
const employeeV1 = {
  '@context': [CTX, 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialemployee/v1'],
  id: '1f33e8dc-bd3b-4395-8061-ebc6be7d06dd',
  type: ['VerifiableCredential', 'LEARCredentialEmployee'],
  credentialSubject: {
    mandate: {
      id: '4e3c02b8-5c57-4679-8aa5-502d62484af5',
      life_span: { end_date_time: '2025-04-02T09:23:22Z', start_date_time: '2024-04-02T09:23:22Z' },
      mandator,
      mandatee: { id: 'did:key:zDnaeei6HxVe7ibR3mZmXa9SZgWs8UBj1FiTuwEKwmnChdUAu', email: 'oriol.canades@in2.es', first_name: 'Oriol', gender: 'M', last_name: 'Canadés', mobile_phone: '+34666336699' },
      power: [
        { id: '6b8f3137', tmf_action: 'Execute', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_type: 'Domain' },
        { id: 'ad9b1509', tmf_action: ['Create', 'Update'], tmf_domain: 'DOME', tmf_function: 'ProductOffering', tmf_type: 'Domain' },
      ],
      signer: { ...mandator, commonName: 'IN2 seal' },
    },
  },
  issuer: 'did:elsi:VATES-B60645900',
  validFrom: '2024-04-02T09:23:22Z',
  expirationDate: '2025-04-02T09:23:22Z',
};

// §5.1: an employee v2 as the verifier re-serialises it (tmf_* and first_name duplicated)
const employeeV2 = {
  '@context': [CTX, 'https://www.dome-marketplace.eu/2025/credentials/learcredentialemployee/v2'],
  credentialSubject: {
    mandate: {
      id: '4e3c02b8',
      mandatee: { email: 'jane@example.org', firstName: 'Jane', first_name: 'Jane', id: 'did:key:zJane', lastName: 'Doe', last_name: 'Doe', nationality: 'ES' },
      mandator,
      power: [{ action: 'Execute', domain: 'DOME', function: 'Onboarding', id: '6b8f', tmf_action: 'Execute', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_type: 'Domain', type: 'Domain' }],
    },
  },
  id: 'urn:uuid:1',
  issuer: { id: 'did:elsi:VATES-B60645900', organizationIdentifier: 'VATES-B60645900' },
  type: ['LEARCredentialEmployee', 'VerifiableCredential'],
  validFrom: '2025-03-01T10:00:00Z',
  validUntil: '2026-03-01T10:00:00Z',
};

// §6.3
const employeeV3 = {
  '@context': [CTX, 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_employee/w3c/v3'],
  type: ['VerifiableCredential', 'learcredential.employee.w3c.4'],
  issuer: { id: 'did:elsi:VATES-B60645900' },
  credentialSubject: {
    id: 'did:key:zV3',
    mandate: {
      mandatee: { id: 'did:key:zV3', employeeId: 'E1', email: 'v3@example.org', firstName: 'Ana', lastName: 'Ruiz' },
      mandator: { id: 'did:elsi:VATES-B60645900', commonName: 'X', country: 'ES', email: 'm@example.org', organization: 'IN2', organizationIdentifier: 'VATES-B60645900' },
      power: [{ action: ['Execute'], domain: 'DOME', function: 'Onboarding', type: 'Domain' }],
    },
  },
};

// §6.5
const machineV2 = {
  '@context': [CTX, 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_machine/w3c/v2'],
  type: ['VerifiableCredential', 'LEARCredentialMachine'],
  issuer: 'did:elsi:VATES-B60645900',
  credentialSubject: {
    id: 'did:key:zMachine2',
    mandate: {
      mandatee: { id: 'did:key:zMachine2', domain: 'svc.example.org', ipAddress: '10.0.0.2' },
      mandator: { id: 'did:elsi:VATES-B60645900', organizationIdentifier: 'VATES-B60645900', country: 'ES', email: 'ops@example.org' },
      power: [{ action: 'execute', domain: 'dome', function: 'onboarding', type: 'domain' }],
    },
  },
};

// fiware-and-dome-docs.md §20.3 (POR 2024 shape)
const por2024 = {
  '@context': [CTX, 'https://dome-marketplace.eu/2022/credentials/learcredential/v1'],
  type: ['VerifiableCredential', 'LEARCredentialEmployee'],
  issuer: { id: 'did:elsi:VATES-12345678' },
  credentialSubject: {
    mandate: {
      id: 'bb1482e1',
      mandator: { cn: '56565656V Jesus Ruiz', serialNumber: '56565656V', organizationIdentifier: 'VATES-12345678', o: 'GoodAir', c: 'ES' },
      mandatee: { id: 'did:key:z6Mk', first_name: 'John', last_name: 'Doe', email: 'johndoe@goodair.com' },
      power: [{ id: '53493323798', tmf_type: 'Domain', tmf_domain: ['DOME'], tmf_function: 'Onboarding', tmf_action: ['Process'] }],
    },
  },
};

describe('parseLearCredential', () => {
  test('employee v1: tmf_* powers, snake_case mandatee, string issuer, signer', () => {
    const c = parseLearCredential(employeeV1);
    assert.equal(c.kind, 'employee');
    assert.equal(c.shape, 'employee-v1');
    assert.equal(c.issuer, 'did:elsi:VATES-B60645900');
    assert.equal(c.mandatee.firstName, 'Oriol');
    assert.equal(c.mandatee.lastName, 'Canadés');
    assert.equal(c.mandatee.mobilePhone, '+34666336699');
    assert.equal(c.mandatee.gender, 'M', 'original fields are kept');
    assert.equal(c.mandator.email, 'rrhh@in2.es');
    assert.equal(c.mandator.emailAddress, 'rrhh@in2.es');
    assert.equal(c.signer?.commonName, 'IN2 seal');
    assert.equal(c.mandateId, '4e3c02b8-5c57-4679-8aa5-502d62484af5');
    assert.equal(c.validUntil, '2025-04-02T09:23:22Z');
    assert.deepEqual(c.powers, [
      { id: '6b8f3137', type: 'Domain', domain: 'DOME', domains: ['DOME'], function: 'Onboarding', action: ['Execute'] },
      { id: 'ad9b1509', type: 'Domain', domain: 'DOME', domains: ['DOME'], function: 'ProductOffering', action: ['Create', 'Update'] },
    ]);
    assert.equal(c.raw, employeeV1);
    assert.ok(isLEAR(c));
    assert.ok(hasPower(c, { function: 'ProductOffering', action: 'update' }));
    assert.ok(!hasPower(c, { function: 'ProductOffering', action: 'Delete' }));
    assert.equal(organizationOf(c), 'VATES-B60645900');
  });

  test('employee v2 (verifier-normalised): plain and tmf_* names unify; object issuer', () => {
    const c = parseLearCredential(employeeV2);
    assert.equal(c.shape, 'employee-v2');
    assert.equal(c.issuer, 'did:elsi:VATES-B60645900');
    assert.equal(c.mandatee.firstName, 'Jane');
    assert.equal(c.validUntil, '2026-03-01T10:00:00Z');
    assert.deepEqual(c.powers, [{ id: '6b8f', type: 'Domain', domain: 'DOME', domains: ['DOME'], function: 'Onboarding', action: ['Execute'] }]);
    assert.ok(isLEAR(c));
  });

  test('employee v3 (EUDIStack type name): email, credentialSubject.id, array action', () => {
    const c = parseLearCredential(employeeV3);
    assert.equal(c.kind, 'employee');
    assert.equal(c.shape, 'employee-v3');
    assert.equal(c.subjectId, 'did:key:zV3');
    assert.equal(c.mandatee.employeeId, 'E1');
    assert.equal(c.mandator.email, 'm@example.org');
    assert.ok(isLEAR(c));
  });

  test('machine v2: mandatee domain/ipAddress; lower-case power values match case-insensitively', () => {
    const c = parseLearCredential(machineV2);
    assert.equal(c.kind, 'machine');
    assert.equal(c.shape, 'machine-v2');
    assert.equal(c.mandatee.domain, 'svc.example.org');
    assert.equal(c.mandatee.ipAddress, '10.0.0.2');
    assert.ok(isLEAR(c));
  });

  test('POR 2024 shape: tmf_domain array, o/c/cn mandator names', () => {
    const c = parseLearCredential(por2024);
    assert.equal(c.mandator.organization, 'GoodAir');
    assert.equal(c.mandator.country, 'ES');
    assert.equal(c.mandator.commonName, '56565656V Jesus Ruiz');
    assert.ok(hasPower(c, { function: 'Onboarding', action: 'Process' }));
    assert.ok(!isLEAR(c));
  });

  test('a JSON string (and a doubly encoded one) is accepted', () => {
    assert.equal(parseLearCredential(JSON.stringify(employeeV2)).mandatee.id, 'did:key:zJane');
    assert.equal(parseLearCredential(JSON.stringify(JSON.stringify(employeeV2))).mandatee.id, 'did:key:zJane');
  });

  test('anything without a LEAR type, mandate, mandator or mandatee is invalid_token', () => {
    const without = (path: 'mandate' | 'mandator' | 'mandatee') => {
      const vc = structuredClone(employeeV2) as unknown as { credentialSubject: { mandate?: Record<string, unknown> } };
      if (path === 'mandate') delete vc.credentialSubject.mandate;
      else delete vc.credentialSubject.mandate![path];
      return vc;
    };
    for (const bad of [undefined, null, 42, '', '{', '[]', [], {}, { ...employeeV2, type: ['VerifiableCredential'] }, { ...employeeV2, credentialSubject: 'x' }, without('mandate'), without('mandator'), without('mandatee')]) {
      assert.throws(() => parseLearCredential(bad), (e: unknown) => e instanceof InvalidTokenError && e.status === 401 && e.description.startsWith('the token carries no LEAR credential'));
    }
  });

  test('power entries that are not objects are skipped; a missing power list is empty', () => {
    const vc = structuredClone(employeeV2) as unknown as { credentialSubject: { mandate: Record<string, unknown> } };
    vc.credentialSubject.mandate.power = ['x', null, { tmf_function: 'Onboarding' }];
    assert.deepEqual(parseLearCredential(vc).powers, [{ domains: [], action: [], function: 'Onboarding' }]);
    delete vc.credentialSubject.mandate.power;
    assert.deepEqual(parseLearCredential(vc).powers, []);
  });
});

describe('powers', () => {
  const token = (vc: unknown, scope = 'openid learcredential'): VerifiedAccessToken => {
    const credential = parseLearCredential(vc);
    return { token: 'x', header: { alg: 'ES256' }, claims: { scope }, credential, subject: 's', kind: credential.kind, credentialType: undefined, tenant: undefined, scopes: scope.split(' ') };
  };

  test('hasPower: domain and type default to DOME/Domain and can be overridden', () => {
    const c = parseLearCredential({ ...employeeV2, credentialSubject: { mandate: { mandator, mandatee: { id: 'x' }, power: [{ type: 'Organization', domain: ['Other', 'ACME'], function: 'Billing', action: ['Read'] }] } } });
    assert.ok(!hasPower(c, { function: 'Billing', action: 'Read' }));
    assert.ok(!hasPower(c, { function: 'Billing', action: 'Read', domain: 'ACME' }));
    assert.ok(hasPower(c, { function: 'Billing', action: 'read', domain: 'acme', type: 'organization' }));
  });

  test('requirePower throws insufficient_scope (403) without the power', () => {
    const t = token(employeeV2);
    requirePower({ function: 'Onboarding', action: 'Execute' })(t);
    assert.throws(() => requirePower({ function: 'Certification', action: 'Attest' })(t), (e: unknown) => e instanceof InsufficientScopeError && e.status === 403 && e.error === 'insufficient_scope' && /Certification\/Attest/.test(e.description));
  });

  test('requireScope names the needed scope', () => {
    const t = token(machineV2, 'machine learcredential');
    requireScope('learcredential')(t);
    requireScope('machine learcredential')(t);
    assert.throws(() => requireScope('openid')(t), (e: unknown) => e instanceof InsufficientScopeError && e.scope === 'openid');
  });
});
