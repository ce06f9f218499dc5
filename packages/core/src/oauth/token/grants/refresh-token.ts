/**
 * `grant_type=refresh_token`: the token must belong to the authenticated client and be the
 * current one of its family; it is rotated (a new refresh token in the same family), and using
 * an already-rotated token revokes the family. The refreshed ID token keeps the profile claims.
 */
import { VerifierError } from '../../../errors/verifier-error.ts';
import { revokeFamily, useRefreshToken } from '../../tokens/refresh-tokens.ts';
import { issueUserTokens } from '../issue-user-tokens.ts';
import type { Grant } from '../context.ts';

export const refreshTokenGrant: Grant = {
  grantType: 'refresh_token',
  async handle({ params, deps, client }) {
    const token = params.refresh_token;
    if (!token) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'refresh_token is required');
    const use = await useRefreshToken(deps.store, deps.clock, token);
    const lifetimeMs = deps.tokenPolicy.refreshTokenExpiresInSeconds * 1000;
    if (use.kind === 'unknown' || use.kind === 'revoked') throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token is invalid');
    if (use.record.clientId !== client.client.clientId) throw new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token was issued to another client');
    if (use.kind === 'reused') {
      await revokeFamily(deps.store, use.record.familyId, lifetimeMs);
      throw new VerifierError('ERR_GRANT_REFRESH_REUSED', 'the refresh token was already used; the session is revoked');
    }
    const { familyId, expiresAt: _e, ...grant } = use.record;
    return issueUserTokens(deps, grant, familyId);
  },
};
