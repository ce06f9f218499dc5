import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IssueOptions } from '@dome-verifier/dev-issuer';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { TrustedIssuersRegistry } from '../../trust/trusted-issuers.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkMandator } from './check-mandator.ts';
import { credentialState, fakeIssuers as til, loadTestPki, ORG, presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';

const MANDATOR_ORG = 'VATES-M0000002';

before(loadTestPki);

function stateOf(o: Partial<IssueOptions> = {}): PresentationState {
  return credentialState({ mandator: { organizationIdentifier: MANDATOR_ORG }, ...o });
}

/** Edits the mandator of the issued credential before signing. */
const mandatorEdit = (edit: (m: Record<string, unknown>) => void): Partial<IssueOptions> => ({
  transform: ({ payload }) => edit((payload.vc as { credentialSubject: { mandate: { mandator: Record<string, unknown> } } }).credentialSubject.mandate.mandator),
});

function ctx(state: PresentationState, issuers: TrustedIssuersRegistry): PresentationContext {
  return presentationContext(state, presentationDeps({ issuers }));
}

async function rejects(c: PresentationContext, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(async () => checkMandator.run(c), verifierError(code, message));
}

describe('checkMandator', () => {
  test('is named mandator-trusted', () => {
    assert.equal(checkMandator.name, 'mandator-trusted');
  });

  test('accepts a mandator whose organisation is listed as did:elsi:{organizationIdentifier}', async () => {
    const reg = til([`did:elsi:${MANDATOR_ORG}`]);
    await checkMandator.run(ctx(stateOf(), reg));
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('does not prefix an organizationIdentifier that is already a did:elsi', async () => {
    const reg = til([`did:elsi:${MANDATOR_ORG}`]);
    await checkMandator.run(ctx(stateOf(mandatorEdit((m) => void (m.organizationIdentifier = `did:elsi:${MANDATOR_ORG}`))), reg));
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('looks up the mandator, not the issuer: an untrusted mandator of a trusted issuer is refused', async () => {
    const reg = til([`did:elsi:${ORG}`]);
    await rejects(ctx(stateOf(), reg), 'ERR_MANDATOR_NOT_TRUSTED', 'the mandator organisation is not in the Trusted Issuers List');
    assert.deepEqual(reg.calls, [`did:elsi:${MANDATOR_ORG}`]);
  });

  test('reads the mandator of every credential shape (machine v2 mandator carries its own id)', async () => {
    await checkMandator.run(ctx(stateOf({ shape: 'v2' }), til([`did:elsi:${MANDATOR_ORG}`])));
    await checkMandator.run(ctx(stateOf({ kind: 'employee', shape: 'v1' }), til([`did:elsi:${MANDATOR_ORG}`])));
  });

  test('refuses a mandator without an organizationIdentifier, without a lookup', async () => {
    for (const edit of [(m: Record<string, unknown>) => void delete m.organizationIdentifier, (m: Record<string, unknown>) => void (m.organizationIdentifier = ''), (m: Record<string, unknown>) => void (m.organizationIdentifier = 42)]) {
      const reg = til([`did:elsi:${MANDATOR_ORG}`]);
      await rejects(ctx(stateOf(mandatorEdit(edit)), reg), 'ERR_VC_MALFORMED', 'the credential mandator has no organizationIdentifier');
      assert.deepEqual(reg.calls, []);
    }
  });

  test('propagates a Trusted Issuers List outage (fails closed)', async () => {
    const reg = til([], new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later'));
    await rejects(ctx(stateOf(), reg), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later');
  });

  test('does nothing without a mapped credential', async () => {
    const reg = til([]);
    await checkMandator.run(ctx({}, reg));
    assert.deepEqual(reg.calls, []);
  });
});
