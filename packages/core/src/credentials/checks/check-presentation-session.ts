/**
 * H2M only (OpenID4VP): the presentation echoes this login's `nonce` (no replay from another
 * session) and names an accepted audience. IN2 required a non-empty `aud` without comparing it,
 * because the DOME wallet sends `https://self-issued.me/v2`; the accepted values are configurable
 * (default: that value, the verifier did:key and the verifier URL).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const checkPresentationSession: Step<PresentationContext> = {
  name: 'presentation-session',
  run({ input, state }) {
    const p = state.vp?.payload;
    if (!p || input.nonce === undefined) return;
    if (p.nonce !== input.nonce) throw new VerifierError('ERR_VP_NONCE', 'the presentation nonce does not match this login');
    const aud = p.aud;
    const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
    if (values.length === 0) throw new VerifierError('ERR_VP_AUDIENCE', 'the presentation has no aud');
    if (input.audiences && !values.some((a) => input.audiences!.includes(a))) {
      throw new VerifierError('ERR_VP_AUDIENCE', 'the presentation is addressed to another verifier');
    }
  },
};
