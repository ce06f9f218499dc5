/**
 * Client authentication, step 1 — the request carries exactly one client authentication
 * method, a JWT-bearer `client_assertion`, and that assertion parses as a compact JWS.
 */
import { decodeJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { ClientAuthContext } from './context.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An M2M assertion carries a VP with a VC (DOME-sized ≈ 15 KB); the body cap is 64 KiB. */
export const MAX_ASSERTION_LENGTH = 60 * 1024;

export const parseClientAssertion: Step<ClientAuthContext> = {
  name: 'parse-client-assertion',
  run({ params, authorizationHeader, state }) {
    const assertion = params.client_assertion;
    const type = params.client_assertion_type;
    const methods = [authorizationHeader !== undefined, assertion !== undefined, params.client_secret !== undefined].filter(Boolean).length;
    if (methods > 1) {
      throw new VerifierError('ERR_CLIENT_AUTH_MULTIPLE', 'use exactly one client authentication method');
    }
    if (params.client_secret !== undefined) throw new VerifierError('ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'client_secret authentication is not supported; use a JWT client assertion');
    if (authorizationHeader !== undefined) throw new VerifierError('ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'HTTP Basic client authentication is not supported; use a JWT client assertion');
    if (assertion === undefined || assertion === '') {
      // No credentials at all: a public client (registered with method "none") names itself.
      if (params.client_id !== undefined && params.client_assertion_type === undefined) {
        state.publicClient = true;
        return;
      }
      throw new VerifierError('ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
    }
    if (type !== JWT_BEARER) throw new VerifierError('ERR_CLIENT_ASSERTION_TYPE', `client_assertion_type must be ${JWT_BEARER}`);
    try {
      state.assertion = decodeJws(assertion, { maxLength: MAX_ASSERTION_LENGTH, rejectDuplicatePayloadKeys: true });
    } catch (e) {
      const code = e instanceof JoseError && e.code === 'ERR_JWS_ALG_NOT_ALLOWED' ? 'ERR_ASSERTION_ALG' : 'ERR_ASSERTION_MALFORMED';
      const detail = e instanceof JoseError ? e.message.replace(/^JWS /, '') : '';
      throw new VerifierError(code, `client_assertion is invalid${detail ? `: ${detail}` : ''}`, { cause: e });
    }
  },
};
