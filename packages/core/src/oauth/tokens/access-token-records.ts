/**
 * What the store knows about issued access tokens, for introspection (RFC 7662) and revocation
 * (RFC 7009). Access tokens are stateless JWTs; these records only let the verifier say "no
 * longer active" before `exp`:
 * - `at:{jti}` — the token's grant: the client it was issued to and, for human logins, its
 *   refresh-token family (so that reuse detection and family revocation reach the access tokens
 *   already issued). Written for every H2M access token before the exchange commits; for M2M
 *   tokens only when `verifier.backend.accessToken.recordMachineTokens` is on.
 * - `at-revoked:{jti}` — revoked by its client at /oidc/revoke; needs no record, so M2M tokens
 *   can be revoked without any cost at issuance.
 * Both live until the token's `exp`, never longer.
 */
import type { Store } from '../../ports/store.ts';

export interface AccessTokenRecord {
  /** The client the token was issued to. */
  c: string;
  /** The refresh-token family (human logins). */
  f?: string;
}

export const accessTokenKey = (jti: string) => `at:${jti}`;
const revokedKey = (jti: string) => `at-revoked:${jti}`;

export async function recordAccessToken(store: Store, jti: string, record: AccessTokenRecord, ttlMs: number): Promise<string> {
  const key = accessTokenKey(jti);
  await store.set(key, JSON.stringify(record), ttlMs);
  return key;
}

export async function findAccessTokenRecord(store: Store, jti: string): Promise<AccessTokenRecord | undefined> {
  const raw = await store.get(accessTokenKey(jti));
  return raw === undefined ? undefined : (JSON.parse(raw) as AccessTokenRecord);
}

export async function revokeAccessToken(store: Store, jti: string, ttlMs: number): Promise<void> {
  await store.set(revokedKey(jti), '1', Math.max(1, ttlMs));
}

export async function isAccessTokenRevoked(store: Store, jti: string): Promise<boolean> {
  return (await store.get(revokedKey(jti))) !== undefined;
}
