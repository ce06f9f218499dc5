/**
 * Authorization codes: 256-bit random, stored by SHA-256 (a leaked store does not leak codes),
 * valid 60 s, bound to the client, the redirect_uri and the PKCE challenge, single use. The
 * record outlives the code by ten minutes so that a second redemption is recognised as reuse and
 * revokes the token family issued from the first (RFC 9700 §4.2.4, OAuth 2.1 §4.1.3).
 *
 * Redemption is read → check → prepare → commit: nothing is consumed until `commitCodeRedemption`,
 * the exchange's last store write, succeeds (see grants/authorization-code.ts).
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
  /** IN2 V3 `credential_type` of the presented credential (absent in records written before it). */
  credentialType?: string;
  profile: Profile;
  nonce?: string;
  authTime: number;
  /**
   * Set when a FIWARE login granted it (fiware/h2m): only the FIWARE token endpoint redeems it,
   * and the DOME grants refuse it (and FIWARE's refuse DOME's), whatever the client ids.
   * `tokenClaims`: the credential claims of its access tokens (fiware/token/issue-fiware-access-token.ts
   * `fiwareCredentialClaims`, per the scope's jwtInclusion / flatClaims at the wallet answer).
   */
  fiware?: { clientDid?: string; tokenClaims: Record<string, unknown> };
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

export interface FoundCode {
  record: CodeRecord;
  hash: string;
}

/** Reads a code without consuming it (the grant checks client, redirect_uri and PKCE first). */
export async function findAuthorizationCode(store: Store, code: string): Promise<FoundCode | undefined> {
  const hash = hashToken(code);
  const raw = await store.get(codeKey(hash));
  return raw === undefined ? undefined : { record: JSON.parse(raw) as CodeRecord, hash };
}

const usedKey = (hash: string) => `code-used:${hash}`;

/**
 * The commit point of a code exchange, and its last store write: marks the code used, atomically
 * with the refresh-token family it produced. True for the one caller that wins; every later (or
 * concurrent) caller gets false and finds the winner's family with `familyOfUsedCode`, written by
 * the same atomic operation — so reuse can always revoke, whatever the interleaving.
 */
export async function commitCodeRedemption(store: Store, hash: string, familyId: string): Promise<boolean> {
  return store.setIfAbsent(usedKey(hash), familyId, REUSE_WINDOW_MS);
}

/** The family a used code produced, or undefined when the code was never redeemed. */
export async function familyOfUsedCode(store: Store, hash: string): Promise<string | undefined> {
  return store.get(usedKey(hash));
}
