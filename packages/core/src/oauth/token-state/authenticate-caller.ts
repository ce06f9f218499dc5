/**
 * Step 2 — client authentication exactly as at the token endpoint (client-auth pipeline: JWT
 * client assertion, `jti` replay set). Revocation also accepts public clients (RFC 7009 §2.1:
 * an SPA revokes its own tokens with its client_id); introspection needs an authenticated
 * client, since it tells the caller about tokens issued to others (RFC 7662 §2.1, §4).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import type { TokenStateContext } from './context.ts';

export const authenticateRevoker: Step<TokenStateContext> = {
  name: 'client-auth',
  async run(ctx) {
    ctx.state.client = await authenticateClient(ctx.params, ctx.authorizationHeader, ctx.deps, ctx.deps.onStepFailure);
  },
};

export const authenticateIntrospector: Step<TokenStateContext> = {
  name: 'client-auth',
  async run(ctx) {
    const client = await authenticateClient(ctx.params, ctx.authorizationHeader, ctx.deps, ctx.deps.onStepFailure);
    if (client.method !== 'jwt') throw new VerifierError('ERR_CLIENT_AUTH_MISSING', 'introspection requires client authentication (client_assertion)');
    ctx.state.client = client;
  },
};
