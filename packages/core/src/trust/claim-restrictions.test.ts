import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IssuerAttribute } from './trusted-issuers.ts';
import { checkClaimRestrictions, evaluateClaimPath } from './claim-restrictions.ts';

const T = Date.parse('2026-01-01T00:00:00Z');
const attr = (claims: unknown[], o: Partial<IssuerAttribute> = {}): IssuerAttribute => ({ credentialsType: 'UserCredential', validFrom: undefined, validTo: undefined, claims, ...o });
const vc = (credentialSubject: unknown) => ({ type: ['VerifiableCredential', 'UserCredential'], credentialSubject });
const SUBJECT = {
  id: 'did:key:zHolder',
  firstName: 'Jane',
  roles: [{ names: ['READER', 'OPERATOR'], target: 'did:web:provider.example' }],
  address: { country: 'ES', city: 'Madrid' },
  level: 3,
};
const ok = (r: ReturnType<typeof checkClaimRestrictions>) => assert.equal(r.success, true, JSON.stringify(r));
const codes = (r: ReturnType<typeof checkClaimRestrictions>) => (r.success ? [] : r.errors.map((e) => e.code));

describe('evaluateClaimPath (the bounded JSONPath subset)', () => {
  test('definite paths give the value; wildcards give the list of matches; a missing member gives nothing', () => {
    assert.deepEqual(evaluateClaimPath('$.firstName', SUBJECT), { found: true, value: 'Jane' });
    assert.deepEqual(evaluateClaimPath("$['address']['country']", SUBJECT), { found: true, value: 'ES' });
    assert.deepEqual(evaluateClaimPath('$.roles[0].target', SUBJECT), { found: true, value: 'did:web:provider.example' });
    assert.deepEqual(evaluateClaimPath('$.roles[*].names', SUBJECT), { found: true, value: [['READER', 'OPERATOR']] });
    assert.deepEqual(evaluateClaimPath('$.roles[*].names[*]', SUBJECT), { found: true, value: ['READER', 'OPERATOR'] });
    assert.deepEqual(evaluateClaimPath('$.address.*', SUBJECT), { found: true, value: ['ES', 'Madrid'] });
    assert.deepEqual(evaluateClaimPath('$.missing.deeper', SUBJECT), { found: false });
    assert.deepEqual(evaluateClaimPath('$.roles[5]', SUBJECT), { found: false });
  });

  test('refuses what it does not implement (filters, recursive descent, slices, scripts) and oversized paths', () => {
    for (const p of ['$..names', '$.roles[?(@.target)]', '$.roles[0:1]', '$.roles[-1]', 'roles', '$.a.', "$['a", '$.' + 'a.'.repeat(40) + 'a', `$.${'x'.repeat(300)}`]) {
      assert.throws(() => evaluateClaimPath(p, SUBJECT), /unsupported claim path/, p);
    }
  });
});

