/**
 * Refresh tokens: opaque 256-bit values stored by SHA-256, bound to their client, rotated on
 * every use. Every token belongs to a family (one per authorization code); presenting a token
 * that was already rotated is treated as theft: the whole family is revoked (OAuth 2.1 §4.3.1,
 * RFC 9700 §4.14.2) — its refresh tokens and, through the access-token records, its access
 * tokens. IN2 neither rotated, revoked nor bound them to the client.
 *
 * A refresh is read → check → prepare → commit: owner, expiry and family are checked without
 * consuming anything, the rotated token is written, and only then `commitRefreshUse` marks the
 * presented token used — the exchange's last store write, so a failure before it leaves the
 * token usable and a lost race always revokes (the winner's new token is already in the family).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { hashToken, type GrantRecord } from '../authorize/authorization-codes.ts';

export interface RefreshRecord extends GrantRecord {
  familyId: string;
  expiresAt: number;
}

export const refreshTokenKey = (hash: string) => `rt:${hash}`;
const usedKey = (hash: string) => `rt-used:${hash}`;
const familyRevokedKey = (id: string) => `rtfam-revoked:${id}`;

export function newFamilyId(): string {
  return randomUUID();
}

/** Writes a new refresh token of `familyId`; returns the token and the key it is stored under. */
export async function issueRefreshToken(store: Store, clock: Clock, grant: GrantRecord, familyId: string, lifetimeMs: number): Promise<{ token: string; key: string }> {
  const token = randomBytes(32).toString('base64url');
  const record: RefreshRecord = { ...grant, familyId, expiresAt: clock.now() + lifetimeMs };
  const key = refreshTokenKey(hashToken(token));
  await store.set(key, JSON.stringify(record), lifetimeMs);
  return { token, key };
}

/**
 * Revokes a family: its refresh tokens are refused and its access tokens introspect inactive.
 * `ttlMs` must cover the longest-lived token of the family (refresh and access token lifetimes).
 */
export async function revokeFamily(store: Store, familyId: string, ttlMs: number): Promise<void> {
  await store.set(familyRevokedKey(familyId), '1', ttlMs);
}

export async function isFamilyRevoked(store: Store, familyId: string): Promise<boolean> {
  return (await store.get(familyRevokedKey(familyId))) !== undefined;
}

export interface FoundRefreshToken {
  record: RefreshRecord;
  hash: string;
}

/** Reads an unexpired refresh token without consuming it. */
export async function findRefreshToken(store: Store, clock: Clock, token: string): Promise<FoundRefreshToken | undefined> {
  const hash = hashToken(token);
  const raw = await store.get(refreshTokenKey(hash));
  if (raw === undefined) return undefined;
  const record = JSON.parse(raw) as RefreshRecord;
  return record.expiresAt <= clock.now() ? undefined : { record, hash };
}

/** The commit point of a refresh: true for the one caller that rotates the token, false on reuse. */
export async function commitRefreshUse(store: Store, clock: Clock, found: FoundRefreshToken): Promise<boolean> {
  return store.setIfAbsent(usedKey(found.hash), found.record.familyId, Math.max(1000, found.record.expiresAt - clock.now()));
}

/** True once the token has been rotated (introspection: a used refresh token is inactive). */
export async function isRefreshTokenUsed(store: Store, hash: string): Promise<boolean> {
  return (await store.get(usedKey(hash))) !== undefined;
}
