/** Access, ID and refresh token for a human login (authorization_code and refresh_token grants). */
import { nowSeconds } from '../../ports/clock.ts';
import { createAccessToken } from '../tokens/create-access-token.ts';
import { createIdToken } from '../tokens/create-id-token.ts';
import { issueRefreshToken } from '../tokens/refresh-tokens.ts';
import type { GrantRecord } from '../authorize/authorization-codes.ts';
import type { TokenEndpointDeps, TokenResponse } from './context.ts';

/** The access token scope of human logins, fixed as DOME issues it. */
export const USER_SCOPE = 'openid learcredential';

export async function issueUserTokens(deps: TokenEndpointDeps, grant: GrantRecord, familyId: string): Promise<TokenResponse> {
  const { tokenPolicy: policy } = deps;
  const now = nowSeconds(deps.clock);
  const access = createAccessToken(deps.signer, {
    issuer: policy.issuer,
    audience: grant.clientId,
    subject: grant.subject,
    scope: USER_SCOPE,
    vc: grant.tokenVc,
    nowSeconds: now,
    expiresInSeconds: policy.accessTokenExpiresInSeconds,
    typ: policy.accessTokenTyp,
  });
  const idToken = createIdToken(deps.signer, {
    issuer: policy.issuer,
    clientId: grant.clientId,
    subject: grant.subject,
    nowSeconds: now,
    expiresInSeconds: policy.idTokenExpiresInSeconds,
    authTime: grant.authTime,
    ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    vc: grant.tokenVc,
    profile: grant.profile,
  });
  const refresh = await issueRefreshToken(deps.store, deps.clock, grant, familyId, policy.refreshTokenExpiresInSeconds * 1000);
  // `scope` is returned because the granted scope may differ from the requested one (RFC 6749 §5.1).
  return { access_token: access.token, id_token: idToken, refresh_token: refresh, token_type: 'Bearer', expires_in: access.expiresIn, scope: USER_SCOPE };
}
