import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { IssueOptions } from '@dome-verifier/dev-issuer';
import type { ErrorCode } from '../../errors/codes.ts';
import type { PresentationContext, PresentationPolicy, PresentationState } from '../context.ts';
import { checkCredentialTime } from './check-credential-time.ts';
import { credentialState, loadTestPki, presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';
import { createCredentialCache, type CachedCredential } from '../credential-cache.ts';

const FROM = Date.parse('2025-06-01T00:00:00Z');
const UNTIL = Date.parse('2025-07-01T00:00:00Z');
const MID = Date.parse('2025-06-15T00:00:00Z');
const SKEW_S = 60;
const SKEW = SKEW_S * 1000;

before(loadTestPki);

type VcEdit = (vc: Record<string, unknown>, payload: Record<string, unknown>) => void;

/** State after parse + type checks for a machine v1 credential valid [FROM, UNTIL), with optional edits. */
function stateOf(edit?: VcEdit, o: Partial<IssueOptions> = {}): PresentationState {
  return credentialState({
    validFrom: new Date(FROM), validUntil: new Date(UNTIL), ...o,
    transform: ({ payload }) => edit?.(payload.vc as Record<string, unknown>, payload),
  });
}

function ctxAt(nowMs: number, state: PresentationState, policy: Partial<PresentationPolicy> = {}): PresentationContext {
  return presentationContext(state, presentationDeps({ nowMs, policy: { clockSkewSeconds: SKEW_S, ...policy } }));
}

const accepts = (nowMs: number, state: PresentationState, policy?: Partial<PresentationPolicy>) => checkCredentialTime.run(ctxAt(nowMs, state, policy));

function rejects(nowMs: number, state: PresentationState, code: ErrorCode, message: string, policy?: Partial<PresentationPolicy>): void {
  assert.throws(() => checkCredentialTime.run(ctxAt(nowMs, state, policy)), verifierError(code, message));
}

const EXPIRED = ['ERR_VC_EXPIRED', 'the credential has expired'] as const;
const NOT_YET = ['ERR_VC_NOT_YET_VALID', 'the credential is not yet valid'] as const;

describe('checkCredentialTime', () => {
  test('is named credential-time', () => {
    assert.equal(checkCredentialTime.name, 'credential-time');
  });

  test('accepts a credential inside its validity window', () => {
    accepts(MID, stateOf());
  });

  test('refuses a credential whose validUntil has passed', () => {
    rejects(UNTIL + 3_600_000, stateOf(), ...EXPIRED);
  });

  test('refuses a credential whose validFrom lies in the future', () => {
    rejects(FROM - 3_600_000, stateOf(), ...NOT_YET);
  });

  test('the skew extends validUntil: accepted until just before validUntil + skew, refused from exactly validUntil + skew', () => {
    const s = stateOf();
    accepts(UNTIL, s);
    accepts(UNTIL + SKEW - 1, s);
    rejects(UNTIL + SKEW, s, ...EXPIRED);
  });

  test('the skew extends validFrom: accepted from exactly validFrom − skew, refused just before', () => {
    const s = stateOf();
    accepts(FROM - SKEW, s);
    rejects(FROM - SKEW - 1, s, ...NOT_YET);
  });

  test('without skew a credential is expired at exactly validUntil and valid at exactly validFrom', () => {
    const s = stateOf();
    accepts(FROM, s, { clockSkewSeconds: 0 });
    accepts(UNTIL - 1, s, { clockSkewSeconds: 0 });
    rejects(UNTIL, s, ...EXPIRED, { clockSkewSeconds: 0 });
    rejects(FROM - 1, s, ...NOT_YET, { clockSkewSeconds: 0 });
  });

  test('a JWT exp earlier than validUntil wins (the tighter bound applies)', () => {
    const s = stateOf((_vc, p) => void (p.exp = MID / 1000 - 3600));
    rejects(MID, s, ...EXPIRED);
  });

  test('a JWT nbf later than validFrom wins', () => {
    const s = stateOf((_vc, p) => void (p.nbf = MID / 1000 + 3600));
    rejects(MID, s, ...NOT_YET);
  });

  test('a validUntil earlier than the JWT exp wins', () => {
    const s = stateOf((vc, p) => {
      vc.validUntil = '2025-06-10T00:00:00Z';
      vc.expirationDate = '2025-06-10T00:00:00Z';
      p.exp = UNTIL / 1000;
    });
    rejects(MID, s, ...EXPIRED);
  });

  test('falls back to expirationDate/issuanceDate when validUntil/validFrom are absent', () => {
    const s = stateOf((vc, p) => {
      delete vc.validUntil;
      delete vc.validFrom;
      vc.expirationDate = '2025-06-10T00:00:00Z';
      delete p.exp;
    });
    accepts(Date.parse('2025-06-09T00:00:00Z'), s);
    rejects(MID, s, ...EXPIRED);
  });

  test('uses the JWT exp when the credential has no validUntil', () => {
    const s = stateOf((vc) => {
      delete vc.validUntil;
      delete vc.expirationDate;
    });
    accepts(MID, s);
    rejects(UNTIL + SKEW, s, ...EXPIRED);
  });

  test('refuses a credential with neither validUntil nor JWT exp', () => {
    const s = stateOf((vc, p) => {
      delete vc.validUntil;
      delete vc.expirationDate;
      delete p.exp;
    });
    rejects(MID, s, 'ERR_VC_MALFORMED', 'the credential has no validUntil');
  });

  test('accepts a credential without any lower bound (no validFrom, issuanceDate or nbf)', () => {
    const s = stateOf((vc, p) => {
      delete vc.validFrom;
      delete vc.issuanceDate;
      delete p.nbf;
    });
    accepts(Date.parse('2000-01-01T00:00:00Z'), s);
  });

  test('refuses validFrom/validUntil that are not ISO-8601 date-times with a zone', () => {
    const message = 'the credential validFrom/validUntil must be ISO-8601 date-times with a zone';
    for (const bad of ['2025-07-01T00:00:00', '2025-07-01', 'July 1, 2025', 1751328000, '', {}]) {
      rejects(MID, stateOf((vc) => void (vc.validUntil = bad)), 'ERR_VC_MALFORMED', message);
      rejects(MID, stateOf((vc) => void (vc.validFrom = bad)), 'ERR_VC_MALFORMED', message);
    }
  });

  test('a null validUntil/validFrom counts as absent and falls back to expirationDate/issuanceDate', () => {
    const s = stateOf((vc) => {
      vc.validUntil = null;
      vc.validFrom = null;
      vc.expirationDate = '2025-06-10T00:00:00Z';
    });
    rejects(MID, s, ...EXPIRED);
  });

  test('accepts zone offsets and nanosecond fractions in validFrom/validUntil', () => {
    const s = stateOf((vc) => {
      vc.validFrom = '2025-06-01T02:00:00.123456789+02:00';
      vc.validUntil = '2025-07-01T00:00:00.000000000Z';
    });
    accepts(MID, s);
    rejects(UNTIL + SKEW, s, ...EXPIRED);
  });

  test('reads JWT nbf/exp in milliseconds when the policy accepts them (ISS quirk)', () => {
    const s = stateOf(undefined, { msTimestamps: true });
    assert.ok((s.vc!.payload.exp as number) > 1e11);
    accepts(MID, s);
    rejects(UNTIL + SKEW, s, ...EXPIRED);
  });

  test('refuses JWT nbf/exp in milliseconds when the policy does not accept them', () => {
    rejects(MID, stateOf(undefined, { msTimestamps: true }), 'ERR_VC_MALFORMED', 'the credential JWT nbf/exp must be NumericDates', { acceptMillisecondTimestamps: false });
  });

  test('refuses a JWT nbf or exp that is not a NumericDate', () => {
    for (const bad of ['1751328000', -1, null, true]) {
      rejects(MID, stateOf((_vc, p) => void (p.exp = bad)), 'ERR_VC_MALFORMED', 'the credential JWT nbf/exp must be NumericDates');
      rejects(MID, stateOf((_vc, p) => void (p.nbf = bad)), 'ERR_VC_MALFORMED', 'the credential JWT nbf/exp must be NumericDates');
    }
  });

  test('does nothing when there is no mapped credential (an earlier step failed)', () => {
    const s = stateOf();
    checkCredentialTime.run(ctxAt(UNTIL * 2, {}));
    checkCredentialTime.run(ctxAt(UNTIL * 2, { vc: s.vc }));
    checkCredentialTime.run(ctxAt(UNTIL * 2, { credential: s.credential }));
  });

  describe('with the credential cache (the same credential JWT presented again)', () => {
    const cachedEntry = (edit?: VcEdit): CachedCredential => {
      const { vc, credential } = stateOf(edit) as Required<Pick<PresentationState, 'vc' | 'credential'>>;
      const cache = createCredentialCache();
      cache.set('h.p.s', { jws: vc, credential });
      return cache.get('h.p.s')!;
    };
    const cachedState = (entry: CachedCredential): PresentationState => ({ vc: entry.jws, vcCache: entry, credential: entry.credential! });

    test('parses validFrom/validUntil once and keeps them with the cached credential', () => {
      const entry = cachedEntry();
      checkCredentialTime.run(ctxAt(MID, cachedState(entry)));
      assert.deepEqual(entry.validity, { from: FROM, until: UNTIL });
    });

    test('checks the cached validity against the clock of every request: the same credential expires', () => {
      const entry = cachedEntry();
      checkCredentialTime.run(ctxAt(MID, cachedState(entry)));
      rejects(UNTIL + SKEW, cachedState(entry), 'ERR_VC_EXPIRED', 'the credential has expired');
      rejects(FROM - SKEW - 1, cachedState(entry), 'ERR_VC_NOT_YET_VALID', 'the credential is not yet valid');
    });

    test('never caches unparseable dates: the credential is refused again on the next presentation', () => {
      const entry = cachedEntry((vc) => void (vc.validUntil = '2025-07-01'));
      rejects(MID, cachedState(entry), 'ERR_VC_MALFORMED', 'the credential validFrom/validUntil must be ISO-8601 date-times with a zone');
      assert.equal(entry.validity, undefined);
      rejects(MID, cachedState(entry), 'ERR_VC_MALFORMED', 'the credential validFrom/validUntil must be ISO-8601 date-times with a zone');
    });
  });
});
