/**
 * P-256 key loading for machine clients. A machine's private key may come as a JWK (object or
 * JSON text), a PEM (PKCS#8 or SEC1 "EC PRIVATE KEY"), or a hex scalar with optional `0x` (the
 * format of `VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY` and of the IN2 tooling).
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { jwkToDidKey, p256PrivateKeyFromScalar, type P256PublicJwk } from '@dome-verifier/did-key';
import type { CryptoKey } from 'jose';

export interface LoadedP256Key {
  /** node:crypto private key (accepted by jose and node:crypto alike). */
  privateKey: KeyObject;
  publicJwk: P256PublicJwk;
  /** did:key of the public key (`did:key:zDna…`). */
  did: string;
}

/** Private key for the signing helpers: a node:crypto KeyObject or a WebCrypto CryptoKey. */
export type SigningKey = KeyObject | CryptoKey;

/** Anything `createMachineTokenRequest` accepts as the machine key. */
export type MachineKeyInput = SigningKey | LoadedP256Key | Record<string, unknown> | string;

export class KeyLoadError extends Error {
  override name = 'KeyLoadError';
}

const HEX_RE = /^(?:0x)?([0-9a-fA-F]{1,64})$/;

function fromKeyObject(key: KeyObject): LoadedP256Key {
  if (key.type !== 'private') throw new KeyLoadError('a private key is required');
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new KeyLoadError('the key must be an EC P-256 key');
  }
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const publicJwk: P256PublicJwk = { kty: 'EC', crv: 'P-256', x: String(jwk.x), y: String(jwk.y) };
  return { privateKey: key, publicJwk, did: jwkToDidKey(publicJwk) };
}

function fromJwk(jwk: Record<string, unknown>): LoadedP256Key {
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new KeyLoadError('the JWK must be an EC P-256 key');
  if (typeof jwk.d !== 'string') throw new KeyLoadError('the JWK has no private member "d"');
  if (typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d }, format: 'jwk' });
    } catch {
      throw new KeyLoadError('the JWK is not a valid P-256 private key');
    }
    return fromKeyObject(key);
  }
  // A bare {kty, crv, d}: derive the public point from the scalar.
  return fromHex(Buffer.from(jwk.d, 'base64url').toString('hex'));
}

function fromHex(hex: string): LoadedP256Key {
  let key: KeyObject;
  try {
    key = p256PrivateKeyFromScalar(Buffer.from(hex.padStart(64, '0'), 'hex'));
  } catch {
    throw new KeyLoadError('the hex scalar is not a valid P-256 private key');
  }
  return fromKeyObject(key);
}

/**
 * Loads a P-256 private key from a JWK (object or JSON string), a PEM, a hex scalar (optional
 * `0x`), or an existing private KeyObject. Error messages never echo the key material.
 */
export function loadP256PrivateKey(input: KeyObject | Record<string, unknown> | string): LoadedP256Key {
  if (input instanceof KeyObject) return fromKeyObject(input);
  if (typeof input === 'object' && input !== null) return fromJwk(input);
  if (typeof input !== 'string') throw new KeyLoadError('unsupported key input');
  const text = input.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new KeyLoadError('the key text looks like JSON but does not parse');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new KeyLoadError('the JWK must be a JSON object');
    return fromJwk(parsed as Record<string, unknown>);
  }
  if (text.includes('-----BEGIN')) {
    let key: KeyObject;
    try {
      key = createPrivateKey({ key: text, format: 'pem' });
    } catch {
      throw new KeyLoadError('the PEM is not a readable private key');
    }
    return fromKeyObject(key);
  }
  const m = HEX_RE.exec(text);
  if (m) return fromHex(m[1]!);
  throw new KeyLoadError('unrecognised key format (expected JWK, PEM or hex P-256 scalar)');
}

/** Generates a fresh P-256 key pair with its did:key. */
export function generateP256Key(): LoadedP256Key & { privateJwk: Record<string, string> } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const loaded = fromKeyObject(privateKey);
  const privateJwk = privateKey.export({ format: 'jwk' }) as Record<string, string>;
  return { ...loaded, privateJwk };
}

/** Private scalar as 64 hex characters (the IN2 `privateKey` property format). */
export function privateKeyToHex(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.d !== 'string') throw new KeyLoadError('a private key is required');
  return Buffer.from(jwk.d, 'base64url').toString('hex').padStart(64, '0');
}

/** True for the result of `loadP256PrivateKey` / `generateP256Key`. */
export function isLoadedKey(input: unknown): input is LoadedP256Key {
  return typeof input === 'object' && input !== null && 'privateKey' in input && 'publicJwk' in input && 'did' in input;
}
