/**
 * P-256 did:key codec (multicodec p256-pub = 0x1200, varint 0x80 0x24, compressed point,
 * base58btc with multibase prefix `z`). Unlike the IN2 verifier, the multicodec prefix is
 * checked: a did:key of another key type is refused, never mis-decoded.
 */
import { createECDH, createPrivateKey, createPublicKey, ECDH, type JsonWebKey, type KeyObject } from 'node:crypto';
import { base58 } from '@scure/base';

export interface P256PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

const P256_PUB = Uint8Array.of(0x80, 0x24);
const DID_KEY_RE = /^did:key:z([1-9A-HJ-NP-Za-km-z]{1,128})(?:#(.*))?$/;

export class DidKeyError extends Error {
  override name = 'DidKeyError';
}

/** `did:key:z…#frag` → `did:key:z…` (the DID without a fragment); other strings unchanged. */
export function stripFragment(didUrl: string): string {
  const i = didUrl.indexOf('#');
  return i === -1 ? didUrl : didUrl.slice(0, i);
}

export function isDidKey(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('did:key:');
}

/** Encodes a P-256 public JWK as a did:key. */
export function jwkToDidKey(jwk: { kty?: unknown; crv?: unknown; x?: unknown; y?: unknown }): string {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string') {
    throw new DidKeyError('only P-256 EC public keys can be encoded as did:key');
  }
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if (x.length !== 32 || y.length !== 32) throw new DidKeyError('P-256 coordinates must be 32 bytes');
  const point = Buffer.concat([Buffer.of(y[31]! & 1 ? 0x03 : 0x02), x]);
  return `did:key:z${base58.encode(Buffer.concat([P256_PUB, point]))}`;
}

/** The multicodec-prefixed key bytes of a did:key (base58btc after `z`; a `#fragment` ignored). */
function multikeyBytes(did: string): Uint8Array {
  const m = DID_KEY_RE.exec(did);
  if (!m) throw new DidKeyError('not a base58btc did:key');
  try {
    return base58.decode(m[1]!);
  } catch {
    throw new DidKeyError('did:key is not valid base58btc');
  }
}

/** Decodes a P-256 did:key (a `#fragment` is allowed and ignored) to a public JWK. */
export function didKeyToJwk(did: string): P256PublicJwk {
  const bytes = multikeyBytes(did);
  if (bytes.length !== 35 || bytes[0] !== 0x80 || bytes[1] !== 0x24) {
    throw new DidKeyError('did:key is not a P-256 public key (multicodec 0x1200)');
  }
  if (bytes[2] !== 2 && bytes[2] !== 3) throw new DidKeyError('did:key does not hold a compressed P-256 point');
  let unc: Buffer;
  try {
    unc = ECDH.convertKey(bytes.subarray(2), 'prime256v1', undefined, undefined, 'uncompressed') as Buffer;
  } catch {
    throw new DidKeyError('did:key point is not on the P-256 curve');
  }
  return {
    kty: 'EC',
    crv: 'P-256',
    x: unc.subarray(1, 33).toString('base64url'),
    y: unc.subarray(33, 65).toString('base64url'),
  };
}

/** A public JWK of a did:key of any key type `decodeDidKey` supports. */
export type DidKeyPublicJwk = P256PublicJwk | { kty: 'EC'; crv: 'P-384'; x: string; y: string } | { kty: 'OKP'; crv: 'Ed25519'; x: string };

/**
 * Decodes a did:key of the key types FIWARE's VCVerifier accepts — Ed25519 (multicodec 0xed),
 * P-256 (0x1200) and P-384 (0x1201) — to a public JWK (a `#fragment` is ignored). Any other
 * multicodec (secp256k1 0xe7, RSA, X25519, …) is refused with DidKeyError, never mis-decoded.
 * `didKeyToJwk` stays P-256 only (DOME identities).
 */
export function decodeDidKey(did: string): DidKeyPublicJwk {
  const bytes = multikeyBytes(did);
  if (bytes[0] === 0x80 && bytes[1] === 0x24) return didKeyToJwk(did);
  if (bytes[0] === 0xed && bytes[1] === 0x01) {
    if (bytes.length !== 34) throw new DidKeyError('did:key Ed25519 key is not 32 bytes');
    return { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(bytes.subarray(2)).toString('base64url') };
  }
  if (bytes[0] === 0x81 && bytes[1] === 0x24) {
    if (bytes.length !== 51 || (bytes[2] !== 2 && bytes[2] !== 3)) throw new DidKeyError('did:key does not hold a compressed P-384 point');
    let unc: Buffer;
    try {
      unc = ECDH.convertKey(bytes.subarray(2), 'secp384r1', undefined, undefined, 'uncompressed') as Buffer;
    } catch {
      throw new DidKeyError('did:key point is not on the P-384 curve');
    }
    return { kty: 'EC', crv: 'P-384', x: unc.subarray(1, 49).toString('base64url'), y: unc.subarray(49, 97).toString('base64url') };
  }
  throw new DidKeyError('did:key is not an Ed25519, P-256 or P-384 public key');
}

/** Decodes a did:key to a node:crypto public KeyObject. */
export function didKeyToKeyObject(did: string): KeyObject {
  return createPublicKey({ key: { ...didKeyToJwk(did) } as JsonWebKey, format: 'jwk' });
}

/** did:key of a node:crypto P-256 key (public or private). */
export function keyObjectToDidKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return jwkToDidKey(pub.export({ format: 'jwk' }));
}

/**
 * Private KeyObject of a raw 32-byte P-256 scalar (the hex `privateKey` of IN2 configuration,
 * the `d` of a bare JWK): the public point is derived from it. Throws DidKeyError when the bytes
 * are not a valid P-256 private scalar (zero, or not below the group order).
 */
export function p256PrivateKeyFromScalar(scalar: Uint8Array): KeyObject {
  const d = Buffer.from(scalar);
  const ecdh = createECDH('prime256v1');
  try {
    ecdh.setPrivateKey(d);
  } catch {
    throw new DidKeyError('not a valid P-256 private scalar');
  }
  const point = ecdh.getPublicKey(); // 0x04 || x || y
  const jwk = { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url'), d: d.toString('base64url') };
  return createPrivateKey({ key: jwk, format: 'jwk' });
}
