import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IssueOptions } from '@dome-verifier/dev-issuer';
import type { DecodedJws } from '../../jose/jws.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { CredentialKind } from '../lear-credential.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkCredentialType } from './check-credential-type.ts';
import { createCredentialCache, type CachedCredential } from '../credential-cache.ts';
import { decodedVc, HOLDER, loadTestPki, presentationContext, verifierError } from './test-fixtures.ts';

before(loadTestPki);

const vcOf = (o: Partial<IssueOptions> & Pick<IssueOptions, 'kind'>): DecodedJws => decodedVc(o);

const ctxFor = (state: PresentationState, expectedKind: CredentialKind = 'machine'): PresentationContext => presentationContext(state, undefined, { expectedKind });

function rejects(state: PresentationState, code: ErrorCode, message: string, expectedKind: CredentialKind = 'machine'): void {
  const ctx = ctxFor(state, expectedKind);
  assert.throws(() => checkCredentialType.run(ctx), verifierError(code, message));
  assert.equal(ctx.state.credential, undefined);
}

/** A copy of a decoded VC with its payload replaced. */
const withPayload = (vc: DecodedJws, payload: Record<string, unknown>): DecodedJws => ({ ...vc, payload });

describe('checkCredentialType', () => {
  test('is named credential-type', () => {
    assert.equal(checkCredentialType.name, 'credential-type');
  });

  test('accepts a LEARCredentialMachine (v1 and v2) when the flow expects a machine and records the mapped credential', () => {
    for (const [shape, expected] of [['v1', 'machine-v1'], ['v2', 'machine-v2']] as const) {
      const ctx = ctxFor({ vc: vcOf({ kind: 'machine', shape }) });
      checkCredentialType.run(ctx);
      assert.equal(ctx.state.credential?.kind, 'machine');
      assert.equal(ctx.state.credential?.shape, expected);
      assert.equal(ctx.state.credential?.mandatee.id, HOLDER);
    }
  });

  test('accepts a LEARCredentialEmployee (v1, v2, v3) when the flow expects an employee', () => {
    for (const shape of ['v1', 'v2', 'v3'] as const) {
      const ctx = ctxFor({ vc: vcOf({ kind: 'employee', shape }) }, 'employee');
      checkCredentialType.run(ctx);
      assert.equal(ctx.state.credential?.shape, `employee-${shape}`);
    }
  });

  test('refuses an employee credential presented where a machine credential is required', () => {
    rejects({ vc: vcOf({ kind: 'employee' }) }, 'ERR_VC_TYPE', 'invalid credential type: expected LEARCredentialMachine');
  });

  test('refuses a machine credential presented where an employee credential is required', () => {
    rejects({ vc: vcOf({ kind: 'machine' }) }, 'ERR_VC_TYPE', 'invalid credential type: expected LEARCredentialEmployee', 'employee');
  });

  test('refuses a credential that is not a LEAR credential', () => {
    const vc = vcOf({ kind: 'machine', transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).type = ['VerifiableCredential', 'VerifiableAttestation']) });
    rejects({ vc }, 'ERR_VC_TYPE', 'invalid credential type: expected LEARCredentialMachine');
  });

  test('accepts a VCDM 2.0 credential carried at the root of the JWT payload', () => {
    const vc = vcOf({ kind: 'machine', shape: 'v2' });
    const { vc: inner, ...envelope } = vc.payload;
    const ctx = ctxFor({ vc: withPayload(vc, { ...envelope, ...(inner as Record<string, unknown>) }) });
    checkCredentialType.run(ctx);
    assert.equal(ctx.state.credential?.shape, 'machine-v2');
  });

  test('refuses a credential JWT without a vc claim', () => {
    const vc = vcOf({ kind: 'machine' });
    rejects({ vc: withPayload(vc, { iss: vc.payload.iss, sub: HOLDER }) }, 'ERR_VC_MALFORMED', 'the credential JWT has no vc claim');
    rejects({ vc: withPayload(vc, { ...vc.payload, vc: 'eyJ...' }) }, 'ERR_VC_MALFORMED', 'the credential JWT has no vc claim');
  });

  test('refuses when no credential was parsed (earlier failure under inspect)', () => {
    rejects({}, 'ERR_VC_MALFORMED', 'the credential JWT has no vc claim');
  });

  test('refuses a LEAR credential without its mandate structure as malformed, naming what is missing', () => {
    const noMandate = vcOf({ kind: 'machine', transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).credentialSubject = { id: HOLDER }) });
    rejects({ vc: noMandate }, 'ERR_VC_MALFORMED', 'the credential has no credentialSubject.mandate object');
    const noSubject = vcOf({ kind: 'machine', transform: ({ payload }) => void delete (payload.vc as Record<string, unknown>).credentialSubject });
    rejects({ vc: noSubject }, 'ERR_VC_MALFORMED', 'the credential has no credentialSubject object');
    const noMandator = vcOf({
      kind: 'machine',
      transform: ({ payload }) => void delete ((payload.vc as { credentialSubject: { mandate: Record<string, unknown> } }).credentialSubject.mandate.mandator),
    });
    rejects({ vc: noMandator }, 'ERR_VC_MALFORMED', 'the credential has no mandate.mandator object');
  });

  describe('with the credential cache (the same credential JWT presented again)', () => {
    /** A state as parse-presentation leaves it for a cached credential: the shared entry and its decoded JWT. */
    const cachedState = (entry: CachedCredential): PresentationState => ({ vc: entry.jws, vcCache: entry });
    const entryOf = (vc: DecodedJws): CachedCredential => {
      const cache = createCredentialCache();
      cache.set('h.p.s', { jws: vc });
      return cache.get('h.p.s')!;
    };

    test('maps the credential once: the next presentation gets the same frozen mapping', () => {
      const entry = entryOf(vcOf({ kind: 'machine' }));
      const first = ctxFor(cachedState(entry));
      checkCredentialType.run(first);
      const second = ctxFor(cachedState(entry));
      checkCredentialType.run(second);
      assert.ok(first.state.credential);
      assert.equal(second.state.credential, first.state.credential, 'the mapping is reused');
      assert.ok(Object.isFrozen(first.state.credential) && Object.isFrozen(first.state.credential.types) && Object.isFrozen(first.state.credential.powers));
    });

    test('still checks the kind on every request: a cached machine credential is refused for the employee flow', () => {
      const entry = entryOf(vcOf({ kind: 'machine' }));
      checkCredentialType.run(ctxFor(cachedState(entry)));
      rejects(cachedState(entry), 'ERR_VC_TYPE', 'invalid credential type: expected LEARCredentialEmployee', 'employee');
    });

    test('never caches a failed mapping: the credential is refused again on the next presentation', () => {
      const noMandate = vcOf({ kind: 'machine', transform: ({ payload }) => void ((payload.vc as Record<string, unknown>).credentialSubject = { id: HOLDER }) });
      const entry = entryOf(noMandate);
      rejects(cachedState(entry), 'ERR_VC_MALFORMED', 'the credential has no credentialSubject.mandate object');
      assert.equal(entry.credential, undefined);
      rejects(cachedState(entry), 'ERR_VC_MALFORMED', 'the credential has no credentialSubject.mandate object');
    });
  });
});
