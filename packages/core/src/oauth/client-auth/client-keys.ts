/**
 * Where a client's assertion key comes from: a did:key client_id is decoded locally; a did:jwk
 * or did:web client_id is resolved by the DID resolver (the kid names the verification method;
 * did:web documents are fetched through the SSRF guard and cached there); a
 * `jwkSetUrl` that points at our own `/oidc/did/{did}` is decoded locally too (IN2 made an HTTP
 * self-call); any other `jwkSetUrl` is fetched through the SSRF guard, cached, and re-fetched at
 * most once a minute when an unknown `kid` appears. An embedded header `jwk` is never trusted
 * by itself (CVE-2018-0114): it must be the registered key.
 */
import type { KeyObject } from 'node:crypto';
import { isDidKey, jwkToDidKey, stripFragment } from '@dome-verifier/did-key';
import type { JwsHeader } from '../../jose/jws.ts';
import { importPublicJwk, jwkThumbprint } from '../../jose/keys.ts';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import type { Fetcher } from '../../ports/fetcher.ts';
import { FetchError } from '../../ports/fetcher.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { BoundedCache } from '../../shared/bounded-cache.ts';
import { isRecord, parseJsonObject } from '../../shared/json.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import { createDidResolver, type DidResolver } from '../../did/resolver.ts';

/** Client ids resolved as DIDs (besides did:key, decoded below): their key is the DID's, any jwkSetUrl is ignored. */
const RESOLVED_DID_METHODS = ['did:jwk:', 'did:web:'];
const OFFLINE_DIDS = createDidResolver();

export interface ClientKeyResolver {
  /** Candidate verification keys for an assertion header (usually exactly one). */
  keysFor(client: RegisteredClient, header: JwsHeader): Promise<readonly KeyObject[]>;
}

export interface ClientKeyResolverOptions {
  issuer: string;
  /** Resolves did:jwk / did:web client ids. Absent: an offline resolver (did:key, did:jwk). */
  dids?: DidResolver;
  fetch: Fetcher;
  ttlMs: number;
  now?: () => number;
  timeoutMs?: number;
}

interface JwksEntry {
  keys: Array<{ kid: string | undefined; thumbprint: string; key: KeyObject }>;
  fetchedAt: number;
}

const MAX_JWKS_BYTES = 64 * 1024;
const REFETCH_MIN_MS = 60_000;
const notFound = (msg: string) => new VerifierError('ERR_ASSERTION_KEY_NOT_FOUND', msg);

function didKeyCandidate(did: string, header: JwsHeader): KeyObject[] {
  if (header.kid !== undefined && stripFragment(header.kid) !== did) throw notFound('the assertion kid is not the client did:key');
  if (header.jwk !== undefined) {
    let jwkDid: string | undefined;
    try {
      jwkDid = jwkToDidKey(header.jwk);
    } catch {
      jwkDid = undefined;
    }
    if (jwkDid !== did) throw new VerifierError('ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client did:key');
  }
  try {
    return [publicKeyOfDidKey(did)];
  } catch {
    throw notFound('the client did:key is not a valid P-256 did:key');
  }
}

/** The key of a did:jwk / did:web client: the verification method the kid names (or the DID's only one). */
async function resolvedDidCandidate(dids: DidResolver, did: string, header: JwsHeader): Promise<KeyObject[]> {
  if (header.kid !== undefined && stripFragment(header.kid) !== did) throw notFound('the assertion kid is not a key of the client DID');
  const resolved = await dids.resolveKey(header.kid ?? did);
  if (header.jwk !== undefined) {
    let same = false;
    try {
      same = jwkThumbprint(header.jwk) === jwkThumbprint(resolved.jwk);
    } catch {
      same = false;
    }
    if (!same) throw new VerifierError('ERR_ASSERTION_HEADER', 'the embedded jwk is not the key of the client DID');
  }
  return [resolved.key];
}

