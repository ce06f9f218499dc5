/** Step 4 — every VP's `exp`/`nbf`/`iat`, when present, admit now (the DOME check; VCVerifier has none). */
import { assertPresentationTime } from '../../credentials/checks/check-presentation-time.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

export const checkFiwareVpTime: Step<FiwarePresentationContext> = {
  name: 'fiware-vp-time',
  run({ deps, state }) {
    for (const vp of state.vps ?? []) assertPresentationTime(vp.payload, { clock: deps.clock, policy: deps.presentationPolicy });
  },
};
