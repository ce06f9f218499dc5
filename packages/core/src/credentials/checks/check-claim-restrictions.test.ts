import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IssuerAttribute } from '../../trust/trusted-issuers.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkIssuerTrusted } from './check-issuer-trusted.ts';
import { checkClaimRestrictionsStep } from './check-claim-restrictions.ts';
import { PRESENTATION_CHECKS, SD_JWT_PRESENTATION_CHECKS, WALLET_PRESENTATION_CHECKS } from '../verify-presentation.ts';
import { credentialState, fakeIssuers, ISSUER, loadTestPki, NOW, presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';

const YEAR = 365 * 86_400_000;
before(loadTestPki);

const attr = (claims: unknown[], o: Partial<IssuerAttribute> = {}): IssuerAttribute => ({ credentialsType: 'LEARCredentialMachine', validFrom: NOW - YEAR, validTo: NOW + YEAR, claims, ...o });

/** issuer-trusted, then claim-restrictions, over a TIL entry with these attributes. */
async function run(...attributes: IssuerAttribute[]): Promise<PresentationContext> {
  const state: PresentationState = credentialState();
  const c = presentationContext(state, presentationDeps({ issuers: fakeIssuers({ [ISSUER]: { did: ISSUER, attributes } }) }));
  await checkIssuerTrusted.run(c);
  await checkClaimRestrictionsStep.run(c);
  return c;
}

const NOT_ALLOWED = (claim: string) => verifierError('ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', `the credential claim ${claim} has a value the issuer is not allowed to attest`);

describe('checkClaimRestrictionsStep (DOME pipeline: TIL claims / allowedValues)', () => {
  test('is named claim-restrictions and runs right after issuer-trusted in every pipeline', () => {
    assert.equal(checkClaimRestrictionsStep.name, 'claim-restrictions');
    for (const steps of [PRESENTATION_CHECKS, WALLET_PRESENTATION_CHECKS, SD_JWT_PRESENTATION_CHECKS]) {
      const names = steps.map((s) => s.name);
      assert.equal(names[names.indexOf('issuer-trusted') + 1], 'claim-restrictions', names.join(','));
    }
  });

  test('an entry without claims (the demo trust framework, DOME today) allows the credential', async () => {
    await run(attr([]));
  });

  test('accepts claims whose values are allowed (path with wildcard, nested path, legacy name)', async () => {
    await run(attr([
      { path: '$.mandate.power[*].tmf_function', allowedValues: ['Onboarding', 'ProductOffering'] },
      { path: '$.mandate.mandator.organizationIdentifier', allowedValues: ['VATES-T0000001'] },
      { name: 'notPresent', allowedValues: [] },
    ]));
  });

  test('refuses a credential claiming a power the issuer may not attest (401 invalid_client)', async () => {
    await assert.rejects(run(attr([{ path: '$.mandate.power[*].tmf_function', allowedValues: ['ProductOffering'] }])), NOT_ALLOWED('$.mandate.power[*].tmf_function'));
    await assert.rejects(run(attr([{ path: '$.mandate.mandator', allowedValues: [{ organizationIdentifier: 'VATES-T0000001' }] }])), NOT_ALLOWED('$.mandate.mandator'));
    await assert.rejects(run(attr([{ name: 'mandate', allowedValues: ['x'] }])), NOT_ALLOWED('mandate'));
  });

  test('the error is ERR_CREDENTIAL_CLAIM_NOT_ALLOWED with 401 invalid_client, like the issuer-trusted refusals', async () => {
    await assert.rejects(run(attr([{ path: '$.mandate.power[*].tmf_function', allowedValues: [] }])), (e: unknown) => {
      const err = e as { code: string; status: number; error: string };
      return err.code === 'ERR_CREDENTIAL_CLAIM_NOT_ALLOWED' && err.status === 401 && err.error === 'invalid_client';
    });
  });

  test('attributes of the type valid now are ORed: one permissive attribute is enough; an expired one does not count', async () => {
    const strict = attr([{ path: '$.mandate.power[*].tmf_function', allowedValues: ['ProductOffering'] }]);
    await run(strict, attr([]));
    const expiredPermissive = attr([], { validFrom: NOW - 2 * YEAR, validTo: NOW - YEAR });
    await assert.rejects(run(strict, expiredPermissive), NOT_ALLOWED('$.mandate.power[*].tmf_function'));
  });

  test('an unsupported path or malformed restriction in the TIL fails closed', async () => {
    await assert.rejects(run(attr([{ path: '$..tmf_function', allowedValues: ['Onboarding'] }])), verifierError('ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', 'unsupported claim path "$..tmf_function": recursive descent (..) is not implemented'));
    await assert.rejects(run(attr([{ path: '$.mandate' }])), verifierError('ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', 'a claim restriction of the issuer has no name or path, or no allowedValues list'));
  });
});
