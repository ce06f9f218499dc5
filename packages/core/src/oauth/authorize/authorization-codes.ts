/**
 * Authorization codes: 256-bit random, stored by SHA-256 (a leaked store does not leak codes),
 * valid 60 s, bound to the client, the redirect_uri and the PKCE challenge, single use. The
 * record outlives the code by ten minutes so that a second redemption is recognised as reuse and
 * revokes the refresh-token family issued from the first (RFC 9700 §4.2.4, OAuth 2.1 §4.1.3).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { Profile } from '../../credentials/token-credential.ts';

export const CODE_LIFETIME_MS = 60_000;
const REUSE_WINDOW_MS = 600_000;

export interface GrantRecord {
  clientId: string;
  subject: string;
  scope: string;
  /** The credential as tokens carry it. */
  tokenVc: Record<string, unknown>;
  profile: Profile;
  nonce?: string;
  authTime: number;
}

export interface CodeRecord extends GrantRecord {
  redirectUri: string;
  codeChallenge?: string;
  expiresAt: number;
}

const codeKey = (hash: string) => `code:${hash}`;
export const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export async function issueAuthorizationCode(store: Store, clock: Clock, record: Omit<CodeRecord, 'expiresAt'>): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  await store.set(codeKey(hashToken(code)), JSON.stringify({ ...record, expiresAt: clock.now() + CODE_LIFETIME_MS }), REUSE_WINDOW_MS);
  return code;
}

/** Deletes a code that was issued but will never be delivered (a wallet answer that lost its login to another). */
export async function discardAuthorizationCode(store: Store, code: string): Promise<void> {
  await store.delete(codeKey(hashToken(code)));
}

export type Redemption = { kind: 'ok'; record: CodeRecord; hash: string } | { kind: 'unknown' } | { kind: 'reused'; familyId: string | undefined };

/**
 * Atomically marks the code used. The first caller gets the record; later callers learn it was
 * reused, with the refresh family to revoke (recorded with `bindFamily`).
 */
export async function redeemAuthorizationCode(store: Store, code: string): Promise<Redemption> {
  const hash = hashToken(code);
  const raw = await store.get(codeKey(hash));
  if (raw === undefined) return { kind: 'unknown' };
  if (!(await store.setIfAbsent(`code-used:${hash}`, '', REUSE_WINDOW_MS))) {
    return { kind: 'reused', familyId: (await store.get(`code-family:${hash}`)) || undefined };
  }
  return { kind: 'ok', record: JSON.parse(raw) as CodeRecord, hash };
}

/** Remembers which refresh-token family a code produced (for revocation on reuse). */
export async function bindFamily(store: Store, codeHash: string, familyId: string): Promise<void> {
  await store.set(`code-family:${codeHash}`, familyId, REUSE_WINDOW_MS);
}
