/**
 * Step 3 — the credential is within its validity window: `validFrom`/`validUntil`
 * (or `issuanceDate`/`expirationDate`), ISO-8601 with a zone, and the VC JWT `nbf`/`exp` when
 * present (IN2 ignores the JWT times). The allowed clock skew applies to both ends.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { parseIsoDateTime, readNumericDate } from '../../shared/time.ts';
import type { PresentationContext } from '../context.ts';
import type { LearCredential } from '../lear-credential.ts';

/** `validFrom`/`validUntil` as ms epoch; throws unless each present one is an ISO-8601 date-time with a zone. */
function validityOf(c: LearCredential): { from: number | undefined; until: number | undefined } {
  const from = c.validFrom === undefined ? undefined : parseIsoDateTime(c.validFrom);
  const until = c.validUntil === undefined ? undefined : parseIsoDateTime(c.validUntil);
  if ((c.validFrom !== undefined && from === undefined) || (c.validUntil !== undefined && until === undefined)) {
    throw new VerifierError('ERR_VC_MALFORMED', 'the credential validFrom/validUntil must be ISO-8601 date-times with a zone');
  }
  return { from, until };
}

export const checkCredentialTime: Step<PresentationContext> = {
  name: 'credential-time',
  run({ deps, state }) {
    const c = state.credential;
    const payload = state.vc?.payload;
    if (!c || !payload) return;
    const skewMs = deps.policy.clockSkewSeconds * 1000;
    const now = deps.clock.now();
    // A cached credential's dates are parsed once (only once they parsed); compared with now always.
    const cached = state.vcCache?.credential === c ? state.vcCache : undefined;
    const { from, until } = cached?.validity ?? validityOf(c);
    if (cached) cached.validity ??= Object.freeze({ from, until });
    const nbf = readNumericDate(payload.nbf, deps.policy.acceptMillisecondTimestamps);
    const exp = readNumericDate(payload.exp, deps.policy.acceptMillisecondTimestamps);
    if (!nbf.ok || !exp.ok) throw new VerifierError('ERR_VC_MALFORMED', 'the credential JWT nbf/exp must be NumericDates');
    if (until === undefined && exp.seconds === undefined) throw new VerifierError('ERR_VC_MALFORMED', 'the credential has no validUntil');
    const notBefore = Math.max(from ?? -Infinity, nbf.seconds === undefined ? -Infinity : nbf.seconds * 1000);
    const notAfter = Math.min(until ?? Infinity, exp.seconds === undefined ? Infinity : exp.seconds * 1000);
    if (now + skewMs < notBefore) throw new VerifierError('ERR_VC_NOT_YET_VALID', 'the credential is not yet valid');
    if (now - skewMs >= notAfter) throw new VerifierError('ERR_VC_EXPIRED', 'the credential has expired');
  },
};
