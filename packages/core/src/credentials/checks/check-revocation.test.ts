import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RevocationList } from '../../trust/revocation-list.ts';
import type { StatusListChecker } from '../../trust/status-list.ts';
import type { TokenStatusListChecker } from '../../trust/token-status-list.ts';
import { mapSdJwtLearCredential } from '../sd-jwt/map-lear-sd-jwt.ts';
import type { PresentationContext, PresentationState } from '../context.ts';
import { checkRevocation } from './check-revocation.ts';
import {
  credentialState as stateOf, fakeRevocationList as revoked, fakeStatusLists as statusLists, ISSUER, loadTestPki, presentationContext, presentationDeps, verifierError,
} from './test-fixtures.ts';

const UUID = '2f6c5a6b-1c1d-4d7e-9b7a-0e0c2b9c0d11';
const STATUS = {
  id: 'https://issuer.example/status/1#42',
  type: 'BitstringStatusListEntry',
  statusPurpose: 'revocation',
  statusListIndex: '42',
  statusListCredential: 'https://issuer.example/status/1',
};

before(loadTestPki);

function ctx(state: PresentationState, revocation: RevocationList | undefined, checker: StatusListChecker = statusLists(new Error('unexpected status list check'))): PresentationContext {
  return presentationContext(state, presentationDeps({ revocation, statusLists: checker }));
}

async function rejects(c: PresentationContext, code: ErrorCode, message: string): Promise<void> {
  await assert.rejects(async () => checkRevocation.run(c), verifierError(code, message));
}

const REVOKED = ['ERR_VC_REVOKED', 'the credential has been revoked'] as const;

