/**
 * Compact JWS on raw node:crypto. The M2M token path verifies three JWS and signs one per
 * request; jose's WebCrypto hop costs ~130 µs per operation (performance-anchors.md §7.5), so
 * the hot path uses this thin layer with explicit algorithm allow-lists, key-type ↔ alg
 * matching, `crit` enforcement and strict compact-serialisation parsing.
 */
import { sign as cryptoSign, verify as cryptoVerify, constants, type KeyObject } from 'node:crypto';
import { DEFAULT_MAX_JSON_DEPTH, JsonInputError, parseJsonObject } from '../shared/json.ts';
import { JoseError } from './errors.ts';
import { decodeBase64UrlCanonical, decodeBase64UrlCanonicalText } from '../shared/base64.ts';

export const ALL_ALGS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'] as const;
export type JwsAlg = (typeof ALL_ALGS)[number];

export interface JwsHeader extends Record<string, unknown> {
  alg: JwsAlg;
  kid?: string;
  typ?: string;
  crit?: string[];
  x5c?: string[];
  jwk?: Record<string, unknown>;
}

export interface DecodedJws {
  header: JwsHeader;
  payload: Record<string, unknown>;
  /** `BASE64URL(header) || '.' || BASE64URL(payload)` */
  signingInput: string;
  signature: Buffer;
}

export interface DecodeOptions {
  /** Maximum length of the compact serialisation in characters. */
  maxLength: number;
  /** Maximum length of the encoded header segment (default 2048; x5c-bearing credentials need more). */
  maxHeaderLength?: number;
  maxDepth?: number;
  /** Check the payload for duplicate member names too (headers always are). */
  rejectDuplicatePayloadKeys?: boolean;
}

/** Header parameters whose meaning changes verification; we implement none of them. */
const UNSUPPORTED_HEADERS = ['jku', 'x5u', 'b64', 'zip', 'enc'] as const;
const REGISTERED_HEADERS = new Set(['alg', 'jku', 'jwk', 'kid', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'typ', 'cty', 'crit', 'enc', 'zip']);

function segmentJson(text: string, what: string, maxDepth: number, dupes: boolean): Record<string, unknown> {
  try {
    return parseJsonObject(text, { maxDepth, rejectDuplicateKeys: dupes });
  } catch (e) {
    if (e instanceof JsonInputError) throw new JoseError('ERR_JWS_MALFORMED', `JWS ${what} ${e.message}`);
    throw e;
  }
}

/** Parses a compact JWS: shape only, no signature check. */
export function decodeJws(token: unknown, options: DecodeOptions): DecodedJws {
  if (typeof token !== 'string' || token.length === 0) throw new JoseError('ERR_JWS_MALFORMED', 'JWS must be a non-empty string');
  if (token.length > options.maxLength) throw new JoseError('ERR_JWS_TOO_LARGE', `JWS exceeds ${options.maxLength} characters`);
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (first === -1 || second === -1) throw new JoseError('ERR_JWS_MALFORMED', 'JWS must have three segments');
  if (token.indexOf('.', second + 1) !== -1) {
    if (token.split('.').length === 5) throw new JoseError('ERR_JWS_IS_JWE', 'encrypted JWTs (JWE) are not accepted here');
    throw new JoseError('ERR_JWS_MALFORMED', 'JWS must have three segments');
  }
  const h = token.slice(0, first);
  const p = token.slice(first + 1, second);
  const s = token.slice(second + 1);
  if (h.length === 0 || p.length === 0 || s.length === 0) throw new JoseError('ERR_JWS_MALFORMED', 'JWS segments must not be empty');
  // Canonical unpadded base64url only: other alphabets, padding, stray characters and non-zero
  // trailing bits are refused (no two texts for one JWS).
  const ht = decodeBase64UrlCanonicalText(h, 'utf8');
  const pt = decodeBase64UrlCanonicalText(p, 'utf8');
  const sb = decodeBase64UrlCanonical(s);
  if (ht === undefined || pt === undefined || !sb) throw new JoseError('ERR_JWS_MALFORMED', 'JWS segments must be unpadded base64url');
  if (h.length > (options.maxHeaderLength ?? 2048)) throw new JoseError('ERR_JWS_TOO_LARGE', `JWS header exceeds ${options.maxHeaderLength ?? 2048} characters`);
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const header = segmentJson(ht, 'header', 4, true);
  const payload = segmentJson(pt, 'payload', maxDepth, options.rejectDuplicatePayloadKeys ?? false);
  const alg = header.alg;
  if (typeof alg !== 'string' || alg.length === 0) throw new JoseError('ERR_JWS_MALFORMED', 'JWS header alg is missing');
  if (!(ALL_ALGS as readonly string[]).includes(alg)) throw new JoseError('ERR_JWS_ALG_NOT_ALLOWED', `JWS alg "${alg.slice(0, 16)}" is not accepted`);
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid.length > 512)) {
    throw new JoseError('ERR_JWS_MALFORMED', 'JWS header kid must be a string of at most 512 characters');
  }
  if (header.typ !== undefined && typeof header.typ !== 'string') throw new JoseError('ERR_JWS_MALFORMED', 'JWS header typ must be a string');
  return { header: header as JwsHeader, payload, signingInput: token.slice(0, second), signature: sb };
}

