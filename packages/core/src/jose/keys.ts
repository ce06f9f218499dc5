/** JWK import with a bounded cache, RFC 7638 thumbprints, and public-JWK export. */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { isRecord } from '../shared/json.ts';
import { JoseError } from './errors.ts';
import { BoundedCache } from '../shared/bounded-cache.ts';

const REQUIRED: Record<string, readonly string[]> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
};

/** RFC 7638 JWK thumbprint (SHA-256, base64url). */
export function jwkThumbprint(jwk: Record<string, unknown>): string {
  const kty = jwk.kty;
  const members = typeof kty === 'string' ? REQUIRED[kty] : undefined;
  if (!members) throw new JoseError('ERR_JWS_KEY_MISMATCH', 'unsupported JWK key type');
  const canonical: Record<string, unknown> = {};
  for (const m of members) {
    if (typeof jwk[m] !== 'string') throw new JoseError('ERR_JWS_MALFORMED', `JWK member "${m}" is missing`);
    canonical[m] = jwk[m];
  }
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url');
}

const cache = new BoundedCache<string, KeyObject>(10_000);

/**
 * Imports a public JWK. Private members are refused (a JWK carrying `d` in a header or JWKS is a
 * leak or an attack). Imported keys are cached by thumbprint: importing costs more than an
 * ES256 verify (performance-anchors.md §10).
 */
export function importPublicJwk(jwk: unknown): KeyObject {
  if (!isRecord(jwk)) throw new JoseError('ERR_JWS_MALFORMED', 'JWK must be an object');
  if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw new JoseError('ERR_JWS_KEY_MISMATCH', 'JWK must be a public key');
  const tp = jwkThumbprint(jwk);
  const hit = cache.get(tp);
  if (hit) return hit;
  let key: KeyObject;
  try {
    const { kty, crv, x, y, n, e } = jwk as Record<string, string>;
    key = createPublicKey({ key: { kty, crv, x, y, n, e } as import('node:crypto').JsonWebKey, format: 'jwk' });
  } catch {
    throw new JoseError('ERR_JWS_KEY_MISMATCH', 'JWK is not a valid public key');
  }
  cache.set(tp, key);
  return key;
}

/** Public JWK of a key object (for JWKS documents). */
export function exportPublicJwk(key: KeyObject): Record<string, string> {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return pub.export({ format: 'jwk' }) as Record<string, string>;
}
