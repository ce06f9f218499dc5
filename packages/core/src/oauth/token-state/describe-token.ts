/**
 * Step 4 of introspection (RFC 7662 §2.2) — whether the token is active, and what a resource
 * server may know about it. An access token is active while unexpired, not revoked by its client
 * and, for a human login, while its record exists and its family is not revoked (code or refresh
 * reuse, refresh-token revocation). With `recordMachineTokens` on, an M2M token must be recorded
 * too. A refresh token is active while unexpired, not yet rotated and its family not revoked —
 * and is described only to the client it was issued to (RFC 7662 §4: resource servers never see
 * refresh tokens, nobody else needs to learn about them).
 *
 * The answer carries the claims the bearer can already read in the JWT, never the credential
 * (`vc`) or anything secret: active, scope, client_id, sub, exp, iat, iss, aud, jti, token_type.
 */
import type { Step } from '../../shared/pipeline.ts';
import { isAccessTokenRevoked } from '../tokens/access-token-records.ts';
import { isFamilyRevoked, isRefreshTokenUsed } from '../tokens/refresh-tokens.ts';
import type { IdentifiedToken, TokenStateContext, TokenStateDeps } from './context.ts';

const INACTIVE = { active: false } as const;

async function accessTokenActive(deps: TokenStateDeps, t: Extract<IdentifiedToken, { kind: 'access_token' }>): Promise<boolean> {
  if (await isAccessTokenRevoked(deps.store, t.jti)) return false;
  if ((t.human || deps.tokenPolicy.recordMachineTokens) && t.record === undefined) return false;
  return t.record?.f === undefined || !(await isFamilyRevoked(deps.store, t.record.f));
}

export const describeToken: Step<TokenStateContext> = {
  name: 'token-activity',
  async run({ deps, state }) {
    const t = state.identified;
    state.introspection = INACTIVE;
    if (!t || t.kind === 'id_token') return;
    if (t.kind === 'access_token') {
      if (!(await accessTokenActive(deps, t))) return;
      const { scope, sub, iat, iss, aud } = t.claims;
      state.introspection = { active: true, scope, client_id: t.clientId, sub, exp: t.exp, iat, iss, aud, jti: t.jti, token_type: 'Bearer' };
      return;
    }
    const { record, hash } = t.found;
    if (record.clientId !== state.client!.client.clientId) return;
    if ((await isRefreshTokenUsed(deps.store, hash)) || (await isFamilyRevoked(deps.store, record.familyId))) return;
    state.introspection = { active: true, scope: record.scope, client_id: record.clientId, sub: record.subject, exp: Math.floor(record.expiresAt / 1000), iss: deps.tokenPolicy.issuer, token_type: 'refresh_token' };
  },
};
