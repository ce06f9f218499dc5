/**
 * Step 2 — client authentication exactly as at the token endpoint (client-auth pipeline: JWT
 * client assertion, `jti` replay set; its own steps report their failures). Revocation also
 * accepts public clients (RFC 7009 §2.1: an SPA revokes its own tokens with its client_id);
 * introspection then requires a confidential client, since it tells the caller about tokens
 * issued to others (RFC 7662 §2.1, §4).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import type { TokenStateContext } from './context.ts';

export const CLIENT_AUTH_STEP = 'client-auth';

export const authenticateCaller: Step<TokenStateContext> = {
  name: CLIENT_AUTH_STEP,
  async run(ctx) {
    ctx.state.client = await authenticateClient(ctx.params, ctx.authorizationHeader, ctx.deps, ctx.deps.onStepFailure);
  },
};

export const requireConfidentialClient: Step<TokenStateContext> = {
  name: 'confidential-client',
  run({ state }) {
    if (state.client!.method !== 'jwt') throw new VerifierError('ERR_CLIENT_AUTH_MISSING', 'introspection requires client authentication (client_assertion)');
  },
};
