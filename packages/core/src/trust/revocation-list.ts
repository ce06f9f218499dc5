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
}

export interface RevocationListOptions {
  url: string;
  fetch: Fetcher;
  ttlMs: number;
  now?: () => number;
}

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
  let current: { ids: Set<string>; fetchedAt: number } | undefined;
  let inflight: Promise<Set<string>> | undefined;

  async function load(): Promise<Set<string>> {
    const res = await options.fetch({ url: options.url, purpose: 'operator', maxBytes: MAX_REVOCATION_LIST_BYTES, accept: 'application/yaml, text/yaml, */*' });
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
    async isRevoked(credentialIds) {
      const listed = await ids();
      return credentialIds.some((id) => listed.has(id));
    },
  };
}
