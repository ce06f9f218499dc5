/** Client authentication at the token endpoint, as an ordered list of named steps. */
import type { Step, StepFailure } from '../../shared/pipeline.ts';
import { runSteps } from '../../shared/pipeline.ts';
import type { AuthenticatedClient, ClientAuthContext, ClientAuthDeps } from './context.ts';
import { parseClientAssertion } from './parse-client-assertion.ts';
import { findClient } from './find-client.ts';
import { checkAssertionHeader } from './check-assertion-header.ts';
import { checkAssertionClaims } from './check-assertion-claims.ts';
import { resolveClientKey, verifyAssertionSignature } from './verify-assertion-signature.ts';
import { reserveAssertionJti } from './reserve-assertion-jti.ts';

export const CLIENT_AUTH_STEPS: readonly Step<ClientAuthContext>[] = [
  parseClientAssertion,
  findClient,
  checkAssertionHeader,
  checkAssertionClaims,
  resolveClientKey,
  verifyAssertionSignature,
  reserveAssertionJti,
];

export async function authenticateClient(
  params: Readonly<Record<string, string>>,
  authorizationHeader: string | undefined,
  deps: ClientAuthDeps,
  onFailure?: (f: StepFailure) => void,
): Promise<AuthenticatedClient> {
  const ctx: ClientAuthContext = { params, authorizationHeader, deps, state: {} };
  await runSteps(CLIENT_AUTH_STEPS, ctx, onFailure);
  const { client, assertion, replayKey } = ctx.state;
  return {
    client: client!,
    method: assertion ? 'jwt' : 'none',
    assertion,
    release: async () => {
      if (replayKey) await deps.store.delete(replayKey);
    },
  };
}
