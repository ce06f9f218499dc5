/**
 * `POST /oidc/revoke` (RFC 7009) and `POST /oidc/introspect` (RFC 7662), framework-free: form
 * parameters in, nothing / the introspection answer out, VerifierError on a refused request.
 * Nothing is stored on failure: the assertion `jti` reserved by client authentication is
 * released when a later step fails (as at the token endpoint).
 */
import { runSteps, type Step } from '../../shared/pipeline.ts';
import type { TokenStateContext, TokenStateDeps } from './context.ts';
import { introspectionRequest, revocationRequest } from './parse-token-parameter.ts';
import { authenticateCaller, CLIENT_AUTH_STEP, requireConfidentialClient } from './authenticate-caller.ts';
import { identifyToken } from './identify-token.ts';
import { revokeToken } from './revoke-token.ts';
import { describeToken } from './describe-token.ts';

export const REVOCATION_STEPS: readonly Step<TokenStateContext>[] = [revocationRequest, authenticateCaller, identifyToken, revokeToken];
export const INTROSPECTION_STEPS: readonly Step<TokenStateContext>[] = [introspectionRequest, authenticateCaller, requireConfidentialClient, identifyToken, describeToken];

async function run(steps: readonly Step<TokenStateContext>[], deps: TokenStateDeps, params: Readonly<Record<string, string>>, authorizationHeader: string | undefined): Promise<TokenStateContext> {
  const ctx: TokenStateContext = { params, authorizationHeader, deps, state: {} };
  try {
    // Client authentication reports its failures from its own steps: not a second time here.
    await runSteps(steps, ctx, (f) => (f.step === CLIENT_AUTH_STEP ? undefined : deps.onStepFailure?.(f)));
  } catch (e) {
    await ctx.state.client?.release().catch(() => undefined);
    throw e;
  }
  return ctx;
}

export async function handleRevocationRequest(deps: TokenStateDeps, params: Readonly<Record<string, string>>, authorizationHeader?: string): Promise<void> {
  await run(REVOCATION_STEPS, deps, params, authorizationHeader);
}

export async function handleIntrospectionRequest(deps: TokenStateDeps, params: Readonly<Record<string, string>>, authorizationHeader?: string): Promise<Record<string, unknown>> {
  return (await run(INTROSPECTION_STEPS, deps, params, authorizationHeader)).state.introspection!;
}
