/**
 * Client authentication, step 2 — the client is registered in the Trusted Services List and
 * registered for JWT client authentication (or for none, when it sent no credentials). `client_id` in the body, when sent, must equal the
 * assertion `iss` (OIDC Core §9); without it, `iss` names the client (RFC 7523 §3).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { ClientAuthContext } from './context.ts';

/** DOME registers every client as `client_secret_jwt` + ES256 + jwkSetUrl: a key-based JWT method. */
const JWT_METHODS = ['private_key_jwt', 'client_secret_jwt'];

export const findClient: Step<ClientAuthContext> = {
  name: 'find-client',
  run({ params, deps, state }) {
    const iss = state.assertion?.payload.iss;
    const clientId = params.client_id ?? (typeof iss === 'string' ? iss : undefined);
    if (!clientId) throw new VerifierError('ERR_ASSERTION_CLAIM_MISSING', 'the client assertion has no iss and no client_id was sent');
    if (typeof iss === 'string' && params.client_id !== undefined && iss !== params.client_id) {
      throw new VerifierError('ERR_ASSERTION_SUBJECT', 'client_id differs from the client assertion iss');
    }
    const client = deps.clients.get(clientId);
    if (!client) throw new VerifierError('ERR_CLIENT_UNKNOWN', 'unknown client');
    if (state.publicClient) {
      if (!client.clientAuthenticationMethods.includes('none')) throw new VerifierError('ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
    } else if (!client.clientAuthenticationMethods.some((m) => JWT_METHODS.includes(m))) {
      throw new VerifierError('ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'the client is not registered for JWT client authentication');
    }
    state.client = client;
  },
};