describe('checkRevocation: legacy revoked_credentials list', () => {
  test('is named revocation', () => {
    assert.equal(checkRevocation.name, 'revocation');
  });

  test('accepts a credential whose id is not in the list', async () => {
    const list = revoked(['a923523e-2130-4924-9e8f-4cc99fd2b3e8']);
    await checkRevocation.run(ctx(stateOf({ id: UUID, kind: 'employee' }), list));
    assert.deepEqual(list.calls, [[UUID]]);
  });

  test('refuses a credential whose id is in the list', async () => {
    await rejects(ctx(stateOf({ id: UUID, kind: 'employee' }), revoked([UUID])), ...REVOKED);
  });

  test('refuses a urn:uuid: credential id listed in either form (with or without the prefix), asking the list once for both', async () => {
    await rejects(ctx(stateOf({ id: `urn:uuid:${UUID}` }), revoked([`urn:uuid:${UUID}`])), ...REVOKED);
    const bare = revoked([UUID]);
    await rejects(ctx(stateOf({ id: `urn:uuid:${UUID}` }), bare), ...REVOKED);
    assert.deepEqual(bare.calls, [[`urn:uuid:${UUID}`, UUID]]);
    const unlisted = revoked(['a923523e-2130-4924-9e8f-4cc99fd2b3e8']);
    await checkRevocation.run(ctx(stateOf({ id: `urn:uuid:${UUID}` }), unlisted));
    assert.deepEqual(unlisted.calls, [[`urn:uuid:${UUID}`, UUID]], 'one lookup, so one fetch at most, even when neither form is listed');
  });

  test('does not add a urn:uuid: prefix to a bare id (an entry "urn:uuid:X" does not revoke id "X")', async () => {
    const list = revoked([`urn:uuid:${UUID}`]);
    await checkRevocation.run(ctx(stateOf({ id: UUID, kind: 'employee' }), list));
    assert.deepEqual(list.calls, [[UUID]]);
  });

  test('uses the VC JWT jti when the credential has no id', async () => {
    const s = stateOf({ id: UUID, kind: 'employee', transform: ({ payload }) => void delete (payload.vc as Record<string, unknown>).id });
    assert.equal(s.credential?.id, undefined);
    await rejects(ctx(s, revoked([UUID])), ...REVOKED);
  });

  test('skips the legacy list when the credential has neither id nor jti', async () => {
    const list = revoked([UUID]);
    const s = stateOf({
      transform: ({ payload }) => {
        delete (payload.vc as Record<string, unknown>).id;
        delete payload.jti;
      },
    });
    await checkRevocation.run(ctx(s, list));
    assert.deepEqual(list.calls, []);
  });

  test('skips the legacy list when the trust framework names none', async () => {
    await checkRevocation.run(ctx(stateOf({ id: UUID }), undefined));
  });

  test('propagates an unavailable list (fails closed)', async () => {
    const down = new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the revoked credential list is unavailable; try again later');
    await rejects(ctx(stateOf(), revoked([], down)), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the revoked credential list is unavailable; try again later');
  });
});

describe('checkRevocation: credentialStatus', () => {
  test('asks the status list checker with the entry and the credential issuer, and accepts a valid status', async () => {
    const checker = statusLists('valid');
    await checkRevocation.run(ctx(stateOf({ credentialStatus: STATUS }), undefined, checker));
    assert.deepEqual(checker.calls, [[STATUS, ISSUER]]);
  });

  test('refuses a credential the status list marks revoked', async () => {
    await rejects(ctx(stateOf({ credentialStatus: STATUS }), undefined, statusLists('revoked')), 'ERR_VC_REVOKED', 'the credential is revoked');
  });

  test('refuses a credential the status list marks suspended', async () => {
    await rejects(ctx(stateOf({ credentialStatus: { ...STATUS, statusPurpose: 'suspension' } }), undefined, statusLists('suspended')), 'ERR_VC_REVOKED', 'the credential is suspended');
  });

  test('propagates status list failures (invalid list, unreachable list)', async () => {
    const invalid = new VerifierError('ERR_STATUS_LIST_INVALID', 'status list answered HTTP 404');
    await rejects(ctx(stateOf({ credentialStatus: STATUS }), undefined, statusLists(invalid)), 'ERR_STATUS_LIST_INVALID', 'status list answered HTTP 404');
    const down = new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the status list is unreachable; try again later');
    await rejects(ctx(stateOf({ credentialStatus: STATUS }), undefined, statusLists(down)), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the status list is unreachable; try again later');
  });

  test('checks the legacy list first and the status list only when the legacy list does not revoke', async () => {
    const checker = statusLists('revoked');
    await rejects(ctx(stateOf({ id: UUID, kind: 'employee', credentialStatus: STATUS }), revoked([UUID]), checker), ...REVOKED);
    assert.deepEqual(checker.calls, []);
    await rejects(ctx(stateOf({ id: UUID, kind: 'employee', credentialStatus: STATUS }), revoked([]), checker), 'ERR_VC_REVOKED', 'the credential is revoked');
    assert.equal(checker.calls.length, 1);
  });

  test('checks every entry of a credentialStatus list: one revoked entry revokes', async () => {
    const entry = { type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '1', statusListCredential: 'https://issuer.example/status/1' };
    const seen: unknown[] = [];
    const lists: StatusListChecker = { check: async (e) => (seen.push(e), (e as { statusListIndex: string }).statusListIndex === '2' ? 'revoked' : 'valid') };
    await checkRevocation.run(ctx(stateOf({ credentialStatus: [entry, { ...entry, statusListIndex: '3' }] }), undefined, lists));
    assert.equal(seen.length, 2);
    await assert.rejects(async () => checkRevocation.run(ctx(stateOf({ credentialStatus: [entry, { ...entry, statusListIndex: '2' }] }), undefined, lists)), verifierError('ERR_VC_REVOKED', 'the credential is revoked'));
  });

  test('does nothing without a mapped credential', async () => {
    const list = revoked([UUID]);
    await checkRevocation.run(ctx({}, list, statusLists('revoked')));
    assert.deepEqual(list.calls, []);
  });
});

describe('checkRevocation: IETF Token Status List references', () => {
  const ISS = 'did:elsi:VATES-T0000001';
  const fakeTokenLists = (statuses: Record<string, number>, seen: unknown[] = []): TokenStatusListChecker => ({
    async check(ref, issuer) {
      seen.push({ ...ref, issuer });
      const value = statuses[`${ref.uri}#${ref.idx}`] ?? 0;
      return { value, status: value === 0 ? 'valid' : value === 2 ? 'suspended' : 'revoked' };
    },
  });
  const withTokenLists = (state: PresentationState, lists: TokenStatusListChecker | undefined) =>
    presentationContext(state, { ...presentationDeps({ revocation: undefined, statusLists: statusLists(new Error('unexpected bitstring check')) }), tokenStatusLists: lists });
  /** A mapped SD-JWT VC (the "later" path: it names its list as a TokenStatusListEntry). */
  const sdJwtState = (idx: number): PresentationState => ({
    credential: mapSdJwtLearCredential({
      claims: { iss: ISS, vct: 'learcredential.employee.sd.1', exp: 2e9, mandate: { mandatee: { id: 'did:key:zH' }, mandator: { organizationIdentifier: 'VATES-T0000001' }, power: [] } },
      statusList: { uri: 'https://issuer.example/tsl/1', idx },
    }),
  });

  test('an SD-JWT VC status_list entry is checked with the Token Status List checker, under the credential issuer', async () => {
    const seen: unknown[] = [];
    await checkRevocation.run(withTokenLists(sdJwtState(3), fakeTokenLists({}, seen)));
    assert.deepEqual(seen, [{ uri: 'https://issuer.example/tsl/1', idx: 3, issuer: ISS }]);
  });

  test('status 1 is revoked and status 2 suspended (both refused with ERR_VC_REVOKED)', async () => {
    const lists = fakeTokenLists({ 'https://issuer.example/tsl/1#4': 1, 'https://issuer.example/tsl/1#5': 2 });
    await assert.rejects(async () => checkRevocation.run(withTokenLists(sdJwtState(4), lists)), verifierError('ERR_VC_REVOKED', 'the credential is revoked (token status list)'));
    await assert.rejects(async () => checkRevocation.run(withTokenLists(sdJwtState(5), lists)), verifierError('ERR_VC_REVOKED', 'the credential is suspended (token status list)'));
  });

  test('a deployment without a Token Status List checker refuses such credentials (fail closed)', async () => {
    await assert.rejects(async () => checkRevocation.run(withTokenLists(sdJwtState(3), undefined)), verifierError('ERR_STATUS_LIST_INVALID', /not checked by this deployment/));
  });
});
