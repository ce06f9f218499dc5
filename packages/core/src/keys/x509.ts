/**
 * JAdES `x5c` certificate-chain validation with node:crypto only (libraries.md §6, option C):
 * issuer linkage, signatures, validity at `nowMs`, `ca` flag on every issuer, and termination in
 * a configured trust anchor. No revocation (OCSP/CRL), no pathLen, no leaf key-usage or
 * QCStatements policy: node cannot read those extensions, and leaf policy is an application check.
 */
import { createHash, X509Certificate, type KeyObject } from 'node:crypto';

export interface TrustAnchors {
  readonly certificates: readonly X509Certificate[];
}

export interface VerifiedChain {
  /** Public key of the leaf, for verifying the JWS. */
  readonly leafKey: KeyObject;
  /** Leaf subject attribute 2.5.4.97 (organizationIdentifier), e.g. "VATES-B60645900". */
  readonly organizationIdentifier: string | undefined;
  /** ms epoch: latest notBefore over the chain including the anchor used. */
  readonly notBefore: number;
  /** ms epoch: earliest notAfter over the chain including the anchor used. */
  readonly notAfter: number;
  /** Leaf subject as printed by OpenSSL (newline-separated key=value). */
  readonly subject: string;
}

export type X509FailureReason = 'malformed' | 'untrusted' | 'expired' | 'not_yet_valid' | 'bad_signature' | 'not_ca' | 'too_long';

