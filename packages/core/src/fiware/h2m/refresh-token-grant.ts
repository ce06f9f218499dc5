/**
 * `grant_type=refresh_token` of a FIWARE login (spec §4.3, §8.4): the DOME refresh token
 * (oauth/tokens/refresh-tokens.ts: opaque 256-bit, rotated on every use, reuse revokes the
 * family), accepted only for FIWARE logins and, at `/services/{id}/token`, only for that
 * service. No client authentication is required (VCVerifier has none); a client assertion, which
 * the BAE marketplace sends, must be valid and be the DID that started the login.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { commitRefreshUse, findRefreshToken, isFamilyRevoked, revokeFamily } from '../../oauth/tokens/refresh-tokens.ts';
import { familyRevocationTtlMs } from '../../oauth/token/issue-user-tokens.ts';
import { hasClientAssertion } from './client-assertion.ts';
import { assertionClient, type FiwareLoginGrant } from './grant-context.ts';
import { issueFiwareUserTokensOnCommit } from './user-tokens.ts';

export const fiwareRefreshTokenGrant: FiwareLoginGrant = {
  grantType: 'refresh_token',
  async handle(ctx) {
    const { request, deps } = ctx;
    const token = request.params.refresh_token;
    if (!token) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'refresh_token is required');
    const clientDid = hasClientAssertion(request.params) ? await assertionClient(ctx) : undefined;
    const invalid = () => new VerifierError('ERR_GRANT_REFRESH_INVALID', 'the refresh token is invalid');
    const found = await findRefreshToken(deps.store, deps.clock, token);
    const fiware = found?.record.fiware;
    if (!found || !fiware) throw invalid();
    const { familyId, expiresAt: _e, ...grant } = found.record;
    if (request.pathServiceId !== undefined && grant.clientId !== request.pathServiceId) throw invalid();
    if (clientDid !== undefined && clientDid !== fiware.clientDid) throw invalid();
    if (await isFamilyRevoked(deps.store, familyId)) throw invalid();
    const issued = await issueFiwareUserTokensOnCommit(deps, { ...grant, fiware }, familyId, () => commitRefreshUse(deps.store, deps.clock, found));
    if (issued) return issued;
    await revokeFamily(deps.store, familyId, familyRevocationTtlMs(deps.tokenPolicy));
    throw new VerifierError('ERR_GRANT_REFRESH_REUSED', 'the refresh token was already used; the session is revoked');
  },
};
