/**
 * FIWARE login step 3 — the service named by `client_id` and its scope (the query's, or the
 * service's default scope when the QR page names none), and how the login completes: DEEPLINK is
 * same-device (the wallet's answer is redirected with the code), FRONTEND_V2 cross-device (the QR
 * page). A service without `authorizationType` is refused: VCVerifier answers it with a useless
 * relative redirect.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwareLoginContext } from './context.ts';

export const findService: Step<FiwareLoginContext> = {
  name: 'fiware-login-service',
  async run({ deps, state, entry }) {
    const service = await deps.services.get(state.params.client_id!);
    if (!service) throw new VerifierError('ERR_FIWARE_LOGIN_SERVICE_UNKNOWN', 'client_id names no FIWARE service');
    if (entry === 'authorization' && !service.authorizationType) throw new VerifierError('ERR_FIWARE_LOGIN_TYPE', 'the service has no authorizationType (DEEPLINK or FRONTEND_V2)');
    const scopeName = state.params.scope ?? service.defaultOidcScope;
    if (!Object.hasOwn(service.oidcScopes, scopeName)) throw new VerifierError('ERR_FIWARE_LOGIN_SCOPE', 'scope is not a scope of this service');
    state.service = service;
    state.scopeName = scopeName;
    state.scope = service.oidcScopes[scopeName];
    state.sameDevice = entry === 'authorization' && service.authorizationType === 'DEEPLINK';
  },
};