describe('checkClaimRestrictions (spec §7.4)', () => {
  test('an attribute without claims allows everything', () => {
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([])], 'UserCredential', T));
  });

  test('name: a top-level credentialSubject key whose value must JSON-equal one allowed value; absent passes', () => {
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'firstName', allowedValues: ['Jane', 'John'] }])], 'UserCredential', T));
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'address', allowedValues: [{ city: 'Madrid', country: 'ES' }] }])], 'UserCredential', T));
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'notThere', allowedValues: ['x'] }])], 'UserCredential', T));
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'firstName', allowedValues: ['John'] }])], 'UserCredential', T)), ['CLAIM_VALUE_NOT_ALLOWED']);
    // a whole array value must equal an allowed value (not be a subset): the legacy rule
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'roles', allowedValues: [{ names: ['READER'], target: 'did:web:provider.example' }] }])], 'UserCredential', T)), ['CLAIM_VALUE_NOT_ALLOWED']);
    // numbers compare as JSON values; "3" is not 3
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'level', allowedValues: [1, 3] }])], 'UserCredential', T));
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'level', allowedValues: ['3'] }])], 'UserCredential', T)), ['CLAIM_VALUE_NOT_ALLOWED']);
  });

  test('the id of the subject is not a claim that can be restricted', () => {
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ name: 'id', allowedValues: ['did:key:zOther'] }])], 'UserCredential', T));
    ok(checkClaimRestrictions(vc(SUBJECT), [attr([{ path: '$.id', allowedValues: ['did:key:zOther'] }])], 'UserCredential', T));
  });

  test('path: a list result must be a subset of allowedValues, an object must deep-equal one, a scalar must be one; unresolved passes', () => {
    const check = (path: string, allowedValues: unknown[]) => checkClaimRestrictions(vc(SUBJECT), [attr([{ path, allowedValues }])], 'UserCredential', T);
    ok(check('$.roles[*].names[*]', ['READER', 'OPERATOR', 'ADMIN']));
    assert.deepEqual(codes(check('$.roles[*].names[*]', ['READER'])), ['CLAIM_VALUE_NOT_ALLOWED']);
    ok(check('$.roles[0].names', ['READER', 'OPERATOR']));
    ok(check('$.address', [{ country: 'PT', city: 'Lisbon' }, { city: 'Madrid', country: 'ES' }]));
    assert.deepEqual(codes(check('$.address', [{ country: 'ES' }])), ['CLAIM_VALUE_NOT_ALLOWED']);
    ok(check('$.address.country', ['ES', 'PT']));
    assert.deepEqual(codes(check('$.address.country', ['PT'])), ['CLAIM_VALUE_NOT_ALLOWED']);
    ok(check('$.nothing.here', ['x']));
  });

  test('an unsupported path fails closed (never "passes because it did not resolve")', () => {
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [attr([{ path: '$..names', allowedValues: ['READER'] }])], 'UserCredential', T)), ['CLAIM_PATH_UNSUPPORTED']);
  });

  test('claims within one attribute are ANDed; attributes of the type are ORed; every failure is listed', () => {
    const good = attr([{ name: 'firstName', allowedValues: ['Jane'] }, { path: '$.address.country', allowedValues: ['ES'] }]);
    const bad = attr([{ name: 'firstName', allowedValues: ['Jane'] }, { path: '$.address.country', allowedValues: ['PT'] }, { name: 'level', allowedValues: [1] }]);
    ok(checkClaimRestrictions(vc(SUBJECT), [bad, good], 'UserCredential', T));
    const r = checkClaimRestrictions(vc(SUBJECT), [bad], 'UserCredential', T);
    assert.equal(r.success, false);
    assert.ok(!r.success);
    assert.deepEqual(r.errors.map((e) => [e.code, e.claim]), [['CLAIM_VALUE_NOT_ALLOWED', '$.address.country'], ['CLAIM_VALUE_NOT_ALLOWED', 'level']]);
  });

  test('only attributes of the credential type, valid at the given time, apply; none applicable is NO_ATTRIBUTE', () => {
    const other = attr([], { credentialsType: 'OtherCredential' });
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [other], 'UserCredential', T)), ['NO_ATTRIBUTE']);
    const expired = attr([], { validFrom: Date.parse('2024-01-01T00:00:00Z'), validTo: Date.parse('2025-01-01T00:00:00Z') });
    const future = attr([], { validFrom: Date.parse('2027-01-01T00:00:00Z') });
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [expired, future], 'UserCredential', T)), ['NO_ATTRIBUTE']);
    // a restrictive attribute that has expired does not block a current permissive one, and vice versa
    const expiredPermissive = attr([], { validTo: Date.parse('2025-01-01T00:00:00Z') });
    const currentStrict = attr([{ name: 'firstName', allowedValues: ['John'] }], { validFrom: Date.parse('2025-01-01T00:00:00Z') });
    assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [expiredPermissive, currentStrict], 'UserCredential', T)), ['CLAIM_VALUE_NOT_ALLOWED']);
    // several types: attributes of any of them apply (the DOME step passes the credential's types)
    ok(checkClaimRestrictions(vc(SUBJECT), [other], ['UserCredential', 'OtherCredential'], T));
  });

  test('only the first credentialSubject is checked; no subject means nothing to restrict', () => {
    const restricted = [attr([{ name: 'firstName', allowedValues: ['Jane'] }])];
    ok(checkClaimRestrictions(vc([SUBJECT, { firstName: 'Mallory' }]), restricted, 'UserCredential', T));
    assert.deepEqual(codes(checkClaimRestrictions(vc([{ firstName: 'Mallory' }, SUBJECT]), restricted, 'UserCredential', T)), ['CLAIM_VALUE_NOT_ALLOWED']);
    ok(checkClaimRestrictions({ type: ['UserCredential'] }, restricted, 'UserCredential', T));
  });

  test('a malformed claim restriction (no name/path, allowedValues not a list) fails closed', () => {
    for (const claim of [{ allowedValues: ['x'] }, { name: 'firstName' }, { name: 'firstName', allowedValues: 'Jane' }, 'firstName', { name: 5, allowedValues: [] }]) {
      assert.deepEqual(codes(checkClaimRestrictions(vc(SUBJECT), [attr([claim])], 'UserCredential', T)), ['CLAIM_RESTRICTION_INVALID'], JSON.stringify(claim));
    }
  });
});
