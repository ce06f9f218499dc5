/**
 * Authorize step 8 — take a pending-login slot (login-admission.ts) for the client and the
 * source address, after every check has passed and before anything is stored: beyond a cap the
 * request is refused (429 per client / per address, 503 in total, with `Retry-After`) and shown
 * an error page; the relying party is not redirected to (a flood must not reach it). The slot is
 * given back when the login cannot be created.
 */
import type { Step } from '../../shared/pipeline.ts';
import type { AuthorizeContext } from './context.ts';

export const admitLogin: Step<AuthorizeContext> = {
  name: 'admit-login',
  run({ deps, state, source }) {
    state.slot = deps.admission.admit(state.client!.clientId, source.ip);
  },
};
