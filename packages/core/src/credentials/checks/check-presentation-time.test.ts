import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedJws } from '../../jose/jws.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { PresentationContext, PresentationPolicy } from '../context.ts';
import { checkPresentationTime } from './check-presentation-time.ts';
import { presentationContext, presentationDeps, verifierError } from './test-fixtures.ts';

const NOW_S = 1_748_779_200; // 2025-06-01T12:00:00Z
const NOW = NOW_S * 1000;
const SKEW = 60;

/** The presentation as parsePresentation leaves it (this step reads the payload only). */
const vp = (payload: Record<string, unknown>): DecodedJws => ({ header: { alg: 'ES256' }, payload, signingInput: '', signature: Buffer.alloc(0) });

function ctx(payload: Record<string, unknown> | undefined, nowMs = NOW, policy: Partial<PresentationPolicy> = {}): PresentationContext {
  return presentationContext(payload ? { vp: vp(payload) } : {}, presentationDeps({ nowMs, policy: { clockSkewSeconds: SKEW, ...policy } }));
}

function rejects(c: PresentationContext, code: ErrorCode, message: string): void {
  assert.throws(() => checkPresentationTime.run(c), verifierError(code, message));
}

const EXPIRED = ['ERR_VP_EXPIRED', 'the presentation has expired'] as const;

describe('checkPresentationTime', () => {
  test('is named presentation-time', () => {
    assert.equal(checkPresentationTime.name, 'presentation-time');
  });

  test('accepts a presentation with iat/nbf now and exp two minutes ahead (what the client SDK sends)', () => {
    checkPresentationTime.run(ctx({ iat: NOW_S, nbf: NOW_S, exp: NOW_S + 120 }));
  });

  test('accepts a presentation without exp, nbf or iat (IN2 does not require them)', () => {
    checkPresentationTime.run(ctx({ iss: 'did:key:z' }));
  });

  test('refuses an expired presentation', () => {
    rejects(ctx({ exp: NOW_S - 3600 }), ...EXPIRED);
  });

  test('the skew extends exp: accepted until just before exp + skew, refused at exactly exp + skew', () => {
    const p = { exp: NOW_S };
    checkPresentationTime.run(ctx(p, NOW));
    checkPresentationTime.run(ctx(p, NOW + SKEW * 1000 - 1));
    rejects(ctx(p, NOW + SKEW * 1000), ...EXPIRED);
  });

  test('refuses a presentation whose nbf lies beyond the skew in the future', () => {
    rejects(ctx({ nbf: NOW_S + SKEW + 1 }), 'ERR_VP_NOT_YET_VALID', 'the presentation is not yet valid');
  });

  test('accepts nbf exactly skew seconds ahead and refuses one millisecond earlier', () => {
    checkPresentationTime.run(ctx({ nbf: NOW_S + SKEW }));
    rejects(ctx({ nbf: NOW_S + SKEW }, NOW - 1), 'ERR_VP_NOT_YET_VALID', 'the presentation is not yet valid');
  });

  test('refuses a presentation issued in the future beyond the skew', () => {
    checkPresentationTime.run(ctx({ iat: NOW_S + SKEW }));
    rejects(ctx({ iat: NOW_S + SKEW + 1 }), 'ERR_VP_NOT_YET_VALID', 'the presentation was issued in the future');
  });

  test('checks exp before nbf and nbf before iat', () => {
    rejects(ctx({ exp: NOW_S - 3600, nbf: NOW_S + 3600, iat: NOW_S + 3600 }), ...EXPIRED);
    rejects(ctx({ nbf: NOW_S + 3600, iat: NOW_S + 3600 }), 'ERR_VP_NOT_YET_VALID', 'the presentation is not yet valid');
  });

  test('reads millisecond timestamps when the policy accepts them', () => {
    checkPresentationTime.run(ctx({ iat: NOW, nbf: NOW, exp: NOW + 120_000 }));
    rejects(ctx({ exp: NOW - 3_600_000 }), ...EXPIRED);
  });

  test('refuses millisecond timestamps when the policy does not accept them', () => {
    rejects(ctx({ exp: NOW + 120_000 }, NOW, { acceptMillisecondTimestamps: false }), 'ERR_VP_MALFORMED', 'the presentation exp/nbf/iat must be NumericDates');
  });

  test('refuses exp, nbf or iat that are not NumericDates', () => {
    for (const claim of ['exp', 'nbf', 'iat']) {
      for (const bad of [String(NOW_S), null, -5, { $date: NOW }]) {
        rejects(ctx({ [claim]: bad }), 'ERR_VP_MALFORMED', 'the presentation exp/nbf/iat must be NumericDates');
      }
    }
  });

  test('does nothing when no presentation was parsed', () => {
    checkPresentationTime.run(ctx(undefined));
  });
});
