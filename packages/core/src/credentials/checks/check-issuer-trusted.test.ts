import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { IssuerAttribute, TrustedIssuersRegistry } from '../../trust/trusted-issuers.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkIssuerTrusted } from './check-issuer-trusted.ts';
import {
  credentialState as stateOf, fakeIssuers as til, ISSUER, loadTestPki, NOW, presentationContext, presentationDeps, verifierError,
} from './test-fixtures.ts';

const YEAR = 365 * 86_400_000;

before(loadTestPki);

const attr = (credentialsType: string, validFrom: number | undefined = NOW - YEAR, validTo: number | undefined = NOW + YEAR): IssuerAttribute => ({ credentialsType, validFrom, validTo, claims: [] });

const trusted = (...attributes: IssuerAttribute[]) => til({ [ISSUER]: { did: ISSUER, attributes } });

function ctx(state: PresentationState, issuers: TrustedIssuersRegistry, nowMs = NOW): PresentationContext {
  return presentationContext(state, presentationDeps({ nowMs, issuers }));
}

async function rejects(c: PresentationContext, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(async () => checkIssuerTrusted.run(c), verifierError(code, message));
}

const TYPE_NOT_ALLOWED = ['ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type'] as const;
const NOT_NOW = ['ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type at this time (validFor)'] as const;

describe('checkIssuerTrusted', () => {
  test('is named issuer-trusted', () => {
    assert.equal(checkIssuerTrusted.name, 'issuer-trusted');
  });

  test('accepts an issuer listed for LEARCredentialMachine now, looking up vc.issuer.id once', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    await checkIssuerTrusted.run(ctx(stateOf(), reg));
    assert.deepEqual(reg.calls, [ISSUER]);
  });

  test('accepts an issuer given as a plain string', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    await checkIssuerTrusted.run(ctx(stateOf({ transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).issuer = ISSUER) }), reg));
    assert.deepEqual(reg.calls, [ISSUER]);
  });

  test('uses the VC JWT iss when the credential has no issuer', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    await checkIssuerTrusted.run(ctx(stateOf({ transform: ({ payload }) => void delete (payload.vc as Record<string, unknown>).issuer }), reg));
    assert.deepEqual(reg.calls, [ISSUER]);
  });

  test('refuses a credential that names no issuer at all', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    const s = stateOf({
      transform: ({ payload }) => {
        delete (payload.vc as Record<string, unknown>).issuer;
        delete payload.iss;
      },
    });
    await rejects(ctx(s, reg), 'ERR_VC_MALFORMED', 'the credential names no issuer');
    assert.deepEqual(reg.calls, []);
  });

  test('refuses a VC JWT whose iss names another DID than vc.issuer, before any lookup', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    const s = stateOf({ transform: ({ payload }) => void (payload.iss = 'did:elsi:VATES-X9999999') });
    await rejects(ctx(s, reg), 'ERR_VC_MALFORMED', 'the credential JWT iss differs from vc.issuer');
    assert.deepEqual(reg.calls, []);
  });

  test('refuses an issuer outside the Trusted Issuers List', async () => {
    await rejects(ctx(stateOf(), til({})), 'ERR_ISSUER_NOT_TRUSTED', 'the credential issuer is not a trusted issuer');
  });

  test('refuses an issuer trusted only for another credential type', async () => {
    await rejects(ctx(stateOf(), trusted(attr('LEARCredentialEmployee'))), ...TYPE_NOT_ALLOWED);
    await rejects(ctx(stateOf(), trusted()), ...TYPE_NOT_ALLOWED);
    await rejects(ctx(stateOf(), trusted(attr('learcredentialmachine'))), ...TYPE_NOT_ALLOWED);
  });

  test('matches the TIL credentialsType against every type of the credential', async () => {
    await checkIssuerTrusted.run(ctx(stateOf(), trusted(attr('LEARCredentialEmployee'), attr('LEARCredentialMachine'))));
    const eudi = stateOf({ transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).type = ['VerifiableCredential', 'learcredential.machine.w3c.3']) });
    await checkIssuerTrusted.run(ctx(eudi, trusted(attr('learcredential.machine.w3c.3'))));
  });

  test('refuses an issuer whose validFor has not started yet or has ended', async () => {
    await rejects(ctx(stateOf(), trusted(attr('LEARCredentialMachine', NOW + 1, NOW + YEAR))), ...NOT_NOW);
    await rejects(ctx(stateOf(), trusted(attr('LEARCredentialMachine', NOW - YEAR, NOW - 1))), ...NOT_NOW);
  });

  test('validFor includes its start and excludes its end', async () => {
    await checkIssuerTrusted.run(ctx(stateOf(), trusted(attr('LEARCredentialMachine', NOW, NOW + 1))));
    await rejects(ctx(stateOf(), trusted(attr('LEARCredentialMachine', NOW - 1, NOW))), ...NOT_NOW);
  });

  test('an open-ended validFor is unbounded on that side', async () => {
    await checkIssuerTrusted.run(ctx(stateOf(), trusted(attr('LEARCredentialMachine', undefined, undefined))));
    await checkIssuerTrusted.run(ctx(stateOf(), trusted(attr('LEARCredentialMachine', undefined, NOW + 1))));
    await checkIssuerTrusted.run(ctx(stateOf(), trusted(attr('LEARCredentialMachine', NOW - 1, undefined))));
  });

  test('accepts when one of several matching attributes is current', async () => {
    const reg = trusted(attr('LEARCredentialMachine', NOW - 2 * YEAR, NOW - YEAR), attr('LEARCredentialMachine', NOW - YEAR, NOW + YEAR));
    await checkIssuerTrusted.run(ctx(stateOf(), reg));
  });

  test('uses the injected clock for validFor (frozen time, not the wall clock)', async () => {
    const reg = trusted(attr('LEARCredentialMachine', Date.parse('2030-01-01T00:00:00Z'), Date.parse('2031-01-01T00:00:00Z')));
    await checkIssuerTrusted.run(ctx(stateOf(), reg, Date.parse('2030-06-01T00:00:00Z')));
    await rejects(ctx(stateOf(), reg), ...NOT_NOW);
  });

  test('propagates a Trusted Issuers List outage (fails closed)', async () => {
    const down = new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later');
    await rejects(ctx(stateOf(), til({ [ISSUER]: down })), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the Trusted Issuers List is unavailable; try again later');
  });

  test('does nothing without a mapped credential', async () => {
    const reg = trusted(attr('LEARCredentialMachine'));
    await checkIssuerTrusted.run(ctx({}, reg));
    assert.deepEqual(reg.calls, []);
  });
});
