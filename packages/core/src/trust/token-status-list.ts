/**
 * IETF Token Status List checks (draft-ietf-oauth-status-list; SD-JWT VC `status.status_list.
 * {uri, idx}`). The Status List Token is fetched through the SSRF-guarded Fetcher, must have
 * `typ: statuslist+jwt`, `sub` = the URI, an `iat`, must not be past its `exp`, and must be signed
 * by the credential's issuer: an `x5c` seal chain to a trust anchor whose leaf
 * organizationIdentifier is the `did:elsi:` suffix of `iss`, or a did:key `iss`; `iss` equals
 * the credential's issuer. `lst` comes in two encodings, told apart by the compression header:
 * ZLIB (CMF/FLG, RFC 1950) is the draft's, read least-significant bit first; GZIP (1f 8b) is
 * IN2's, read most-significant bit first (dome-verifier-v3.md §3.8). Decompression output is
 * capped (zip bombs). Lists are cached for min(configured TTL, `ttl`, time to `exp`); failures
 * are not cached. Unreachable lists fail closed with 503; invalid ones with 401.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import type { Fetcher } from '../ports/fetcher.ts';
import { fetchStatusDocument } from './fetch-status-document.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';
import { isRecord } from '../shared/json.ts';
import { decodeJws, verifyJws, type JwsAlg } from '../jose/jws.ts';
import { JoseError } from '../jose/errors.ts';
import { X509ChainError, type VerifiedChain } from '../keys/x509.ts';
import { publicKeyOfDidKey } from '../keys/did-key-cache.ts';

export type TokenStatus = 'valid' | 'revoked' | 'suspended';
export type BitOrder = 'lsb-first' | 'msb-first';

export interface TokenStatusResult {
  status: TokenStatus;
  /** The raw status value (0 valid, 1 invalid, 2 suspended, 3+ application-specific ⇒ revoked). */
  value: number;
}

export interface TokenStatusListChecker {
  /** Throws ERR_STATUS_LIST_INVALID (401) or ERR_TRUST_SERVICE_UNAVAILABLE (503). */
  check(ref: { uri: string; idx: number }, credentialIssuer: string): Promise<TokenStatusResult>;
}

export interface TokenStatusListOptions {
  fetch: Fetcher;
  x5c: (x5c: unknown, nowMs: number) => VerifiedChain;
  now: () => number;
  /** Longest time a list is reused, ms (the token's `ttl`/`exp` may shorten it). */
  ttlMs: number;
  timeoutMs?: number;
  /** Status List Token size cap, bytes (default 512 KiB). */
  maxTokenBytes?: number;
  /** Decompressed `lst` cap, bytes (default 4 MiB = 32 Mi one-bit entries). */
  maxListBytes?: number;
}

export const STATUS_LIST_TYP = 'statuslist+jwt';
const ALGORITHMS: readonly JwsAlg[] = ['ES256', 'ES384', 'RS256', 'PS256', 'RS384', 'RS512', 'PS384', 'PS512'];
const BITS = new Set([1, 2, 4, 8]);

interface DecodedList {
  issuer: string;
  bits: number;
  order: BitOrder;
  bytes: Buffer;
}

const invalid = (msg: string, cause?: unknown) => new VerifierError('ERR_STATUS_LIST_INVALID', `token status list ${msg}`, cause ? { cause } : undefined);

/** Decompresses `lst` by its header: GZIP ⇒ MSB-first (IN2), ZLIB ⇒ LSB-first (IETF draft). */
export function decodeStatusListBytes(lst: unknown, maxBytes: number): { bytes: Buffer; order: BitOrder } {
  if (typeof lst !== 'string' || lst.length === 0) throw invalid('has no lst');
  const raw = Buffer.from(lst, 'base64url');
  if (raw.toString('base64url') !== lst) throw invalid('lst is not unpadded base64url');
  const [b0 = 0, b1 = 0] = raw;
  try {
    if (b0 === 0x1f && b1 === 0x8b) return { bytes: gunzipSync(raw, { maxOutputLength: maxBytes }), order: 'msb-first' };
    if ((b0 & 0x0f) === 8 && b0 >> 4 <= 7 && ((b0 << 8) | b1) % 31 === 0) return { bytes: inflateSync(raw, { maxOutputLength: maxBytes }), order: 'lsb-first' };
  } catch (e) {
    throw invalid(`lst does not decompress within ${maxBytes} bytes`, e);
  }
  throw invalid('lst is neither ZLIB nor GZIP compressed');
}

/** Status value at `idx` of a `bits`-wide list in the given bit order. */
export function statusAt(bytes: Buffer, bits: number, idx: number, order: BitOrder): number {
  const bit = idx * bits;
  const byte = bytes[bit >> 3]!;
  const shift = order === 'lsb-first' ? bit & 7 : 8 - bits - (bit & 7);
  return (byte >> shift) & ((1 << bits) - 1);
}