export function createClientKeyResolver(options: ClientKeyResolverOptions): ClientKeyResolver {
  const now = options.now ?? Date.now;
  const selfPrefix = `${options.issuer}/oidc/did/`;
  const cache = new BoundedCache<string, JwksEntry>(2_000);
  const inflight = new Map<string, Promise<JwksEntry>>();

  async function fetchJwks(url: string): Promise<JwksEntry> {
    let res;
    try {
      res = await options.fetch({ url, purpose: 'untrusted', maxBytes: MAX_JWKS_BYTES, timeoutMs: options.timeoutMs, accept: 'application/jwk-set+json, application/json' });
    } catch (e) {
      if (e instanceof FetchError && (e.reason === 'timeout' || e.reason === 'network')) {
        throw new VerifierError('ERR_CLIENT_JWKS_UNAVAILABLE', "the client's jwkSetUrl is unreachable; try again later", { cause: e });
      }
      throw new VerifierError('ERR_CLIENT_JWKS_INVALID', "the client's jwkSetUrl cannot be used", { cause: e });
    }
    if (res.status >= 500 || res.status === 429) throw new VerifierError('ERR_CLIENT_JWKS_UNAVAILABLE', "the client's jwkSetUrl is unavailable; try again later");
    if (res.status !== 200) throw new VerifierError('ERR_CLIENT_JWKS_INVALID', `the client's jwkSetUrl answered HTTP ${res.status}`);
    let doc: Record<string, unknown>;
    try {
      doc = parseJsonObject(res.body.toString('utf8'), { maxDepth: 6 });
    } catch (e) {
      throw new VerifierError('ERR_CLIENT_JWKS_INVALID', "the client's jwkSetUrl did not return JSON", { cause: e });
    }
    if (!Array.isArray(doc.keys)) throw new VerifierError('ERR_CLIENT_JWKS_INVALID', "the client's JWKS has no keys array");
    const keys: JwksEntry['keys'] = [];
    for (const jwk of doc.keys.slice(0, 50)) {
      if (!isRecord(jwk) || jwk.use === 'enc') continue;
      try {
        keys.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, thumbprint: jwkThumbprint(jwk), key: importPublicJwk(jwk) });
      } catch {
        // unusable entries (private, unknown kty) are skipped
      }
    }
    return { keys, fetchedAt: now() };
  }

  async function jwks(url: string, forceRefresh: boolean): Promise<JwksEntry> {
    const hit = cache.get(url, now());
    if (hit && !(forceRefresh && now() - hit.fetchedAt >= REFETCH_MIN_MS)) return hit;
    let p = inflight.get(url);
    if (!p) {
      p = fetchJwks(url).finally(() => inflight.delete(url));
      inflight.set(url, p);
      p.then((e) => cache.set(url, e, options.ttlMs, now()), () => undefined);
    }
    return p;
  }

  function select(entry: JwksEntry, header: JwsHeader): KeyObject[] {
    let keys = entry.keys;
    if (header.kid !== undefined) {
      keys = keys.filter((k) => k.kid === header.kid);
      if (keys.length > 1) throw new VerifierError('ERR_CLIENT_JWKS_INVALID', "the client's JWKS has two keys with the same kid");
    }
    if (header.jwk !== undefined) {
      let tp: string;
      try {
        tp = jwkThumbprint(header.jwk);
      } catch {
        throw new VerifierError('ERR_ASSERTION_HEADER', 'the embedded jwk is not a valid key');
      }
      keys = keys.filter((k) => k.thumbprint === tp);
    }
    return keys.slice(0, 5).map((k) => k.key);
  }

  return {
    async keysFor(client, header) {
      if (isDidKey(client.clientId)) return didKeyCandidate(client.clientId, header);
      if (RESOLVED_DID_METHODS.some((m) => client.clientId.startsWith(m))) return resolvedDidCandidate(options.dids ?? OFFLINE_DIDS, client.clientId, header);
      const url = client.jwkSetUrl;
      if (!url) throw notFound('the client has no jwkSetUrl');
      if (url.startsWith(selfPrefix)) {
        let did: string;
        try {
          did = decodeURIComponent(url.slice(selfPrefix.length));
        } catch {
          throw notFound('the client jwkSetUrl is not a valid did URL');
        }
        if (!isDidKey(did)) throw notFound('the client jwkSetUrl names no did:key');
        return didKeyCandidate(did, header);
      }
      let keys = select(await jwks(url, false), header);
      if (keys.length === 0) keys = select(await jwks(url, true), header);
      if (keys.length === 0) throw notFound('no key in the client JWKS matches the assertion');
      return keys;
    },
  };
}
