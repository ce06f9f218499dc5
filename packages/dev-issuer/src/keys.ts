/** P-256 holder keys (did:key) for demo machines, relying parties and test wallets. */
import { createPrivateKey, createPublicKey, generateKeyPairSync, KeyObject } from 'node:crypto';
import { jwkToDidKey, p256PrivateKeyFromScalar, type P256PublicJwk } from '@dome-verifier/did-key';

export interface P256KeyPair {
  privateKey: KeyObject;
  publicJwk: P256PublicJwk;
  /** Private JWK `{kty, crv, x, y, d}` (keep secret). */
  privateJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; d: string };
  /** `did:key:zDna…` of the public key. */
  did: string;
}

function fromKeyObject(key: KeyObject): P256KeyPair {
  if (key.type !== 'private' || key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TypeError('a P-256 private key is required');
  }
  const jwk = key.export({ format: 'jwk' });
  const privateJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: String(jwk.x), y: String(jwk.y), d: String(jwk.d) };
  const publicJwk: P256PublicJwk = { kty: 'EC', crv: 'P-256', x: privateJwk.x, y: privateJwk.y };
  return { privateKey: key, publicJwk, privateJwk, did: jwkToDidKey(publicJwk) };
}

export function generateP256(): P256KeyPair {
  return fromKeyObject(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
}

function fromScalar(scalar: Buffer): P256KeyPair {
  let key: KeyObject;
  try {
    key = p256PrivateKeyFromScalar(scalar);
  } catch {
    throw new TypeError('not a valid P-256 private scalar');
  }
  return fromKeyObject(key);
}

/** Loads a P-256 private key from a JWK (object or JSON text), a PEM, or a hex scalar (optional `0x`). */
export function loadP256PrivateKey(input: Record<string, unknown> | string | KeyObject): P256KeyPair {
  if (input instanceof KeyObject) return fromKeyObject(input);
  let jwk: Record<string, unknown> | undefined;
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.includes('-----BEGIN')) {
      let key: KeyObject;
      try {
        key = createPrivateKey(text);
      } catch {
        throw new TypeError('the PEM is not a readable private key');
      }
      return fromKeyObject(key);
    }
    const hex = /^(?:0x)?([0-9a-fA-F]{1,64})$/.exec(text);
    if (hex) return fromScalar(Buffer.from(hex[1]!.padStart(64, '0'), 'hex'));
    try {
      jwk = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new TypeError('unrecognised key format (expected JWK, PEM or hex P-256 scalar)');
    }
  } else {
    jwk = input;
  }
  if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new TypeError('the JWK must be a private EC P-256 key');
  }
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return fromScalar(Buffer.from(jwk.d, 'base64url'));
  try {
    return fromKeyObject(createPrivateKey({ key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y, d: jwk.d }, format: 'jwk' }));
  } catch (e) {
    if (e instanceof TypeError && e.message.startsWith('a P-256')) throw e;
    throw new TypeError('the JWK is not a valid P-256 private key');
  }
}

/** Public key of a P-256 did:key holder, as a KeyObject. */
export function publicKeyOf(pair: P256KeyPair): KeyObject {
  return createPublicKey(pair.privateKey);
}
