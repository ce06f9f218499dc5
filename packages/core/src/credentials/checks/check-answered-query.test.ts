import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateP256 } from '@dome-verifier/dev-issuer';
import { VerifierError } from '../../errors/verifier-error.ts';
import { DEFAULT_SENT_QUERIES } from '../../oauth/oid4vp/sent-queries.ts';
import type { VerifiedSdJwt } from '../sd-jwt/verify-sd-jwt.ts';
import { checkAnsweredQuery } from './check-answered-query.ts';
import { credentialState, loadTestPki, presentationContext } from './test-fixtures.ts';

const [JWT_Q, SD_Q] = DEFAULT_SENT_QUERIES as [typeof DEFAULT_SENT_QUERIES[number], typeof DEFAULT_SENT_QUERIES[number]];
const sd = (vct: string) => ({ vct }) as unknown as VerifiedSdJwt;

function mismatch(run: () => void): void {
  assert.throws(run, (e: unknown) => e instanceof VerifierError && e.code === 'ERR_VP_TOKEN_QUERY_MISMATCH');
}

describe('answered-query: the presented credential satisfies the DCQL query it answers', () => {
  before(loadTestPki);
  const holder = generateP256().did;
  const w3c = () => credentialState({ kind: 'employee', format: 'w3c-v2', mandatee: { id: holder } });
  const legacy = () => credentialState({ kind: 'employee', mandatee: { id: holder } });

  test('a learcredential.employee.w3c.4 JWT VC satisfies the jwt_vc_json query', () => {
    checkAnsweredQuery.run(presentationContext(w3c(), undefined, { expectedKind: 'employee', query: JWT_Q }));
  });
  test('a legacy LEARCredentialEmployee JWT VC does not satisfy it (type not listed)', () => {
    mismatch(() => checkAnsweredQuery.run(presentationContext(legacy(), undefined, { expectedKind: 'employee', query: JWT_Q })));
  });
  test('a bare presentation (no query: the deployed wallet) skips the check', () => {
    checkAnsweredQuery.run(presentationContext(legacy(), undefined, { expectedKind: 'employee' }));
  });
  test('an SD-JWT VC satisfies the dc+sd-jwt query with either listed vct, and not with another', () => {
    const state = w3c();
    for (const vct of ['learcredential.employee.sd.1', 'eu.europa.ec.eudi.lce.1']) {
      checkAnsweredQuery.run(presentationContext({ ...state, sdJwt: sd(vct) }, undefined, { expectedKind: 'employee', query: SD_Q }));
    }
    mismatch(() => checkAnsweredQuery.run(presentationContext({ ...state, sdJwt: sd('learcredential.machine.sd.1') }, undefined, { expectedKind: 'employee', query: SD_Q })));
  });
  test('the formats must agree: a JWT VC under the dc+sd-jwt query, an SD-JWT VC under the jwt_vc_json query', () => {
    mismatch(() => checkAnsweredQuery.run(presentationContext(w3c(), undefined, { expectedKind: 'employee', query: SD_Q })));
    mismatch(() => checkAnsweredQuery.run(presentationContext({ ...w3c(), sdJwt: sd('learcredential.employee.sd.1') }, undefined, { expectedKind: 'employee', query: JWT_Q })));
  });
});
