/**
 * Legacy DOME revoked-credential list (`revokedCredentialListUrl`, YAML
 * `revoked_credentials: [ids]`; dome-verifier-wire.md §4.6). Cached for a bounded TTL; when a
 * refresh fails the last good list is used for at most one more TTL, then checks fail closed.
 */
import { parse as parseYaml } from 'yaml';
import type { Fetcher } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { isRecord } from '../shared/json.ts';

export interface RevocationList {
  isRevoked(credentialId: string): Promise<boolean>;
}

export interface RevocationListOptions {
  url: string;
  fetch: Fetcher;
  ttlMs: number;
  now?: () => number;
}

export function parseRevocationList(text: string): Set<string> {
  const doc: unknown = parseYaml(text, { maxAliasCount: 10 });
  if (doc === null || doc === undefined) return new Set();
  if (!isRecord(doc)) throw new Error('revoked credential list is not a YAML mapping');
  const ids = doc.revoked_credentials ?? [];
  if (!Array.isArray(ids)) throw new Error('revoked_credentials is not a list');
  return new Set(ids.filter((x): x is string => typeof x === 'string'));
}

export function createRevocationList(options: RevocationListOptions): RevocationList {
  const now = options.now ?? Date.now;
  let current: { ids: Set<string>; fetchedAt: number } | undefined;
  let inflight: Promise<Set<string>> | undefined;

  async function load(): Promise<Set<string>> {
    const res = await options.fetch({ url: options.url, purpose: 'operator', maxBytes: 4 * 1024 * 1024 });
    if (res.status !== 200) throw new Error(`revoked credential list answered HTTP ${res.status}`);
    const ids = parseRevocationList(res.body.toString('utf8'));
    current = { ids, fetchedAt: now() };
    return ids;
  }

  async function ids(): Promise<Set<string>> {
    const t = now();
    if (current && t - current.fetchedAt < options.ttlMs) return current.ids;
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    try {
      return await inflight;
    } catch (e) {
      if (current && t - current.fetchedAt < 2 * options.ttlMs) return current.ids;
      throw new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the revoked credential list is unavailable; try again later', { cause: e });
    }
  }

  return {
    async isRevoked(id) {
      return (await ids()).has(id);
    },
  };
}
