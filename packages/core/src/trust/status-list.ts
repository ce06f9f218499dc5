/**
 * `credentialStatus` checks (dome-verifier-wire.md §4.6): `BitstringStatusListEntry` (W3C
 * Bitstring Status List v1.0: `encodedList` = multibase `u` + base64url(gzip(bits)), MSB-first as
 * IN2 v2.0.12; DOME's current lists without the `u` prefix are read too; the list credential's
 * `validFrom`/`validUntil` are enforced and bound the cache; `statusSize` 1 only) and IN2's
 * `PlainListEntity`. The status list credential is fetched through the SSRF guard, must be
 * signed by the same did:elsi issuer as the credential (x5c chain to a trust anchor, leaf
 * organizationIdentifier = DID suffix), and is cached for a bounded TTL. Unreachable lists fail
 * closed (503), never open (IN2 V3 failed open).
 */
import { gunzipSync } from 'node:zlib';
import type { Fetcher } from '../ports/fetcher.ts';
import { fetchStatusDocument } from './fetch-status-document.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import { DEFAULT_MAX_JSON_DEPTH, exceedsDepth, isRecord } from '../shared/json.ts';
import { decodeJws, verifyJws } from '../jose/jws.ts';
import { JoseError } from '../jose/errors.ts';
import type { VerifiedChain } from '../keys/x509.ts';
import { parseIsoDateTime } from '../shared/time.ts';

export type StatusOutcome = 'valid' | 'revoked' | 'suspended';

export interface StatusListChecker {
  /** Status of one credential; throws ERR_STATUS_LIST_INVALID or ERR_TRUST_SERVICE_UNAVAILABLE. */
  check(entry: Record<string, unknown>, credentialIssuer: string): Promise<StatusOutcome>;
}

export interface StatusListOptions {
  fetch: Fetcher;
  x5c: (x5c: unknown, nowMs: number) => VerifiedChain;
  ttlMs: number;
  now: () => number;
  timeoutMs?: number;
}

const MAX_LIST_BYTES = 512 * 1024;
/** 16 Mi entries: far above the W3C minimum of 131,072 and a bound on gunzip output. */
const MAX_BITS_BYTES = 2 * 1024 * 1024;

type CachedList =
  | { type: 'bitstring'; issuer: string; purpose: string; bits: Buffer; /** ms; the list credential's validUntil */ validUntil?: number }
  | { type: 'plain'; nonces: Set<string> };

const invalid = (msg: string, cause?: unknown) => new VerifierError('ERR_STATUS_LIST_INVALID', `status list ${msg}`, cause ? { cause } : undefined);

/** Reads bit `index` of a bitstring, most significant bit of byte 0 first. */
export function bitAt(bits: Buffer, index: number): boolean {
  return ((bits[index >> 3]! >> (7 - (index & 7))) & 1) === 1;
}

/** Decodes `encodedList`: multibase `u` + base64url(gzip(bits)); a missing `u` prefix is tolerated. */
export function decodeEncodedList(encoded: unknown): Buffer {
  if (typeof encoded !== 'string' || encoded.length === 0) throw invalid('has no encodedList');
  const b64 = encoded.startsWith('u') ? encoded.slice(1) : encoded;
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(b64)) throw invalid('encodedList is not base64url');
  try {
    return gunzipSync(Buffer.from(b64, 'base64url'), { maxOutputLength: MAX_BITS_BYTES });
  } catch (e) {
    throw invalid('encodedList is not a gzip bitstring within 16 Mi entries', e);
  }
}

