/**
 * `grant_type=refresh_token`: the token must belong to the authenticated client and be the
 * current one of its family; it is rotated (a new refresh token in the same family), and using
 * an already-rotated token revokes the family. The refreshed ID token keeps the profile claims.
 *
 * Read → check → prepare → commit: owner, expiry and family are checked before anything is
 * consumed (a client the token was not issued to cannot burn it), the rotated token and the new
 * access token's record are written, and marking the presented token used is the last write.
 * Whoever loses that commit — a replay, or the slower of two simultaneous refreshes — revokes the
 * family, which already holds the winner's new tokens.
 */
import { VerifierError } from '../../../errors/verifier-error.ts';
import { commitRefreshUse, findRefreshToken, isFamilyRevoked, revokeFamily } from '../../tokens/refresh-tokens.ts';
import { familyRevocationTtlMs, issueUserTokensOnCommit } from '../issue-user-tokens.ts';
import type { Grant } from '../context.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ params, deps, client }) {
    const token = params.refresh_token;
    if (!token) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'refresh_token is required');
    const found = await findRefreshToken(deps.store, deps.clock, token);
    if (!found) throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token is invalid');
    const { familyId, expiresAt: _e, ...grant } = found.record;
    // A FIWARE login's refresh token is used at the FIWARE token endpoint only (fiware/h2m).
    if (grant.fiware) throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token is invalid');
    if (grant.clientId !== client.client.clientId) throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token was issued to another client');
    if (await isFamilyRevoked(deps.store, familyId)) throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token is invalid');
    const issued = await issueUserTokensOnCommit(deps, grant, familyId, () => commitRefreshUse(deps.store, deps.clock, found));
    if (issued) return issued;
    await revokeFamily(deps.store, familyId, familyRevocationTtlMs(deps.tokenPolicy));
    throw new VerifierError('ERR_GRANT_REFRESH_REUSED', 'the refresh token was already used; the session is revoked');
  },
};
