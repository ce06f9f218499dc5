/**
 * Legacy DOME revoked-credential list (`revokedCredentialListUrl`, YAML
 * `revoked_credentials: [ids]`; dome-verifier-wire.md §4.6). Cached for a bounded TTL; when a
 * refresh fails the last good list is used for at most one more TTL, then checks fail closed.
 *
 * Only a mapping with an explicit `revoked_credentials` list (possibly `[]`) of strings is an
 * answer. Anything else that answers 200 — an empty body, `null`, a mapping without the key
 * (`{"message":"rate limited"}`), a non-list value, a list with non-string members — is unusable
 * and treated exactly like an HTTP 500: reading it as "nothing revoked" would let every revoked
 * credential through whenever the list's server has a bad moment.
 */
import type { Fetcher } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { isRecord } from '../shared/json.ts';
import { parseYamlBounded } from '../shared/yaml.ts';

export interface RevocationList {
  /** True when any of `credentialIds` is listed; one list load (one fetch at most) per call. */
  isRevoked(credentialIds: readonly string[]): Promise<boolean>;
  /** What a readiness probe needs to know; computed at the current time, never fetches. */
  status(): RevocationListStatus;
}

export interface RevocationListStatus {
  /**
   * `unloaded`: not needed yet (loaded on the first check); `ok`: the last load succeeded;
   * `stale`: the last refresh failed and checks use the last good list within its grace;
   * `failing`: no usable list — checks fail closed with 503.
   */
  state: 'unloaded' | 'ok' | 'stale' | 'failing';
  /** ms epoch of the last good load. */
  lastSuccessAt: number | undefined;
  /** ms epoch of the last failed load. */
  lastFailureAt: number | undefined;
  /** Why the last load failed, while it is the latest outcome (no secrets: URLs are reduced to their origin). */
  lastError: string | undefined;
  /** Ids in the last good list. */
  entries: number | undefined;
}

export interface RevocationListOptions {
  url: string;
  fetch: Fetcher;
  ttlMs: number;
  /** After a failed load, checks within this window do not fetch again (default 5 s; 0 = off). */
  failureTtlMs?: number;
  now?: () => number;
}

const DEFAULT_FAILURE_TTL_MS = 5_000;

/** 1 MiB ≈ 24,000 ids (the production list holds a handful); parsing that takes ≈ 0.3 s. */
export const MAX_REVOCATION_LIST_BYTES = 1024 * 1024;

/** Reads the list; throws for any document that is not an explicit `revoked_credentials` list of strings. */
export function parseRevocationList(text: string): Set<string> {
  const doc = parseYamlBounded(text, { name: 'revoked credential list', maxLength: MAX_REVOCATION_LIST_BYTES, maxAliasCount: 10 });
  if (!isRecord(doc)) throw new Error('revoked credential list is not a YAML mapping');
  if (!('revoked_credentials' in doc)) throw new Error('revoked credential list has no revoked_credentials key');
  const ids: unknown = doc.revoked_credentials;
  if (!Array.isArray(ids)) throw new Error('revoked_credentials is not a list');
  const bad = ids.findIndex((x) => typeof x !== 'string');
  // An entry we cannot read may be exactly the credential someone meant to revoke: refuse the list.
  if (bad !== -1) throw new Error(`revoked_credentials[${bad}] is not a string`);
  return new Set(ids as string[]);
}

export function createRevocationList(options: RevocationListOptions): RevocationList {
  const now = options.now ?? Date.now;
  const failureTtl = options.failureTtlMs ?? DEFAULT_FAILURE_TTL_MS;
  let current: { ids: Set<string>; fetchedAt: number } | undefined;
  /** The failure of the latest load (cleared by a good one); `lastFailureAt` outlives it for status(). */
  let failure: { at: number; error: unknown } | undefined;
  let lastFailureAt: number | undefined;
  let inflight: Promise<Set<string>> | undefined;

  async function load(): Promise<Set<string>> {
    try {
      const res = await options.fetch({ url: options.url, purpose: 'operator', maxBytes: MAX_REVOCATION_LIST_BYTES, accept: 'application/yaml, text/yaml, */*' });
      if (res.status !== 200) throw new Error(`revoked credential list answered HTTP ${res.status}`);
      const ids = parseRevocationList(res.body.toString('utf8'));
      current = { ids, fetchedAt: now() };
      failure = undefined;
      return ids;
    } catch (e) {
      failure = { at: now(), error: e };
      lastFailureAt = failure.at;
      throw e;
    }
  }

  const withinGrace = (t: number) => current !== undefined && t - current.fetchedAt < 2 * options.ttlMs;

  async function ids(): Promise<Set<string>> {
    const t = now();
    if (current && t - current.fetchedAt < options.ttlMs) return current.ids;
    let error: unknown;
    if (failure && t - failure.at < failureTtl) {
      error = failure.error; // failed moments ago: no new fetch, no new parse
    } else {
      inflight ??= load().finally(() => {
        inflight = undefined;
      });
      try {
        return await inflight;
      } catch (e) {
        error = e;
      }
    }
    if (current && withinGrace(t)) return current.ids;
    throw new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the revoked credential list is unavailable; try again later', { cause: error });
  }

  return {
    async isRevoked(credentialIds) {
      const listed = await ids();
      return credentialIds.some((id) => listed.has(id));
    },
    status() {
      const state = !failure ? (current ? 'ok' : 'unloaded') : withinGrace(now()) ? 'stale' : 'failing';
      return {
        state,
        lastSuccessAt: current?.fetchedAt,
        lastFailureAt,
        lastError: failure ? (failure.error instanceof Error ? failure.error.message : String(failure.error)) : undefined,
        entries: current?.ids.size,
      };
    },
  };
}
