/**
 * `POST /oidc/token`, framework-free: form parameters in, token response or VerifierError out.
 * Order: grant type known → client authentication → grant. Nothing is stored on failure: the
 * assertion `jti` reserved during authentication is released when the grant fails.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { authenticateClient } from '../client-auth/authenticate-client.ts';
import type { TokenEndpointDeps, TokenResponse } from './context.ts';
import { GRANTS } from './grants/index.ts';

export async function handleTokenRequest(
  deps: TokenEndpointDeps,
  params: Readonly<Record<string, string>>,
  authorizationHeader?: string,
): Promise<TokenResponse> {
  const grantType = params.grant_type;
  if (grantType === undefined) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'grant_type is required');
  const grant = GRANTS.get(grantType);
  if (!grant) throw new VerifierError('ERR_GRANT_TYPE_UNSUPPORTED', `grant_type ${grantType.slice(0, 64)} is not supported`);
  const client = await authenticateClient(params, authorizationHeader, deps, deps.onStepFailure);
  try {
    return await grant.handle({ params, deps, client });
  } catch (e) {
    await client.release().catch(() => undefined);
    throw e;
  }
}
