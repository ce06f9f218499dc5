/**
 * FIWARE login step 4 — where the code may go. Our hardening (VCVerifier has no allow-list, so any
 * page that can start a login can have the code sent anywhere: an open redirect and code theft):
 *
 * - a `redirect_uri` must be one of the service's `redirectUris`, exactly (string equality);
 * - the QR page (cross-device) needs one — a service without `redirectUris` has no browser logins;
 * - DEEPLINK (same-device) without `redirect_uri` sends the code to the verifier's own URL, as
 *   VCVerifier does (the OID4VP client library only discovers the request object there).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwareLoginContext } from './context.ts';

export const checkRedirectUri: Step<FiwareLoginContext> = {
  name: 'fiware-login-redirect-uri',
  run({ deps, state }) {
    const uri = state.params.redirect_uri;
    const allowed = state.service!.redirectUris ?? [];
    if (uri === undefined) {
      if (!state.sameDevice) throw new VerifierError('ERR_FIWARE_LOGIN_REDIRECT_URI', 'redirect_uri is required for a QR-code login');
      state.callback = deps.issuer;
      return;
    }
    if (allowed.length === 0) throw new VerifierError('ERR_FIWARE_LOGIN_REDIRECT_URI', 'the service lists no redirectUris: its logins cannot name a redirect_uri');
    if (!allowed.includes(uri)) throw new VerifierError('ERR_FIWARE_LOGIN_REDIRECT_URI', 'redirect_uri is not registered for this service');
    state.callback = uri;
  },
};
