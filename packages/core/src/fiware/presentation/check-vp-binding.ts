/**
 * Step 3 — the VP is bound to this verifier and to one use (VCVerifier checks none of it):
 * `aud` names one of the accepted audiences (grant: this verifier's URL or the service's token
 * endpoint; wallet: the login's), `nonce` is present (wallet: the login's), and `exp` is present
 * and at most 10 minutes ahead (so the replay record of `vp-replay` is bounded). In grant mode a
 * service with `allowUnboundVp: true` accepts VPs without `aud`/`nonce`/`exp` (FIWARE's machine
 * clients send none); whatever such a VP does carry is still checked.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { nowSeconds } from '../../ports/clock.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

export const MAX_BOUND_VP_LIFETIME_SECONDS = 600;

function audiencesOf(aud: unknown): string[] | undefined {
  if (aud === undefined) return [];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  return undefined;
}

export const checkFiwareVpBinding: Step<FiwarePresentationContext> = {
  name: 'fiware-vp-binding',
  run({ input, deps, state }) {
    if (!state.vps) return;
    const lenient = input.mode === 'grant' && input.service.allowUnboundVp;
    for (const vp of state.vps) {
      const { aud, nonce, exp } = vp.payload;
      const auds = audiencesOf(aud);
      if (!auds) throw new VerifierError('ERR_VP_AUDIENCE', 'the presentation aud must be a string or a list of strings');
      if (nonce !== undefined && (typeof nonce !== 'string' || nonce === '' || nonce.length > 256)) throw new VerifierError('ERR_VP_NONCE', 'the presentation nonce must be a string of 1–256 characters');
      if (input.mode === 'wallet') {
        if (auds.length === 0) throw new VerifierError('ERR_VP_AUDIENCE', 'the presentation has no aud');
        if (nonce === undefined) throw new VerifierError('ERR_VP_NONCE', 'the presentation has no nonce');
      } else if (!lenient) {
        if (auds.length === 0 || nonce === undefined || exp === undefined) {
          throw new VerifierError('ERR_FIWARE_VP_UNBOUND', 'the presentation must carry aud, nonce and exp (this service does not set allowUnboundVp)');
        }
        if (typeof exp === 'number' && exp - nowSeconds(deps.clock) > MAX_BOUND_VP_LIFETIME_SECONDS) {
          throw new VerifierError('ERR_FIWARE_VP_LIFETIME', `the presentation exp must be at most ${MAX_BOUND_VP_LIFETIME_SECONDS} s ahead`);
        }
      }
      if (auds.length > 0 && !auds.some((a) => input.audiences.includes(a))) throw new VerifierError('ERR_VP_AUDIENCE', 'the presentation aud is not this verifier');
      if (input.mode === 'wallet' && nonce !== input.nonce) throw new VerifierError('ERR_VP_NONCE', 'the presentation nonce is not the one of this login');
    }
  },
};
