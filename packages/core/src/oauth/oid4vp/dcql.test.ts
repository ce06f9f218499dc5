import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../../errors/verifier-error.ts';
import { DEFAULT_DCQL_PROFILES, dcqlQueryIds, parseDcqlProfiles, selectDcqlProfiles } from './dcql.ts';

const jwtQuery = (id: string, type = ['VerifiableCredential', 'learcredential.employee.w3c.4']) => ({ id, format: 'jwt_vc_json', meta: { credential_definition: { type } } });

test('scope → profiles as IN2 V3: companions dropped, alias openid_learcredential, order kept, repeats once', () => {
  assert.deepEqual(selectDcqlProfiles(DEFAULT_DCQL_PROFILES, 'openid profile learcredential.machine openid_learcredential learcredential'), ['learcredential.machine', 'learcredential']);
  assert.deepEqual(dcqlQueryIds(DEFAULT_DCQL_PROFILES, 'learcredential learcredential.employee'), ['lear_employee_jwt_vc', 'lear_employee_sd_jwt']);
});

test('no profile scope, or one unknown scope, is ERR_AUTHZ_SCOPE (no partial acceptance)', () => {
  for (const scope of [undefined, '', 'openid email', 'learcredential admin', 'LEARCREDENTIAL']) {
    assert.throws(() => selectDcqlProfiles(DEFAULT_DCQL_PROFILES, scope), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_AUTHZ_SCOPE', String(scope));
  }
});

test('configured profiles: type_values derived from credential_definition.type; an explicit one kept', () => {
  const r = parseDcqlProfiles({ a: [jwtQuery('q1')], b: [{ ...jwtQuery('q2'), meta: { credential_definition: { type: ['X'] }, type_values: [['X'], ['Y']] } }] });
  assert.ok('profiles' in r);
  assert.deepEqual(r.profiles.a![0]!.meta.type_values, [['VerifiableCredential', 'learcredential.employee.w3c.4']]);
  assert.deepEqual(r.profiles.b![0]!.meta.type_values, [['X'], ['Y']]);
});

test('configured profiles refuse queries the PWA would match against every credential, and ambiguous ids', () => {
  const bad: [unknown, RegExp][] = [
    [[], /JSON object/],
    [{}, /1 to 32 scopes/],
    [{ openid: [jwtQuery('q')] }, /reserved/],
    [{ 'a b': [jwtQuery('q')] }, /printable token/],
    [{ a: [] }, /1 to 8/],
    [{ a: [{ id: 'q', format: 'jwt_vc_json', meta: {} }] }, /credential_definition.type/],
    [{ a: [{ id: 'q', format: 'dc+sd-jwt', meta: { vct_values: [] } }] }, /vct_values/],
    [{ a: [{ id: 'q', format: 'ldp_vc', meta: {} }] }, /format must be/],
    [{ a: [{ ...jwtQuery('q with space') }] }, /query id/],
    [{ a: [jwtQuery('q')], b: [jwtQuery('q', ['Other'])] }, /different queries/],
    [{ a: [jwtQuery('q'), jwtQuery('q')] }, /repeated/],
  ];
  for (const [value, re] of bad) {
    const r = parseDcqlProfiles(value);
    assert.ok('problem' in r, JSON.stringify(value));
    assert.match(r.problem, re);
  }
  assert.ok('profiles' in parseDcqlProfiles({ a: [jwtQuery('q')], b: [jwtQuery('q')] }), 'the same query under two scopes is fine');
});
