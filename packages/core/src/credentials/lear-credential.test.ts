import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createIntermediateCa, createRootCa, createSealCertificate, generateP256, issueLearCredential,
  type DevCertificate, type IssueOptions,
} from '@dome-verifier/dev-issuer';
import { boundDid, credentialTypes, kindOf, mapLearCredential, type LearCredential } from './lear-credential.ts';

const ORG = 'VATES-B60645900';
const ISSUER_DID = `did:elsi:${ORG}`;
const FROM = new Date('2025-01-01T00:00:00Z');
const UNTIL = new Date('2026-01-01T00:00:00Z');
const HOLDER = generateP256().did;

let seal: DevCertificate;
let intermediate: DevCertificate;

before(async () => {
  const root = await createRootCa({ keyAlg: 'ES256' });
  intermediate = await createIntermediateCa(root, { keyAlg: 'ES256' });
  seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'IN2 S.L.', country: 'ES', keyAlg: 'ES256' });
});

function issue(o: Partial<IssueOptions> & Pick<IssueOptions, 'kind'>) {
  return issueLearCredential({
    seal, chain: [intermediate], organizationIdentifier: ORG, mandatee: { id: HOLDER }, validFrom: FROM, validUntil: UNTIL, ...o,
  });
}

function mapped(vc: Record<string, unknown>): LearCredential {
  const r = mapLearCredential(vc);
  assert.ok(r.ok, `mapping failed: ${r.ok ? '' : r.reason}`);
  return r.credential;
}

function refused(vc: Record<string, unknown>, reason: string): void {
  const r = mapLearCredential(vc);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? undefined : r.reason, reason);
}

/** The vc object with `credentialSubject.mandate` edited. */
function editMandate(vc: Record<string, unknown>, edit: (mandate: Record<string, unknown>) => void): Record<string, unknown> {
  const copy = structuredClone(vc);
  edit((copy.credentialSubject as { mandate: Record<string, unknown> }).mandate);
  return copy;
}

