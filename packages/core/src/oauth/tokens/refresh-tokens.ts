/**
 * Refresh tokens: opaque 256-bit values stored by SHA-256, bound to their client, rotated on
 * every use. Every token belongs to a family (one per authorization code); presenting a token
 * that was already rotated is treated as theft: the whole family is revoked (OAuth 2.1 §4.3.1,
 * RFC 9700 §4.14.2). IN2 neither rotated, revoked nor bound them to the client.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { hashToken, type GrantRecord } from '../authorize/authorization-codes.ts';

export interface RefreshRecord extends GrantRecord {
  familyId: string;
  expiresAt: number;
}

const rtKey = (hash: string) => `rt:${hash}`;
const familyRevokedKey = (id: string) => `rtfam-revoked:${id}`;

export function newFamilyId(): string {
  return randomUUID();
}

export async function issueRefreshToken(store: Store, clock: Clock, grant: GrantRecord, familyId: string, lifetimeMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const record: RefreshRecord = { ...grant, familyId, expiresAt: clock.now() + lifetimeMs };
  await store.set(rtKey(hashToken(token)), JSON.stringify(record), lifetimeMs);
  return token;
}

export async function revokeFamily(store: Store, familyId: string, lifetimeMs: number): Promise<void> {
  await store.set(familyRevokedKey(familyId), '1', lifetimeMs);
}

export type RefreshUse = { kind: 'ok'; record: RefreshRecord } | { kind: 'unknown' } | { kind: 'revoked' } | { kind: 'reused'; record: RefreshRecord };

/** Atomically consumes a refresh token (rotation): the first use wins, later uses are reuse. */
export async function useRefreshToken(store: Store, clock: Clock, token: string): Promise<RefreshUse> {
  const hash = hashToken(token);
  const raw = await store.get(rtKey(hash));
  if (raw === undefined) return { kind: 'unknown' };
  const record = JSON.parse(raw) as RefreshRecord;
  if (record.expiresAt <= clock.now()) return { kind: 'unknown' };
  if ((await store.get(familyRevokedKey(record.familyId))) !== undefined) return { kind: 'revoked' };
  if (!(await store.setIfAbsent(`rt-used:${hash}`, '1', Math.max(1000, record.expiresAt - clock.now())))) return { kind: 'reused', record };
  return { kind: 'ok', record };
}