export class X509ChainError extends Error {
  override name = 'X509ChainError';
  readonly reason: X509FailureReason;
  constructor(reason: X509FailureReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

const MAX_CHAIN = 5;
const MAX_DER = 16 * 1024;
const MAX_B64 = Math.ceil(MAX_DER / 3) * 4;
/** RFC 7515 §4.1.6: standard (not URL-safe) base64 with padding, no whitespace. */
const STD_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

function fail(reason: X509FailureReason, message: string): never {
  throw new X509ChainError(reason, message);
}

/** Parses every PEM CERTIFICATE block in `pemText` (duplicates dropped). */
export function loadTrustAnchors(pemText: string): TrustAnchors {
  const blocks = pemText.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new Error('trust anchors: no "-----BEGIN CERTIFICATE-----" block found');
  const byFingerprint = new Map<string, X509Certificate>();
  blocks.forEach((pem, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (e) {
      throw new Error(`trust anchors: certificate #${i + 1} is not a valid X.509 certificate (${(e as Error).message})`);
    }
    byFingerprint.set(cert.fingerprint256, cert);
  });
  return Object.freeze({ certificates: Object.freeze([...byFingerprint.values()]) });
}

/** Cheap structural check (array of 1..5 bounded standard-base64 strings), shared with the cache. */
function assertX5cShape(x5c: unknown): asserts x5c is string[] {
  if (!Array.isArray(x5c) || x5c.length === 0) fail('malformed', 'x5c must be a non-empty array');
  const list = x5c as unknown[];
  if (list.length > MAX_CHAIN) fail('too_long', `x5c has more than ${MAX_CHAIN} certificates`);
  list.forEach((s, i) => {
    if (typeof s !== 'string' || s.length === 0) fail('malformed', `x5c[${i}] is not a non-empty string`);
    else if (s.length > MAX_B64) fail('too_long', `x5c[${i}] exceeds ${MAX_DER} bytes`);
    else if (!STD_B64.test(s)) fail('malformed', `x5c[${i}] is not standard base64`);
  });
}

/** An array of 1..MAX_CHAIN non-empty bounded strings without '.': the shape a cache key needs (cheap: no alphabet scan). */
function cacheableX5c(x5c: unknown): x5c is string[] {
  if (!Array.isArray(x5c) || x5c.length === 0 || x5c.length > MAX_CHAIN) return false;
  for (const s of x5c as unknown[]) if (typeof s !== 'string' || s.length === 0 || s.length > MAX_B64 || s.includes('.')) return false;
  return true;
}

function parseCertificate(s: string, i: number): X509Certificate {
  const der = Buffer.from(s, 'base64');
  if (der.toString('base64') !== s) fail('malformed', `x5c[${i}] is not canonical base64`);
  let cert: X509Certificate | undefined;
  try {
    cert = new X509Certificate(der);
  } catch {
    /* reported below */
  }
  // OpenSSL ignores trailing bytes; insist on exactly one DER certificate.
  if (cert === undefined || !cert.raw.equals(der)) return fail('malformed', `x5c[${i}] is not a DER X.509 certificate`);
  return cert;
}

/** `child` must name `issuer` as issuer (checkIssued), carry its signature, and `issuer` must be a CA. */
function checkLink(child: X509Certificate, issuer: X509Certificate, what: string): void {
  if (!child.checkIssued(issuer)) fail('untrusted', `${what}: issuer does not match`);
  if (!child.verify(issuer.publicKey)) fail('bad_signature', `${what}: signature does not verify`);
  if (!issuer.ca) fail('not_ca', `${what}: issuer is not a CA certificate`);
}

/** The anchor equal to `last`, or the anchor that issued and signed it. */
function findAnchor(last: X509Certificate, anchors: TrustAnchors): X509Certificate {
  const fingerprint = last.fingerprint256;
  const same = anchors.certificates.find((a) => a.fingerprint256 === fingerprint);
  if (same) return same;
  let error: unknown = new X509ChainError('untrusted', 'certificate chain does not end in a trust anchor');
  for (const anchor of anchors.certificates) {
    if (!last.checkIssued(anchor)) continue;
    try {
      checkLink(last, anchor, 'last certificate → trust anchor');
      return anchor;
    } catch (e) {
      error = e; // e.g. same issuer name, different key: try the next anchor
    }
  }
  throw error;
}

function timeOf(printed: string): number {
  const t = Date.parse(printed); // OpenSSL form "Nov 25 08:06:20 2026 GMT"
  return Number.isFinite(t) ? t : fail('malformed', `unparseable certificate time "${printed}"`);
}

function checkWindow(notBefore: number, notAfter: number, nowMs: number, what: string): void {
  if (nowMs < notBefore) fail('not_yet_valid', `${what} is not valid before ${new Date(notBefore).toISOString()}`);
  if (nowMs > notAfter) fail('expired', `${what} expired at ${new Date(notAfter).toISOString()}`);
}

interface Verdict {
  chain: VerifiedChain;
  /** Latest notBefore over the chain. */
  notBefore: number;
}

function verify(x5c: unknown, anchors: TrustAnchors, nowMs: number): Verdict {
  if (!Number.isFinite(nowMs)) throw new TypeError('nowMs must be a finite number');
  assertX5cShape(x5c);
  const certs = x5c.map(parseCertificate);
  for (let i = 0; i + 1 < certs.length; i++) checkLink(certs[i]!, certs[i + 1]!, `x5c[${i}] → x5c[${i + 1}]`);
  const last = certs[certs.length - 1]!;
  const anchor = findAnchor(last, anchors);
  const used = anchor.fingerprint256 === last.fingerprint256 ? certs : [...certs, anchor];
  let notBefore = -Infinity;
  let notAfter = Infinity;
  used.forEach((c, i) => {
    const from = timeOf(c.validFrom);
    const to = timeOf(c.validTo);
    checkWindow(from, to, nowMs, i < certs.length ? `x5c[${i}]` : 'trust anchor');
    notBefore = Math.max(notBefore, from);
    notAfter = Math.min(notAfter, to);
  });
  const leaf = certs[0]!;
  const chain = Object.freeze({
    leafKey: leaf.publicKey,
    organizationIdentifier: organizationIdentifierOf(leaf.raw),
    notBefore,
    notAfter,
    subject: leaf.subject,
  });
  return { chain, notBefore };
}

/** Validates a JWS `x5c` header (leaf first) against `anchors` at `nowMs`; throws X509ChainError. */
export function verifyX5cChain(x5c: unknown, anchors: TrustAnchors, nowMs: number): VerifiedChain {
  return verify(x5c, anchors, nowMs).chain;
}

/**
 * verifyX5cChain with a bounded LRU cache of successful verdicts, keyed by SHA-256 of the x5c
 * strings. A hit re-checks the chain's validity window against `nowMs`, so cached chains still
 * expire. Failures are not cached.
 */
export function createX5cVerifier(
  anchors: TrustAnchors,
  options: { maxEntries?: number } = {},
): (x5c: unknown, nowMs: number) => VerifiedChain {
  const maxEntries = options.maxEntries ?? 1000;
  if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer');
  const cache = new Map<string, Verdict>();
  return (x5c, nowMs) => {
    // A hit needs only a list whose join is unambiguous (no '.' inside an entry): a cached key
    // names exactly the strings that passed assertX5cShape when they were verified. Anything else
    // gets assertX5cShape's verdict; a miss is checked in full by verify.
    if (!cacheableX5c(x5c)) {
      assertX5cShape(x5c);
      fail('malformed', 'x5c is malformed');
    }
    const key = createHash('sha256').update(x5c.join('.')).digest('base64');
    const hit = cache.get(key);
    if (hit) {
      if (!Number.isFinite(nowMs)) throw new TypeError('nowMs must be a finite number');
      if (nowMs > hit.chain.notAfter) cache.delete(key);
      checkWindow(hit.notBefore, hit.chain.notAfter, nowMs, 'certificate chain');
      cache.delete(key); // move to the most-recently-used end
      cache.set(key, hit);
      return hit.chain;
    }
    const verdict = verify(x5c, anchors, nowMs);
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value!);
    cache.set(key, verdict);
    return verdict.chain;
  };
}

// ---- minimal DER walk for the subject organizationIdentifier -------------------------------

interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(der: Buffer, offset: number, limit: number): Tlv | undefined {
  if (offset + 2 > limit) return undefined;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0 || n > 3 || start + n > limit) return undefined;
    length = der.readUIntBE(start, n);
    start += n;
  }
  return start + length <= limit ? { tag, start, end: start + length } : undefined;
}