export function createTokenStatusListChecker(options: TokenStatusListOptions): TokenStatusListChecker {
  const cache = new BoundedCache<string, DecodedList>(1_000);
  const inflight = new Map<string, Promise<{ list: DecodedList; ttlMs: number }>>();
  const maxTokenBytes = options.maxTokenBytes ?? 512 * 1024;
  const maxListBytes = options.maxListBytes ?? 4 * 1024 * 1024;

  const fetchToken = async (uri: string): Promise<string> =>
    (await fetchStatusDocument(options.fetch, { url: uri, maxBytes: maxTokenBytes, accept: 'application/statuslist+jwt', timeoutMs: options.timeoutMs, name: 'token status list', locator: 'URI', invalid })).toString('utf8').trim();

  async function load(uri: string): Promise<{ list: DecodedList; ttlMs: number }> {
    const text = await fetchToken(uri);
    const now = options.now();
    try {
      const jws = decodeJws(text, { maxLength: maxTokenBytes, maxHeaderLength: 24 * 1024, maxDepth: 4, rejectDuplicatePayloadKeys: true });
      if (jws.header.typ !== STATUS_LIST_TYP) throw invalid(`typ must be "${STATUS_LIST_TYP}"`);
      const iss = jws.payload.iss;
      if (typeof iss !== 'string' || iss.length === 0) throw invalid('has no iss');
      let key: KeyObject;
      let orgId: string | undefined;
      if (jws.header.x5c !== undefined) {
        if (!iss.startsWith('did:elsi:')) throw invalid('signed with x5c must name a did:elsi issuer');
        let chain;
        try {
          chain = options.x5c(jws.header.x5c, now);
        } catch (e) {
          if (e instanceof X509ChainError) throw invalid(`certificate chain is ${e.reason.replace(/_/g, ' ')}`, e);
          throw e;
        }
        key = chain.leafKey;
        orgId = chain.organizationIdentifier;
      } else {
        if (!iss.startsWith('did:key:')) throw invalid('has neither an x5c chain nor a did:key issuer');
        try {
          key = publicKeyOfDidKey(iss);
        } catch (e) {
          throw invalid('did:key issuer is not a P-256 did:key', e);
        }
      }
      verifyJws(jws, key, { algorithms: ALGORITHMS, crit: ['sigT'] });
      if (jws.header.x5c !== undefined && orgId !== iss.slice('did:elsi:'.length)) throw invalid('certificate organizationIdentifier does not match its did:elsi issuer');
      const { sub, iat, exp, ttl, status_list: sl } = jws.payload;
      if (sub !== uri) throw invalid('sub is not the URI it was fetched from');
      if (typeof iat !== 'number' || !Number.isFinite(iat)) throw invalid('has no numeric iat');
      if (exp !== undefined && (typeof exp !== 'number' || !Number.isFinite(exp))) throw invalid('exp is not a number');
      if (typeof exp === 'number' && exp * 1000 <= now) throw invalid('has expired (exp)');
      if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 0)) throw invalid('ttl is not a non-negative number');
      if (!isRecord(sl)) throw invalid('has no status_list');
      if (typeof sl.bits !== 'number' || !BITS.has(sl.bits)) throw invalid('bits must be 1, 2, 4 or 8');
      const { bytes, order } = decodeStatusListBytes(sl.lst, maxListBytes);
      let ttlMs = options.ttlMs;
      if (typeof ttl === 'number') ttlMs = Math.min(ttlMs, ttl * 1000);
      if (typeof exp === 'number') ttlMs = Math.min(ttlMs, exp * 1000 - now);
      return { list: { issuer: iss, bits: sl.bits, order, bytes }, ttlMs };
    } catch (e) {
      if (e instanceof VerifierError) throw e;
      throw invalid(e instanceof JoseError ? `token is invalid (${e.code})` : 'token cannot be verified', e);
    }
  }

  async function list(uri: string): Promise<DecodedList> {
    const hit = cache.get(uri, options.now());
    if (hit) return hit;
    let p = inflight.get(uri);
    if (!p) {
      p = load(uri).finally(() => inflight.delete(uri));
      inflight.set(uri, p);
      p.then(({ list: l, ttlMs }) => { if (ttlMs > 0) cache.set(uri, l, ttlMs, options.now()); }, () => undefined);
    }
    return (await p).list;
  }

  return {
    async check(ref, credentialIssuer) {
      if (typeof ref.uri !== 'string' || ref.uri.length === 0) throw invalid('reference has no uri');
      if (!Number.isSafeInteger(ref.idx) || ref.idx < 0) throw invalid('reference has no valid idx');
      const l = await list(ref.uri);
      if (l.issuer !== credentialIssuer) throw invalid('is issued by another issuer than the credential');
      if ((ref.idx + 1) * l.bits > l.bytes.length * 8) throw invalid('idx lies beyond the end of the list');
      const value = statusAt(l.bytes, l.bits, ref.idx, l.order);
      return { value, status: value === 0 ? 'valid' : value === 2 ? 'suspended' : 'revoked' };
    },
  };
}

/** Throws ERR_VC_REVOKED unless the credential's status is valid (a suspended credential is refused too). */
export async function assertTokenStatusValid(checker: TokenStatusListChecker, ref: { uri: string; idx: number }, credentialIssuer: string): Promise<void> {
  const { status } = await checker.check(ref, credentialIssuer);
  if (status !== 'valid') throw new VerifierError('ERR_VC_REVOKED', status === 'suspended' ? 'the credential is suspended (token status list)' : 'the credential is revoked (token status list)');
}
