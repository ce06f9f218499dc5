/**
 * Access, ID and refresh token for a human login (authorization_code and refresh_token grants),
 * issued only if the exchange commits:
 *
 *   prepare — sign the tokens; write the new refresh token and the access token's record
 *             (jti → client and family), which must exist if the exchange wins;
 *   commit  — the caller's atomic consumption of the code / presented refresh token, the
 *             exchange's last store write;
 *   discard — when a write fails or the commit is lost, the prepared records are deleted (best
 *             effort: they were never handed out, and expire by TTL anyway).
 *
 * So a store failure before the commit consumes nothing (the client retries), and a lost commit
 * means reuse, which the caller turns into revocation of the winner's family.
 */
import { nowSeconds } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { createAccessToken, type IssuedToken } from '../tokens/create-access-token.ts';
import { createIdToken } from '../tokens/create-id-token.ts';
import { issueRefreshToken } from '../tokens/refresh-tokens.ts';
import { recordAccessToken } from '../tokens/access-token-records.ts';
import type { GrantRecord } from '../authorize/authorization-codes.ts';
import type { TokenEndpointDeps, TokenPolicy, TokenResponse } from './context.ts';

/** The access token scope of human logins, fixed as DOME issues it. */
export const USER_SCOPE = 'openid learcredential';

/** How long a family revocation must be remembered: until its longest-lived token has expired. */
export function familyRevocationTtlMs(policy: TokenPolicy): number {
  return Math.max(policy.refreshTokenExpiresInSeconds, policy.accessTokenExpiresInSeconds) * 1000;
}

async function discard(store: Store, keys: readonly string[]): Promise<void> {
  await Promise.all(keys.map((k) => store.delete(k).catch(() => undefined)));
}

/**
 * Prepares the tokens of `grant` in `familyId`, then runs `commit`. Returns the token response
 * when the commit succeeded, undefined when it was lost (reuse); rethrows store failures.
 */
export async function issueUserTokensOnCommit(deps: TokenEndpointDeps, grant: GrantRecord, familyId: string, commit: () => Promise<boolean>): Promise<TokenResponse | undefined> {
  const { tokenPolicy: policy } = deps;
  const now = nowSeconds(deps.clock);
  const claims = { ...(grant.credentialType ? { credential_type: grant.credentialType } : {}) };
  const tenant = deps.clients.get(grant.clientId)?.tenant;
  const access = createAccessToken(deps.signer, {
    issuer: policy.issuer,
    audience: grant.clientId,
    subject: grant.subject,
    scope: USER_SCOPE,
    vc: grant.tokenVc,
    nowSeconds: now,
    expiresInSeconds: policy.accessTokenExpiresInSeconds,
    typ: policy.accessTokenTyp,
    extra: { ...claims, ...(tenant ? { tenant } : {}) },
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
    extra: claims,
  });
  const refreshToken = await storeAndCommit(deps, grant, familyId, access, commit);
  // `scope` is returned because the granted scope may differ from the requested one (RFC 6749 §5.1).
  return refreshToken === undefined ? undefined : { access_token: access.token, id_token: idToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: access.expiresIn, scope: USER_SCOPE };
}

/**
 * Prepare and commit with tokens already signed (shared with the FIWARE code and refresh
 * exchanges, fiware/h2m): writes the new refresh token of `familyId` and the access token's
 * record, then runs `commit`. Returns the refresh token when the commit succeeded, undefined when
 * it was lost (reuse); the prepared records of a failed or lost exchange are deleted.
 */
export async function storeAndCommit(deps: Pick<TokenEndpointDeps, 'store' | 'clock' | 'tokenPolicy'>, grant: GrantRecord, familyId: string, access: IssuedToken, commit: () => Promise<boolean>): Promise<string | undefined> {
  const { tokenPolicy: policy, store } = deps;
  const written: string[] = [];
  try {
    const refresh = await issueRefreshToken(store, deps.clock, grant, familyId, policy.refreshTokenExpiresInSeconds * 1000);
    written.push(refresh.key);
    written.push(await recordAccessToken(store, access.jti, { c: grant.clientId, f: familyId }, access.expiresIn * 1000));
    if (await commit()) return refresh.token;
  } catch (e) {
    await discard(store, written);
    throw e;
  }
  await discard(store, written);
  return undefined;
}