export interface VerifyOptions {
  algorithms: readonly JwsAlg[];
  /** Extension header parameters this caller understands (e.g. JAdES `sigT`). */
  crit?: readonly string[];
}

/** Header checks that need the caller's policy: allow-list, unsupported parameters, crit. */
export function checkJwsHeader(header: JwsHeader, options: VerifyOptions): void {
  if (!options.algorithms.includes(header.alg)) throw new JoseError('ERR_JWS_ALG_NOT_ALLOWED', `JWS alg "${header.alg}" is not allowed here`);
  for (const name of UNSUPPORTED_HEADERS) {
    if (header[name] !== undefined) throw new JoseError('ERR_JWS_CRIT_UNSUPPORTED', `JWS header parameter "${name}" is not supported`);
  }
  if (header.crit !== undefined) {
    const crit: unknown = header.crit;
    if (!Array.isArray(crit) || crit.length === 0) throw new JoseError('ERR_JWS_MALFORMED', 'JWS header crit must be a non-empty array');
    for (const name of crit) {
      if (typeof name !== 'string' || REGISTERED_HEADERS.has(name)) throw new JoseError('ERR_JWS_MALFORMED', 'JWS header crit lists an invalid parameter');
      if (!options.crit?.includes(name)) throw new JoseError('ERR_JWS_CRIT_UNSUPPORTED', `JWS critical header parameter "${name.slice(0, 32)}" is not understood`);
      if (header[name] === undefined) throw new JoseError('ERR_JWS_MALFORMED', `JWS critical header parameter "${name.slice(0, 32)}" is missing`);
    }
  }
}

const HASH: Record<JwsAlg, string | null> = {
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512',
  PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  EdDSA: null,
};
const EC_CURVE: Partial<Record<JwsAlg, [string, number]>> = {
  ES256: ['prime256v1', 64], ES384: ['secp384r1', 96], ES512: ['secp521r1', 132],
};

/** Throws unless `key` is of the type `alg` requires (RFC 8725 §3.1: no alg/key confusion). */
export function assertKeyMatchesAlg(key: KeyObject, alg: JwsAlg): void {
  const type = key.asymmetricKeyType;
  const curve = EC_CURVE[alg];
  let ok: boolean;
  if (curve) ok = type === 'ec' && key.asymmetricKeyDetails?.namedCurve === curve[0];
  else if (alg === 'EdDSA') ok = type === 'ed25519' || type === 'ed448';
  else if (alg.startsWith('PS')) ok = (type === 'rsa' || type === 'rsa-pss') && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  else ok = type === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (!ok) throw new JoseError('ERR_JWS_KEY_MISMATCH', `key type does not match JWS alg "${alg}"`);
}

function cryptoOptions(key: KeyObject, alg: JwsAlg) {
  if (EC_CURVE[alg]) return { key, dsaEncoding: 'ieee-p1363' as const };
  if (alg.startsWith('PS')) return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
  return key;
}

/** Verifies the signature of a decoded JWS with a caller-chosen key. */
export function verifyJws(jws: DecodedJws, key: KeyObject, options: VerifyOptions): void {
  checkJwsHeader(jws.header, options);
  const alg = jws.header.alg;
  assertKeyMatchesAlg(key, alg);
  const curve = EC_CURVE[alg];
  if (curve && jws.signature.length !== curve[1]) throw new JoseError('ERR_JWS_SIGNATURE_INVALID', 'JWS signature is invalid');
  let valid = false;
  try {
    // The signing input is ASCII (checked base64url segments and a dot): latin1 copies it byte for byte.
    valid = cryptoVerify(HASH[alg], Buffer.from(jws.signingInput, 'latin1'), cryptoOptions(key, alg), jws.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new JoseError('ERR_JWS_SIGNATURE_INVALID', 'JWS signature is invalid');
}

/** Signs `payload` as a compact JWS. The header must name `alg`; the key must match it. */
export function signJws(header: JwsHeader, payload: Record<string, unknown>, key: KeyObject): string {
  return signJwsJson(header, JSON.stringify(payload), key);
}

/** signJws for a payload already serialized (`payloadJson` must be the JSON text of an object). */
export function signJwsJson(header: JwsHeader, payloadJson: string, key: KeyObject): string {
  assertKeyMatchesAlg(key, header.alg);
  const input = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(payloadJson).toString('base64url')}`;
  const sig = cryptoSign(HASH[header.alg], Buffer.from(input, 'latin1'), cryptoOptions(key, header.alg));
  return `${input}.${sig.toString('base64url')}`;
}
