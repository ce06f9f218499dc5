/**
 * Trusted Issuers List client (FIWARE TIL, EBSI TIR v4 shape; dome-verifier-wire.md §4.3):
 * `GET {trustedIssuersListUrl}{did}` → `{did, attributes:[{body: base64(JSON{validFor, credentialsType, claims})}]}`,
 * optionally falling back to an EBSI v3 URL (`fallbackBaseUrl`, FIWARE lists: trust/ebsi-registry.ts).
 * 404 means "not trusted"; any other failure fails closed with 503 — including a 200 whose body is
 * not a JSON object with an `attributes` list (a rate-limit or error message must not read as
 * "known issuer, trusted for nothing" and be cached as such). Results are cached with a
 * bounded TTL (positive and negative) and concurrent lookups of one DID share one fetch.
 */
import type { Fetcher } from '../ports/fetcher.ts';
import { FetchError } from '../ports/fetcher.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import { decodeBase64Liberal } from '../shared/base64.ts';
import { isRecord, parseJsonObject } from '../shared/json.ts';

export interface IssuerAttribute {
  readonly credentialsType: string;
  /** ms epoch bounds from `validFor`, when given. */
  readonly validFrom: number | undefined;
  readonly validTo: number | undefined;
  readonly claims: readonly unknown[];
}

export interface TrustedIssuerRecord {
  readonly did: string;
  readonly attributes: readonly IssuerAttribute[];
}

export interface TrustedIssuersRegistry {
  /** The issuer's record, or null when the list does not know it (HTTP 404). */
  lookup(did: string): Promise<TrustedIssuerRecord | null>;
}

export interface TrustedIssuersOptions {
  baseUrl: string;
  /**
   * EBSI v3 fallback (FIWARE VCVerifier, fiware-vcverifier.md §6.4): when the `baseUrl` lookup
   * fails (transport error or any answer but 200), `{fallbackBaseUrl}{did}` is asked. The issuer
   * is unknown only when both answer 404; neither 200 and a failure → 503. Absent: no fallback
   * (the DOME TIL, whose configured URL is the full prefix).
   */
  fallbackBaseUrl?: string;
  /** EBSI trusted-participants use: any 200 means "known", the body is not read (attributes []). */
  presenceOnly?: boolean;
  /** Names the list in the 503 description; default "the Trusted Issuers List". */
  name?: string;
  fetch: Fetcher;
  ttlMs: number;
  /** Not-found answers are cached for a shorter time; default min(ttl, 10 s). */
  negativeTtlMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

const MAX_TIL_BYTES = 256 * 1024;
const DID_RE = /^did:[a-z0-9]+:[A-Za-z0-9._:%-]{1,256}$/;

function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  const t = Date.parse(v);
  return Number.isFinite(t) ? t : undefined;
}

/** Parses one TIL answer; attribute bodies that cannot be read are skipped. */
export function parseTrustedIssuer(json: Record<string, unknown>, did: string): TrustedIssuerRecord {
  const attributes: IssuerAttribute[] = [];
  for (const a of Array.isArray(json.attributes) ? json.attributes : []) {
    if (!isRecord(a) || typeof a.body !== 'string') continue;
    const raw = decodeBase64Liberal(a.body);
    if (!raw) continue;
    let body: Record<string, unknown>;
    try {
      body = parseJsonObject(raw.toString('utf8'));
    } catch {
      continue;
    }
    if (typeof body.credentialsType !== 'string') continue;
    const validFor = isRecord(body.validFor) ? body.validFor : {};
    attributes.push({
      credentialsType: body.credentialsType,
      validFrom: parseTime(validFor.from),
      validTo: parseTime(validFor.to),
      claims: Array.isArray(body.claims) ? body.claims : [],
    });
  }
  return { did: typeof json.did === 'string' ? json.did : did, attributes };
}

export function createTrustedIssuersRegistry(options: TrustedIssuersOptions): TrustedIssuersRegistry {
  const cache = new BoundedCache<string, TrustedIssuerRecord | null>(5_000);
  const inflight = new Map<string, Promise<TrustedIssuerRecord | null>>();
  const now = options.now ?? Date.now;
  const negativeTtl = options.negativeTtlMs ?? Math.min(options.ttlMs, 10_000);
  const name = options.name ?? 'the Trusted Issuers List';
  const unavailable = (detail: string, cause?: unknown) =>
    new VerifierError('ERR_TRUST_SERVICE_UNAVAILABLE', `${name} is unavailable; try again later`, { cause: cause ?? new Error(detail) });
  const bases = options.fallbackBaseUrl === undefined ? [options.baseUrl] : [options.baseUrl, options.fallbackBaseUrl];

  /** One GET: the record, null for a 404, or a thrown 503 VerifierError. */
  async function fetchAt(url: string, did: string): Promise<TrustedIssuerRecord | null> {
    let res;
    try {
      res = await options.fetch({ url, purpose: 'operator', maxBytes: MAX_TIL_BYTES, timeoutMs: options.timeoutMs });
    } catch (e) {
      throw unavailable(e instanceof FetchError ? e.reason : 'fetch failed', e);
    }
    if (res.status === 404) return null;
    if (res.status !== 200) throw unavailable(`TIL answered HTTP ${res.status}`);
    if (options.presenceOnly) return { did, attributes: [] };
    let json: Record<string, unknown>;
    try {
      json = parseJsonObject(res.body.toString('utf8'));
    } catch (e) {
      throw unavailable('TIL answer is not a JSON object', e);
    }
    if (!Array.isArray(json.attributes)) throw unavailable('TIL answer has no attributes list');
    return parseTrustedIssuer(json, did);
  }

  /** The first 200 of the base URL and its fallback; null when every one answered 404. */
  async function fetchRecord(did: string): Promise<TrustedIssuerRecord | null> {
    let failure: unknown;
    for (const base of bases) {
      try {
        const record = await fetchAt(`${base}${did}`, did);
        if (record) return record;
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== undefined) throw failure;
    return null;
  }

  return {
    async lookup(did) {
      if (!DID_RE.test(did)) return null;
      const t = now();
      const hit = cache.get(did, t);
      if (hit !== undefined) return hit;
      let p = inflight.get(did);
      if (!p) {
        p = fetchRecord(did).finally(() => inflight.delete(did));
        inflight.set(did, p);
        p.then((r) => cache.set(did, r, r ? options.ttlMs : negativeTtl, now()), () => undefined);
      }
      return p;
    },
  };
}
