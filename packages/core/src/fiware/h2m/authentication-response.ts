/**
 * `POST /api/v1/authentication_response` (spec §2.9; form `state`, `vp_token`,
 * `presentation_submission` not read): the login the client's `state` names (through the
 * `fiware-state:` index) is answered through the DOME machinery (oauth/login/answer-login.ts:
 * pending and unexpired, one answer at a time, a judged failure ends the login, the outcome is
 * written once). The presentation is verified by verify-wallet-answer.ts (the FIWARE pipeline, wallet mode). On success:
 *
 * - same-device (DEEPLINK): `302 <callback>?state=<state>&code=<code>&nonce=<nonce>`;
 * - cross-device (QR page): `200 {}`; the page (SSE) and `/ws` learn `<redirect_uri>?state=&code=`.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { withQuery } from '../../oauth/authorize/authorize.ts';
import { answerLogin } from '../../oauth/login/answer-login.ts';
import type { FiwareLoginDeps } from './context.ts';
import { fiwareStateKey } from './start-login.ts';
import { verifyFiwareWalletAnswer, type WalletAnswerDeps } from './verify-wallet-answer.ts';

export type FiwareAnswerOutcome = { sameDevice: true; location: string } | { sameDevice: false };

export async function handleFiwareAuthenticationResponse(deps: FiwareLoginDeps & { wallet: WalletAnswerDeps }, params: Readonly<Record<string, string>>): Promise<FiwareAnswerOutcome> {
  const { state, vp_token: vpToken } = params;
  if (!state) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'state is required');
  if (!vpToken) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'vp_token is required');
  const unknown = () => new VerifierError('ERR_LOGIN_UNKNOWN', 'no login session for this state');
  const sessionId = state.length <= 1024 ? await deps.store.get(fiwareStateKey(state)) : undefined;
  const session = sessionId === undefined ? undefined : await deps.logins.get(sessionId);
  if (!session?.fiware) throw unknown();
  const flavour = session.fiware;
  const { redirectTo } = await answerLogin(
    deps,
    session,
    async () => {
      const service = await deps.services.get(flavour.serviceId);
      const scope = service?.oidcScopes[session.scope];
      if (!service || !scope) throw new VerifierError('ERR_FIWARE_LOGIN_SERVICE_UNKNOWN', 'the service of this login is no longer configured');
      return verifyFiwareWalletAnswer(deps.wallet, session, service, scope, vpToken);
    },
    (code) => withQuery(session.redirectUri, { state: session.state, code, ...(flavour.sameDevice ? { nonce: session.nonce } : {}) }),
  );
  return flavour.sameDevice ? { sameDevice: true, location: redirectTo } : { sameDevice: false };
}