export function createStatusListChecker(options: StatusListOptions): StatusListChecker {
  const cache = new BoundedCache<string, CachedList>(1_000);
  const inflight = new Map<string, Promise<CachedList>>();

  const fetchBody = (url: string, accept: string): Promise<Buffer> =>
    fetchStatusDocument(options.fetch, { url, maxBytes: MAX_LIST_BYTES, accept, timeoutMs: options.timeoutMs, name: 'status list', locator: 'URL', invalid });

  async function loadBitstring(url: string): Promise<CachedList> {
    const text = (await fetchBody(url, 'application/vc+jwt, application/jwt')).toString('utf8').trim();
    let jws;
    try {
      jws = decodeJws(text, { maxLength: MAX_LIST_BYTES, maxHeaderLength: 24 * 1024 });
      const chain = options.x5c(jws.header.x5c, options.now());
      verifyJws(jws, chain.leafKey, { algorithms: ['RS256', 'PS256', 'ES256', 'RS384', 'RS512', 'PS384', 'ES384'], crit: ['sigT'] });
      const claims = isRecord(jws.payload.vc) ? jws.payload.vc : jws.payload;
      const issuerValue = claims.issuer ?? jws.payload.iss;
      const issuer = typeof issuerValue === 'string' ? issuerValue : isRecord(issuerValue) && typeof issuerValue.id === 'string' ? issuerValue.id : '';
      if (!issuer.startsWith('did:elsi:') || chain.organizationIdentifier !== issuer.slice('did:elsi:'.length)) {
        throw invalid('is not signed by a certificate of its did:elsi issuer');
      }
      // W3C Bitstring Status List v1.0 §3.1: the list credential's own validity window.
      const from = claims.validFrom === undefined ? undefined : parseIsoDateTime(claims.validFrom);
      const until = claims.validUntil === undefined ? undefined : parseIsoDateTime(claims.validUntil);
      if ((claims.validFrom !== undefined && from === undefined) || (claims.validUntil !== undefined && until === undefined)) {
        throw invalid('validFrom/validUntil must be ISO-8601 date-times with a zone');
      }
      const now = options.now();
      if (until !== undefined && now >= until) throw invalid('has expired (validUntil)');
      if (from !== undefined && now < from) throw invalid('is not yet valid (validFrom)');
      const subject = claims.credentialSubject;
      if (!isRecord(subject)) throw invalid('has no credentialSubject');
      return { type: 'bitstring', issuer, purpose: String(subject.statusPurpose ?? ''), bits: decodeEncodedList(subject.encodedList), ...(until !== undefined ? { validUntil: until } : {}) };
    } catch (e) {
      if (e instanceof VerifierError) throw e;
      throw invalid(e instanceof JoseError ? `credential is invalid (${e.code})` : 'credential cannot be verified', e);
    }
  }

  async function loadPlain(url: string): Promise<CachedList> {
    let json: unknown;
    try {
      json = JSON.parse((await fetchBody(url, 'application/json')).toString('utf8'));
    } catch (e) {
      if (e instanceof VerifierError) throw e;
      throw invalid('is not JSON', e);
    }
    if (!Array.isArray(json)) throw invalid('is not a JSON array');
    // `String()` of a nested array recurses: cap the depth before reading any member.
    if (exceedsDepth(json, DEFAULT_MAX_JSON_DEPTH)) throw invalid(`nests deeper than ${DEFAULT_MAX_JSON_DEPTH} levels`);
    return { type: 'plain', nonces: new Set(json.filter(isRecord).map((x) => String(x.nonce))) };
  }

  async function list(url: string, type: 'bitstring' | 'plain'): Promise<CachedList> {
    const key = `${type} ${url}`;
    const hit = cache.get(key, options.now());
    if (hit) return hit;
    let p = inflight.get(key);
    if (!p) {
      p = (type === 'bitstring' ? loadBitstring(url) : loadPlain(url)).finally(() => inflight.delete(key));
      inflight.set(key, p);
      p.then((l) => {
        const now = options.now();
        const ttl = l.type === 'bitstring' && l.validUntil !== undefined ? Math.min(options.ttlMs, l.validUntil - now) : options.ttlMs;
        if (ttl > 0) cache.set(key, l, ttl, now);
      }, () => undefined);
    }
    return p;
  }

  return {
    async check(entry, credentialIssuer) {
      const { type, statusPurpose, statusListIndex, statusListCredential } = entry;
      if (typeof statusListCredential !== 'string' || statusListCredential.length === 0) throw invalid('entry has no statusListCredential');
      const purpose = typeof statusPurpose === 'string' ? statusPurpose : 'revocation';
      if (purpose !== 'revocation' && purpose !== 'suspension') throw invalid(`purpose "${purpose.slice(0, 32)}" is not supported`);
      if (type === 'PlainListEntity') {
        const l = await list(statusListCredential, 'plain');
        return l.type === 'plain' && l.nonces.has(String(statusListIndex)) ? 'revoked' : 'valid';
      }
      if (type !== 'BitstringStatusListEntry' && type !== 'StatusList2021Entry') throw invalid(`entry type is not supported`);
      // v1.0 multi-bit entries (statusSize > 1, statusMessage) would be misread as single bits.
      if (entry.statusSize !== undefined && entry.statusSize !== 1) throw invalid('entry statusSize other than 1 is not supported');
      const index = typeof statusListIndex === 'number' ? statusListIndex : typeof statusListIndex === 'string' && /^\d{1,10}$/.test(statusListIndex) ? Number(statusListIndex) : NaN;
      if (!Number.isSafeInteger(index) || index < 0) throw invalid('entry has no valid statusListIndex');
      const l = await list(statusListCredential, 'bitstring');
      if (l.type !== 'bitstring') throw invalid('type mismatch');
      if (l.issuer !== credentialIssuer) throw invalid('is issued by another issuer than the credential');
      if (l.purpose !== purpose) throw invalid('purpose differs from the credential status entry');
      if (index >= l.bits.length * 8) throw invalid('index lies beyond the end of the list');
      if (!bitAt(l.bits, index)) return 'valid';
      return purpose === 'suspension' ? 'suspended' : 'revoked';
    },
  };
}
