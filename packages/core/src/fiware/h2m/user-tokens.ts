/**
 * The tokens of a FIWARE browser login (spec §4.4, §4.5, §5.6): the access token of the M2M
 * grants (fiware/token/issue-fiware-access-token.ts `signFiwareAccessToken`: `iss`, `aud`
 * `[service id]`, `sub` the holder, `iat`, `exp`, `jti`, `nonce` the login's, `scope` the login's
 * scope name, and the credential claims the wallet answer computed from the scope's jwtInclusion
 * / flatClaims — `verifiableCredential` / `verifiablePresentation` / flat claims, and `vc`),
 * and an opaque refresh token of the login's family (oauth/tokens/refresh-tokens.ts: rotated,
 * reuse revokes the family), which keeps the grant and so the same claims. `id_token` is the
 * access token again, as VCVerifier answers. Issued only if the exchange commits
 * (oauth/token/issue-user-tokens.ts `storeAndCommit`).
 */
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { GrantRecord } from '../../oauth/authorize/authorization-codes.ts';
import type { Signer } from '../../oauth/tokens/create-access-token.ts';
import type { TokenPolicy } from '../../oauth/token/context.ts';
import { storeAndCommit } from '../../oauth/token/issue-user-tokens.ts';
import { signFiwareAccessToken } from '../token/issue-fiware-access-token.ts';

export interface FiwareUserTokenDeps {
  clock: Clock;
  store: Store;
  signer: Signer;
  tokenPolicy: TokenPolicy;
}

export interface FiwareUserTokenResponse {
  token_type: 'Bearer';
  expires_in: number;
  access_token: string;
  id_token: string;
  refresh_token: string;
  refresh_token_expires_in: number;
}

/** A grant record of a FIWARE login (the FIWARE grants redeem only these). */
export type FiwareGrantRecord = GrantRecord & { fiware: NonNullable<GrantRecord['fiware']> };

export async function issueFiwareUserTokensOnCommit(deps: FiwareUserTokenDeps, grant: FiwareGrantRecord, familyId: string, commit: () => Promise<boolean>): Promise<FiwareUserTokenResponse | undefined> {
  const policy = deps.tokenPolicy;
  const { token, jti } = signFiwareAccessToken(deps, {
    serviceId: grant.clientId,
    scope: grant.scope,
    holder: grant.subject,
    ...(grant.nonce !== undefined ? { nonce: grant.nonce } : {}),
    credentialClaims: grant.fiware.tokenClaims,
  });
  const access = { token, jti, expiresIn: policy.accessTokenExpiresInSeconds };
  const refreshToken = await storeAndCommit(deps, grant, familyId, access, commit);
  if (refreshToken === undefined) return undefined;
  return { token_type: 'Bearer', expires_in: access.expiresIn, access_token: token, id_token: token, refresh_token: refreshToken, refresh_token_expires_in: policy.refreshTokenExpiresInSeconds };
}
