/** Step 4 — the presentation's own `exp`/`nbf`/`iat` are honoured when present (IN2 ignores them). */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { readNumericDate } from '../../shared/time.ts';
import type { PresentationContext, PresentationDeps } from '../context.ts';

/** Throws unless a VP payload's `exp`/`nbf`/`iat` (when present) admit now, within the skew. */
export function assertPresentationTime(p: Record<string, unknown>, deps: Pick<PresentationDeps, 'clock' | 'policy'>): void {
  const ms = deps.policy.acceptMillisecondTimestamps;
  const exp = readNumericDate(p.exp, ms);
  const nbf = readNumericDate(p.nbf, ms);
  const iat = readNumericDate(p.iat, ms);
  if (!exp.ok || !nbf.ok || !iat.ok) throw new VerifierError('ERR_VP_MALFORMED', 'the presentation exp/nbf/iat must be NumericDates');
  const now = deps.clock.now() / 1000;
  const skew = deps.policy.clockSkewSeconds;
  if (exp.seconds !== undefined && now - skew >= exp.seconds) throw new VerifierError('ERR_VP_EXPIRED', 'the presentation has expired');
  if (nbf.seconds !== undefined && now + skew < nbf.seconds) throw new VerifierError('ERR_VP_NOT_YET_VALID', 'the presentation is not yet valid');
  if (iat.seconds !== undefined && now + skew < iat.seconds) throw new VerifierError('ERR_VP_NOT_YET_VALID', 'the presentation was issued in the future');
}

export const checkPresentationTime: Step<PresentationContext> = {
  name: 'presentation-time',
  run({ deps, state }) {
    if (state.vp) assertPresentationTime(state.vp.payload, deps);
  },
};