function childrenOf(der: Buffer, parent: Tlv | undefined, tag: number): Tlv[] {
  const out: Tlv[] = [];
  if (parent?.tag !== tag) return out;
  for (let offset = parent.start; offset < parent.end; ) {
    const child = readTlv(der, offset, parent.end);
    if (!child) return [];
    out.push(child);
    offset = child.end;
  }
  return out;
}

const OID_ORGANIZATION_IDENTIFIER = Buffer.from([0x55, 0x04, 0x61]); // 2.5.4.97
const STRING_ENCODINGS: Readonly<Record<number, BufferEncoding>> = { 0x0c: 'utf8', 0x13: 'latin1', 0x16: 'latin1' }; // UTF8String, PrintableString, IA5String

/**
 * First 2.5.4.97 value in the certificate's subject Name, decoded from DER
 * (Certificate → tbsCertificate → subject → RDN SET → AttributeTypeAndValue).
 */
export function organizationIdentifierOf(certificateDer: Buffer): string | undefined {
  const tbs = childrenOf(certificateDer, readTlv(certificateDer, 0, certificateDer.length), 0x30)[0];
  const fields = childrenOf(certificateDer, tbs, 0x30);
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4]; // [version] serial sigAlg issuer validity subject
  for (const rdn of childrenOf(certificateDer, subject, 0x30)) {
    for (const atv of childrenOf(certificateDer, rdn, 0x31)) {
      const [type, value] = childrenOf(certificateDer, atv, 0x30);
      if (type?.tag !== 0x06 || !certificateDer.subarray(type.start, type.end).equals(OID_ORGANIZATION_IDENTIFIER)) continue;
      const encoding = value && STRING_ENCODINGS[value.tag];
      return encoding ? certificateDer.toString(encoding, value.start, value.end) : undefined;
    }
  }
  return undefined;
}
