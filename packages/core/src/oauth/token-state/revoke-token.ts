/**
 * Step 4 of revocation (RFC 7009 §2.1) — only the client a token was issued to can revoke it;
 * for any other client, and for unknown tokens, the request succeeds without effect.
 * - a refresh token: its whole family is revoked (every refresh token of the login and, through
 *   the access-token records, every access token issued from it);
 * - an access token: its `jti` is marked revoked until its `exp` (H2M and M2M alike — no record
 *   is needed, so M2M issuance pays nothing for it);
 * - an ID token: `unsupported_token_type` (ID tokens are not credentials and cannot be revoked).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { revokeAccessToken } from '../tokens/access-token-records.ts';
import { revokeFamily } from '../tokens/refresh-tokens.ts';
import { familyRevocationTtlMs } from '../token/issue-user-tokens.ts';
import type { TokenStateContext } from './context.ts';

export const revokeToken: Step<TokenStateContext> = {
  name: 'revoke-token',
  async run({ deps, state }) {
    const token = state.identified;
    const caller = state.client!.client.clientId;
    if (!token) return;
    if (token.kind === 'id_token') throw new VerifierError('ERR_TOKEN_TYPE_UNSUPPORTED', 'ID tokens cannot be revoked');
    if (token.kind === 'refresh_token') {
      if (token.found.record.clientId === caller) await revokeFamily(deps.store, token.found.record.familyId, familyRevocationTtlMs(deps.tokenPolicy));
      return;
    }
    if (token.clientId === caller) await revokeAccessToken(deps.store, token.jti, token.exp * 1000 - deps.clock.now());
  },
};
