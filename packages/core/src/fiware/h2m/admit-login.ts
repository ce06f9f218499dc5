/**
 * FIWARE login step 5 — a pending-login slot of the DOME admission caps (oauth/login/login-admission.ts,
 * per service id, per source address and in total), taken after every check and before anything is stored.
 */
import type { Step } from '../../shared/pipeline.ts';
import type { FiwareLoginContext } from './context.ts';

export const admitFiwareLogin: Step<FiwareLoginContext> = {
  name: 'fiware-admit-login',
  run({ deps, state, source }) {
    state.slot = deps.admission.admit(state.service!.id, source.ip);
  },
};
