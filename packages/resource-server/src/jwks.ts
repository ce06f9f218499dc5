/**
 * The verifier's signing keys: OpenID discovery (`${issuer}/.well-known/openid-configuration`
 * → `jwks_uri`), fetched with a timeout and a size cap, cached for `maxAgeMs`; an unknown `kid`
 * may trigger one refetch per cooldown; stale keys keep serving while the verifier is down.
 */
import type { JSONWebKeySet, JWK } from 'jose';
import { KeySetUnavailableError } from './errors.ts';

export const FETCH_TIMEOUT_MS = 5_000;
export const MAX_DOCUMENT_BYTES = 256 * 1024;
export const UNKNOWN_KID_COOLDOWN_MS = 30_000;
/** After a failed fetch with nothing cached, requests fail fast for this long instead of each refetching. */
const FAILURE_BACKOFF_MS = 2_000;

export interface KeySourceOptions {
  issuer: string;
  fetch?: typeof fetch;
  jwks?: JSONWebKeySet;
  maxAgeMs: number;
  now: () => number;
}

export interface KeySource {
  /** The current keys (fetching them when none are cached or the cache expired). */
  keys(): Promise<readonly JWK[]>;
  /** Refetches because a token named an unknown `kid`; false (no fetch) within the cooldown or for static keys. */
  refreshForUnknownKid(): Promise<boolean>;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export async function readCapped(res: Response, cap: number): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > cap) throw new Error('document too large');
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > cap) {
      await reader.cancel().catch(() => {});
      throw new Error('document too large');
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function getJson(f: typeof fetch, url: string): Promise<Record<string, unknown>> {
  const res = await f(url, { headers: { accept: 'application/json' }, redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => {});
    throw new Error(`HTTP ${res.status}`);
  }
  const json = JSON.parse(await readCapped(res, MAX_DOCUMENT_BYTES)) as unknown;
  if (!isRecord(json)) throw new Error('not a JSON object');
  return json;
}

function usableKeys(set: unknown): JWK[] {
  if (!isRecord(set) || !Array.isArray(set.keys)) throw new Error('not a JWK set');
  // Private keys in a published set are a misconfiguration: never verify with them.
  return set.keys.filter((k): k is JWK => isRecord(k) && typeof k.kty === 'string' && !('d' in k));
}

export function createKeySource(o: KeySourceOptions): KeySource {
  if (o.jwks) {
    const keys = usableKeys(o.jwks);
    return { keys: async () => keys, refreshForUnknownKid: async () => false };
  }
  const f = o.fetch ?? globalThis.fetch;
  const discoveryUrl = `${o.issuer}/.well-known/openid-configuration`;
  let jwksUri: string | undefined;
  let cached: readonly JWK[] | undefined;
  let fetchedAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastFailure: { at: number; error: KeySetUnavailableError } | undefined;
  let inflight: Promise<void> | undefined;

  async function discover(): Promise<string> {
    const doc = await getJson(f, discoveryUrl);
    // RFC 8414 §3.3 / OIDC Discovery §4.3: the document must name the issuer it was fetched for.
    if (doc.issuer !== o.issuer) throw new Error('discovery issuer mismatch');
    if (typeof doc.jwks_uri !== 'string') throw new Error('no jwks_uri');
    const uri = new URL(doc.jwks_uri);
    if (uri.protocol !== 'https:' && uri.protocol !== new URL(o.issuer).protocol) throw new Error('jwks_uri scheme not allowed');
    return uri.href;
  }

  async function load(): Promise<void> {
    lastAttempt = o.now();
    try {
      jwksUri ??= await discover();
      const keys = usableKeys(await getJson(f, jwksUri));
      cached = keys;
      fetchedAt = o.now();
      lastFailure = undefined;
    } catch {
      jwksUri = undefined; // rediscover next time
      lastFailure = { at: o.now(), error: new KeySetUnavailableError("the verifier's signing keys are unavailable") };
    }
  }

  function refresh(): Promise<void> {
    inflight ??= load().finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    async keys() {
      if (cached && o.now() - fetchedAt < o.maxAgeMs) return cached;
      if (cached) {
        // Expired: refresh, but serve the stale keys while the verifier cannot be reached.
        if (o.now() - lastAttempt >= UNKNOWN_KID_COOLDOWN_MS || !lastFailure) await refresh();
        return cached;
      }
      if (lastFailure && o.now() - lastFailure.at < FAILURE_BACKOFF_MS) throw lastFailure.error;
      await refresh();
      if (!cached) throw lastFailure?.error ?? new KeySetUnavailableError("the verifier's signing keys are unavailable");
      return cached;
    },
    async refreshForUnknownKid() {
      if (o.now() - lastAttempt < UNKNOWN_KID_COOLDOWN_MS) return false;
      await refresh();
      return true;
    },
  };
}