describe('mapLearCredential: the five DOME shapes from the dev issuer', () => {
  test('LEARCredentialMachine v1: tmf_* powers, issuer object, no credentialSubject.id', () => {
    const { credential: vc, payload } = issue({ kind: 'machine', shape: 'v1' });
    const c = mapped(vc);
    assert.equal(c.kind, 'machine');
    assert.equal(c.shape, 'machine-v1');
    assert.deepEqual(c.types, ['LEARCredentialMachine', 'VerifiableCredential']);
    assert.equal(c.vc, vc);
    assert.equal(c.id, vc.id);
    assert.match(String(c.id), /^urn:uuid:/);
    assert.equal(c.issuerDid, ISSUER_DID);
    assert.equal(c.validFrom, FROM.toISOString());
    assert.equal(c.validUntil, UNTIL.toISOString());
    assert.equal(c.subjectId, undefined);
    assert.equal(c.mandatee.id, HOLDER);
    assert.equal(c.mandator.organizationIdentifier, ORG);
    assert.deepEqual(c.powers, [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute'] }]);
    assert.equal(c.credentialStatus, undefined);
    assert.equal(boundDid(c, payload.sub), HOLDER);
  });

  test('LEARCredentialMachine v2: plain power fields and credentialSubject.id', () => {
    const { credential: vc } = issue({ kind: 'machine', shape: 'v2' });
    const c = mapped(vc);
    assert.equal(c.shape, 'machine-v2');
    assert.equal(c.subjectId, HOLDER);
    assert.deepEqual(c.powers, [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute'] }]);
    assert.equal(c.mandator.id, ISSUER_DID);
    assert.equal(boundDid(c, undefined), HOLDER);
  });

  test('LEARCredentialEmployee v1: snake_case mandatee, tmf_* powers with an action list', () => {
    const { credential: vc } = issue({ kind: 'employee', shape: 'v1' });
    const c = mapped(vc);
    assert.equal(c.kind, 'employee');
    assert.equal(c.shape, 'employee-v1');
    assert.equal(c.mandatee.first_name, 'Jane');
    assert.deepEqual(c.powers, [
      { type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute'] },
      { type: 'Domain', domain: 'DOME', function: 'ProductOffering', action: ['Create', 'Update', 'Delete'] },
    ]);
    assert.match(String(c.id), /^[0-9a-f-]{36}$/); // employees get a bare UUID, as IN2 issues them
  });

  test('LEARCredentialEmployee v2: camelCase mandatee, only validFrom/validUntil', () => {
    const { credential: vc } = issue({ kind: 'employee', shape: 'v2' });
    assert.equal(vc.issuanceDate, undefined);
    const c = mapped(vc);
    assert.equal(c.shape, 'employee-v2');
    assert.equal(c.mandatee.firstName, 'Jane');
    assert.equal(c.validFrom, FROM.toISOString());
    assert.equal(c.validUntil, UNTIL.toISOString());
    assert.equal(c.powers[1]?.function, 'ProductOffering');
  });

  test('LEARCredentialEmployee v3: credentialSubject.id and id-less powers', () => {
    const { credential: vc } = issue({ kind: 'employee', shape: 'v3' });
    const c = mapped(vc);
    assert.equal(c.shape, 'employee-v3');
    assert.equal(c.subjectId, HOLDER);
    assert.equal(c.powers.length, 2);
  });

  test('keeps credentialStatus as an object or a list of 1–8 entries, and refuses anything else (fail closed)', () => {
    const status = { id: 'https://issuer.example/status/1#7', type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '7', statusListCredential: 'https://issuer.example/status/1' };
    const c = mapped(issue({ kind: 'machine', credentialStatus: status }).credential);
    assert.deepEqual(c.credentialStatus, status);
    // Fail closed: a status reference that cannot be read is not silently ignored.
    for (const credentialStatus of ['x', [], [status, 'x'], Array(9).fill(status)]) {
      const r = mapLearCredential({ ...issue({ kind: 'machine' }).credential, credentialStatus });
      assert.equal(r.ok === false && r.code, 'ERR_VC_MALFORMED', JSON.stringify(credentialStatus).slice(0, 40));
    }
    assert.deepEqual(mapped({ ...issue({ kind: 'machine' }).credential, credentialStatus: [status, status] }).credentialStatuses, [status, status]);
  });
});

describe('mapLearCredential: types and shapes', () => {
  test('accepts type as a single string', () => {
    const vc = { ...issue({ kind: 'machine' }).credential, type: 'LEARCredentialMachine' };
    assert.deepEqual(mapped(vc).types, ['LEARCredentialMachine']);
  });

  test('accepts the EUDIStack type names', () => {
    const base = issue({ kind: 'machine', shape: 'v2' }).credential;
    assert.equal(mapped({ ...base, type: ['VerifiableCredential', 'learcredential.machine.w3c.3'] }).kind, 'machine');
    assert.equal(mapped({ ...base, type: ['learcredential.machine.sd.1'] }).kind, 'machine');
    assert.equal(mapped({ ...base, type: ['learcredential.employee.w3c.4'] }).kind, 'employee');
  });

  test('refuses a credential that names neither LEAR type', () => {
    const base = issue({ kind: 'machine' }).credential;
    for (const type of [['VerifiableCredential'], 'LEARCredential', [], undefined, 42, ['learcredentialmachine']]) {
      refused({ ...base, type }, 'is not a LEARCredentialEmployee or LEARCredentialMachine');
    }
  });

  test('a credential naming both types is read as a machine credential', () => {
    const base = issue({ kind: 'employee' }).credential;
    assert.equal(mapped({ ...base, type: ['LEARCredentialEmployee', 'LEARCredentialMachine'] }).kind, 'machine');
  });

  test('keys on type, not on the exact @context list', () => {
    const machine = issue({ kind: 'machine', context: ['https://www.w3.org/ns/credentials/v2'] }).credential;
    assert.equal(mapped(machine).shape, 'machine-v1');
    const v1 = issue({ kind: 'employee', shape: 'v1', context: ['https://example.org/other'] }).credential;
    assert.equal(mapped(v1).shape, 'employee-v1'); // first_name ⇒ v1
    const v2 = issue({ kind: 'employee', shape: 'v2', context: ['https://example.org/other'] }).credential;
    assert.equal(mapped(v2).shape, 'employee-v2');
    assert.equal(mapped({ ...issue({ kind: 'employee', shape: 'v2' }).credential, '@context': 'https://www.dome-marketplace.eu/2025/credentials/learcredentialemployee/v2' }).shape, 'employee-v2');
  });

  test('credentialTypes keeps only string members and kindOf maps them', () => {
    assert.deepEqual(credentialTypes({ type: ['A', 1, null, 'B'] }), ['A', 'B']);
    assert.deepEqual(credentialTypes({}), []);
    assert.equal(kindOf(['LEARCredentialEmployee']), 'employee');
    assert.equal(kindOf(['Other']), undefined);
  });
});

describe('mapLearCredential: missing mandate structure', () => {
  test('refuses a credential without a credentialSubject object', () => {
    const base = issue({ kind: 'machine' }).credential;
    for (const credentialSubject of [undefined, 'did:key:x', [], null]) refused({ ...base, credentialSubject }, 'has no credentialSubject object');
  });

  test('refuses a credential without credentialSubject.mandate', () => {
    const base = issue({ kind: 'machine' }).credential;
    refused({ ...base, credentialSubject: { id: HOLDER } }, 'has no credentialSubject.mandate object');
    refused({ ...base, credentialSubject: { mandate: [] } }, 'has no credentialSubject.mandate object');
  });

  test('refuses a mandate without a mandatee or a mandator object', () => {
    const base = issue({ kind: 'machine' }).credential;
    refused(editMandate(base, (m) => delete m.mandatee), 'has no mandate.mandatee object');
    refused(editMandate(base, (m) => (m.mandatee = HOLDER)), 'has no mandate.mandatee object');
    refused(editMandate(base, (m) => delete m.mandator), 'has no mandate.mandator object');
    refused(editMandate(base, (m) => (m.mandator = ['x'])), 'has no mandate.mandator object');
  });
});

describe('mapLearCredential: powers', () => {
  const withPower = (power: unknown) => mapped(editMandate(issue({ kind: 'machine', shape: 'v2' }).credential, (m) => (m.power = power)));

  test('reads plain fields before tmf_* fields', () => {
    const c = withPower([{ type: 'Domain', tmf_type: 'Other', function: 'Onboarding', tmf_function: 'X', domain: 'DOME', tmf_domain: 'Y', action: 'Execute', tmf_action: 'Z' }]);
    assert.deepEqual(c.powers, [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute'] }]);
  });

  test('reads tmf_* fields when the plain ones are absent', () => {
    const c = withPower([{ tmf_type: 'Domain', tmf_domain: 'DOME', tmf_function: 'Onboarding', tmf_action: ['Execute', 'Create'] }]);
    assert.deepEqual(c.powers, [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: ['Execute', 'Create'] }]);
  });

  test('accepts action as a string or a list and drops non-string actions', () => {
    assert.deepEqual(withPower([{ action: 'Execute' }]).powers[0]?.action, ['Execute']);
    assert.deepEqual(withPower([{ action: ['Create', 1, null, 'Delete'] }]).powers[0]?.action, ['Create', 'Delete']);
    assert.deepEqual(withPower([{ action: 7 }]).powers[0]?.action, []);
    assert.deepEqual(withPower([{}]).powers[0], { type: undefined, domain: undefined, function: undefined, action: [] });
  });

  test('reads the first element of a domain list', () => {
    assert.equal(withPower([{ domain: ['DOME', 'Other'] }]).powers[0]?.domain, 'DOME');
    assert.equal(withPower([{ domain: [] }]).powers[0]?.domain, undefined);
  });

  test('treats empty strings as absent', () => {
    assert.deepEqual(withPower([{ type: '', tmf_type: 'Domain', function: '' }]).powers[0], { type: 'Domain', domain: undefined, function: undefined, action: [] });
  });

  test('skips power entries that are not objects and reads a missing power list as none', () => {
    assert.equal(withPower(['Execute', null, { function: 'Onboarding' }]).powers.length, 1);
    assert.deepEqual(withPower(undefined).powers, []);
    assert.deepEqual(withPower({ function: 'Onboarding' }).powers, []);
  });
});

describe('mapLearCredential: issuer, dates and ids', () => {
  const base = () => issue({ kind: 'machine', shape: 'v1' }).credential;

  test('reads the issuer as a string or as an object with id', () => {
    assert.equal(mapped({ ...base(), issuer: 'did:elsi:VATES-X' }).issuerDid, 'did:elsi:VATES-X');
    assert.equal(mapped({ ...base(), issuer: { id: 'did:elsi:VATES-Y', organization: 'Y' } }).issuerDid, 'did:elsi:VATES-Y');
  });

  test('leaves the issuer undefined when absent, empty or without id', () => {
    for (const issuer of [undefined, '', {}, { id: 5 }, ['did:elsi:X']]) assert.equal(mapped({ ...base(), issuer }).issuerDid, undefined);
  });

  test('falls back to issuanceDate/expirationDate when validFrom/validUntil are absent', () => {
    const vc: Record<string, unknown> = { ...base(), issuanceDate: '2024-01-01T00:00:00Z', expirationDate: '2024-12-31T00:00:00Z' };
    delete vc.validFrom;
    delete vc.validUntil;
    const c = mapped(vc);
    assert.equal(c.validFrom, '2024-01-01T00:00:00Z');
    assert.equal(c.validUntil, '2024-12-31T00:00:00Z');
  });

  test('keeps validFrom/validUntil values unparsed (the time check validates them)', () => {
    const c = mapped({ ...base(), validFrom: 12345, validUntil: 'tomorrow' });
    assert.equal(c.validFrom, 12345);
    assert.equal(c.validUntil, 'tomorrow');
  });

  test('an empty or non-string id is absent', () => {
    assert.equal(mapped({ ...base(), id: '' }).id, undefined);
    assert.equal(mapped({ ...base(), id: 7 }).id, undefined);
  });
});

describe('boundDid: the DID a credential is bound to', () => {
  const other = generateP256().did;
  const third = generateP256().did;
  const cred = (subjectId: string | undefined, mandateeId: unknown) =>
    mapped({
      type: ['LEARCredentialMachine'],
      credentialSubject: { ...(subjectId === undefined ? {} : { id: subjectId }), mandate: { mandatee: mandateeId === undefined ? {} : { id: mandateeId }, mandator: {} } },
    });

  test('prefers credentialSubject.id over the VC JWT sub and mandatee.id', () => {
    assert.equal(boundDid(cred(HOLDER, third), other), HOLDER);
  });

  test('uses the VC JWT sub when there is no credentialSubject.id', () => {
    assert.equal(boundDid(cred(undefined, third), other), other);
  });

  test('uses mandatee.id when there is neither credentialSubject.id nor sub', () => {
    assert.equal(boundDid(cred(undefined, third), undefined), third);
    assert.equal(boundDid(cred(undefined, third), ''), third);
    assert.equal(boundDid(cred(undefined, third), 42), third);
  });

  test('strips a DID URL fragment', () => {
    const frag = `${HOLDER}#${HOLDER.slice('did:key:'.length)}`;
    assert.equal(boundDid(cred(frag, undefined), undefined), HOLDER);
    assert.equal(boundDid(cred(undefined, undefined), `${other}#key-1`), other);
    assert.equal(boundDid(cred(undefined, `${third}#0`), undefined), third);
  });

  test('is undefined when the first candidate present is not a DID (no fall-through past it)', () => {
    assert.equal(boundDid(cred('urn:uuid:1234', third), other), undefined);
    assert.equal(boundDid(cred(undefined, 'machine-1'), 'machine-1'), undefined);
    assert.equal(boundDid(cred(undefined, undefined), undefined), undefined);
  });

  test('accepts DIDs of any method (the holder check restricts to did:key)', () => {
    assert.equal(boundDid(cred('did:web:machine.example', undefined), undefined), 'did:web:machine.example');
  });
});

const base: Record<string, unknown> = {
  issuer: ISSUER_DID,
  credentialSubject: { mandate: { mandatee: { id: HOLDER }, mandator: { organizationIdentifier: ORG }, power: [] } },
};

describe('legacy / bumped classification (EUDISTACK-145, by type name only)', () => {
  const cases: Array<[string[], 'machine' | 'employee', 'legacy' | 'bumped', string]> = [
    [['LEARCredentialEmployee', 'VerifiableCredential'], 'employee', 'legacy', 'LEARCredentialEmployee'],
    [['VerifiableCredential', 'LEARCredentialEmployee.3'], 'employee', 'legacy', 'LEARCredentialEmployee.3'],
    [['VerifiableCredential', 'learcredential.employee.w3c.3'], 'employee', 'legacy', 'learcredential.employee.w3c.3'],
    [['LEARCredentialMachine', 'VerifiableCredential'], 'machine', 'legacy', 'LEARCredentialMachine'],
    [['VerifiableCredential', 'learcredential.machine.w3c.2'], 'machine', 'legacy', 'learcredential.machine.w3c.2'],
    [['VerifiableCredential', 'learcredential.employee.w3c.4'], 'employee', 'bumped', 'learcredential.employee.w3c.4'],
    [['VerifiableCredential', 'LEARCredentialEmployee.4'], 'employee', 'bumped', 'LEARCredentialEmployee.4'],
    [['VerifiableCredential', 'learcredential.machine.w3c.3'], 'machine', 'bumped', 'learcredential.machine.w3c.3'],
    [['VerifiableCredential', 'learcredential.employee.sd.1'], 'employee', 'bumped', 'learcredential.employee.sd.1'],
  ];
  for (const [types, kind, family, credentialType] of cases) {
    test(`${types.join(', ')} → ${kind}, ${family}, credential_type ${credentialType}`, () => {
      const c = mapped({ ...base, type: types });
      assert.deepEqual([c.kind, c.family, c.credentialType], [kind, family, credentialType]);
    });
  }

  test('the @context does not decide the family (a v2 context on a legacy type stays legacy)', () => {
    assert.equal(mapped({ ...base, '@context': ['https://www.w3.org/ns/credentials/v2'], type: ['LEARCredentialEmployee'] }).family, 'legacy');
  });

  test('type names are matched exactly (no prototype keys, no case folding)', () => {
    for (const t of ['constructor', 'toString', 'learcredentialemployee', 'LEARCREDENTIAL.EMPLOYEE.W3C.4']) {
      assert.equal(mapLearCredential({ ...base, type: ['VerifiableCredential', t] }).ok, false, t);
    }
  });
});

describe('the holder of a bumped credential is mandate.mandatee.id', () => {
  test('VCDM 2.0: credentialSubject.id (a urn:uuid of the subject record) is not the holder; boundDid and subjectOf give the mandatee', async () => {
    const { subjectOf } = await import('./token-credential.ts');
    const issued = issue({ kind: 'employee', format: 'w3c-v2' });
    const c = mapped(issued.payload);
    assert.match(String(c.subjectId), /^urn:uuid:/);
    assert.equal(boundDid(c, issued.payload.sub), HOLDER);
    assert.equal(subjectOf(c), HOLDER);
  });

  test('legacy shapes keep the IN2 V2 order (credentialSubject.id first)', async () => {
    const { subjectOf } = await import('./token-credential.ts');
    const c = mapped({ ...base, type: ['LEARCredentialEmployee'], credentialSubject: { ...(base.credentialSubject as object), id: 'did:key:zSubject' } });
    assert.equal(subjectOf(c), 'did:key:zSubject');
  });
});
