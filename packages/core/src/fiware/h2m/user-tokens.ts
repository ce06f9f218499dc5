/**
 * The tokens of a FIWARE browser login (spec §4.4, §4.5, §5.6): the access token in VCVerifier's
 * shape — ES256 with the verifier key, `iss` (`verifier.backend.url`), `aud` `[service id]`,
 * `sub` (the holder), `iat`, `exp`, `jti`, `nonce` (the login's), `scope` (the login's scope
 * name), `verifiableCredential` (the credential) and `vc` (the same, for DOME consumers) — and an
 * opaque refresh token of the login's family (oauth/tokens/refresh-tokens.ts: rotated, reuse
 * revokes the family). `id_token` is the access token again, as VCVerifier answers.
 * Issued only if the exchange commits (oauth/token/issue-user-tokens.ts `storeAndCommit`).
 */
import { randomUUID } from 'node:crypto';
import { signJws } from '../../jose/jws.ts';
import { nowSeconds, type Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { GrantRecord } from '../../oauth/authorize/authorization-codes.ts';
import type { Signer } from '../../oauth/tokens/create-access-token.ts';
import type { TokenPolicy } from '../../oauth/token/context.ts';
import { storeAndCommit } from '../../oauth/token/issue-user-tokens.ts';

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

export async function issueFiwareUserTokensOnCommit(deps: FiwareUserTokenDeps, grant: GrantRecord, familyId: string, commit: () => Promise<boolean>): Promise<FiwareUserTokenResponse | undefined> {
  const policy = deps.tokenPolicy;
  const iat = nowSeconds(deps.clock);
  const jti = randomUUID();
  const claims = {
    iss: policy.issuer,
    aud: [grant.clientId],
    sub: grant.subject,
    iat,
    exp: iat + policy.accessTokenExpiresInSeconds,
    jti,
    nonce: grant.nonce ?? randomUUID(),
    scope: grant.scope,
    verifiableCredential: grant.tokenVc,
    vc: grant.tokenVc,
  };
  const token = signJws({ alg: 'ES256', kid: deps.signer.kid, typ: 'JWT' }, claims, deps.signer.key);
  const access = { token, jti, expiresIn: policy.accessTokenExpiresInSeconds };
  const refreshToken = await storeAndCommit(deps, grant, familyId, access, commit);
  if (refreshToken === undefined) return undefined;
  return { token_type: 'Bearer', expires_in: access.expiresIn, access_token: token, id_token: token, refresh_token: refreshToken, refresh_token_expires_in: policy.refreshTokenExpiresInSeconds };
}
