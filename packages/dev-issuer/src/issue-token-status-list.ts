/**
 * Development issuer of IETF Token Status Lists (`statuslist+jwt`), in both encodings seen in
 * DOME: `ietf` = the draft (ZLIB/DEFLATE, statuses packed least-significant bit first) and `in2`
 * = IN2's verifier/issuer (GZIP, most-significant bit first; dome-verifier-v3.md §3.8).
 */
import { deflateSync, gzipSync } from 'node:zlib';
import type { KeyObject } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core/jws';
import type { DevCertificate } from './ca.ts';
import { issuerSigning } from './issuer-key.ts';

export type TokenStatusListEncoding = 'ietf' | 'in2';
export type StatusBits = 1 | 2 | 4 | 8;

/** Packs status values (each < 2^bits) into bytes in the encoding's bit order. */
export function packStatuses(statuses: readonly number[], bits: StatusBits, encoding: TokenStatusListEncoding): Buffer {
  const out = Buffer.alloc(Math.ceil((statuses.length * bits) / 8));
  statuses.forEach((v, i) => {
    if (!Number.isInteger(v) || v < 0 || v >= 1 << bits) throw new RangeError(`status ${v} does not fit in ${bits} bits`);
    const bit = i * bits;
    const shift = encoding === 'ietf' ? bit & 7 : 8 - bits - (bit & 7);
    out[bit >> 3]! |= v << shift;
  });
  return out;
}

/** `lst`: base64url of the compressed packed statuses. */
export function encodeStatusList(statuses: readonly number[], bits: StatusBits, encoding: TokenStatusListEncoding): string {
  const packed = packStatuses(statuses, bits, encoding);
  return (encoding === 'ietf' ? deflateSync(packed, { level: 9 }) : gzipSync(packed)).toString('base64url');
}

export interface IssueTokenStatusListOptions {
  /** The URI the list is served at (`sub`, and the credentials' `status.status_list.uri`). */
  uri: string;
  bits: StatusBits;
  encoding: TokenStatusListEncoding;
  /** Status per index (0 valid, 1 invalid, 2 suspended, …). Ignored when `lst` is given. */
  statuses?: readonly number[];
  /** A ready `lst` (e.g. a draft vector). */
  lst?: string;
  seal?: DevCertificate;
  chain?: DevCertificate[];
  organizationIdentifier?: string;
  didKeyIssuer?: KeyObject;
  iat: Date;
  exp?: Date;
  /** Seconds. */
  ttl?: number;
  transform?: (parts: { header: JwsHeader; payload: Record<string, unknown> }) => void;
}

export function issueTokenStatusList(o: IssueTokenStatusListOptions): string {
  const { header, iss, key } = issuerSigning(o, 'statuslist+jwt');
  const s = (d: Date) => Math.floor(d.getTime() / 1000);
  const payload: Record<string, unknown> = {
    iss,
    sub: o.uri,
    iat: s(o.iat),
    ...(o.exp ? { exp: s(o.exp) } : {}),
    ...(o.ttl !== undefined ? { ttl: o.ttl } : {}),
    status_list: { bits: o.bits, lst: o.lst ?? encodeStatusList(o.statuses ?? [], o.bits, o.encoding) },
  };
  o.transform?.({ header, payload });
  return signJws(header, payload, key);
}
