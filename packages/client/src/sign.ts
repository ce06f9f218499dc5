/** Shared ES256 signing helpers of the client package (jose-based). */
import { KeyObject, createPublicKey, randomUUID } from 'node:crypto';
import { SignJWT, exportJWK, type JWTPayload } from 'jose';
import { didKeyToJwk, isDidKey, type P256PublicJwk } from '@dome-verifier/did-key';
import type { SigningKey } from './keys.ts';

export type HeaderStyle = 'kid' | 'jwk';

/** Public P-256 JWK of a signing key; falls back to the did:key when a CryptoKey is not extractable. */
export async function publicJwkOf(key: SigningKey, did?: string): Promise<P256PublicJwk> {
  let jwk: Record<string, unknown> | undefined;
  if (key instanceof KeyObject) {
    jwk = createPublicKey(key).export({ format: 'jwk' }) as Record<string, unknown>;
  } else if (key.extractable) {
    jwk = (await exportJWK(key)) as Record<string, unknown>;
  }
  if (jwk && jwk.kty === 'EC' && jwk.crv === 'P-256' && typeof jwk.x === 'string' && typeof jwk.y === 'string') {
    return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  }
  if (did !== undefined && isDidKey(did)) return didKeyToJwk(did);
  throw new TypeError('cannot derive the public JWK of the signing key (P-256 required)');
}

/** Signs `payload` with ES256; header `{alg, typ:'JWT', kid}` or `{alg, typ:'JWT', jwk}`. */
export async function signEs256(
  payload: Record<string, unknown>,
  key: SigningKey,
  style: HeaderStyle,
  kidOrDid: string,
): Promise<string> {
  const header =
    style === 'jwk'
      ? { alg: 'ES256', typ: 'JWT', jwk: { ...(await publicJwkOf(key, kidOrDid)) } }
      : { alg: 'ES256', typ: 'JWT', kid: kidOrDid };
  return new SignJWT(payload as JWTPayload).setProtectedHeader(header).sign(key);
}

export function nowSeconds(now: (() => number) | undefined): number {
  return Math.floor((now ? now() : Date.now()) / 1000);
}

export function uuid(): string {
  return randomUUID();
}
