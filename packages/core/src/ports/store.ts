/**
 * Key-value store with TTL semantics: the one port behind replay detection (assertion `jti`),
 * and later authorization codes, login sessions and refresh tokens. Every method is atomic
 * per key, so that two nodes sharing a store (Redis) cannot both accept the same `jti`.
 */
export interface Store {
  /** Stores `value` under `key` only if the key is absent; true when stored (SET NX PX). */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Stores or replaces `value` with a TTL. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  get(key: string): Promise<string | undefined>;
  /** Reads and deletes atomically (single-use items: codes, request objects). */
  take(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
  /** Releases resources (timers, connections). */
  close(): Promise<void>;
}
