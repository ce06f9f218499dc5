/**
 * Test-side holder: the presentation the EUDIStack wallet PWA builds (dome-wallet-pwa.md §4.5),
 * written from that description: the stored compact string as is (issuer JWT, all disclosures,
 * trailing `~`) followed by a KB-JWT with header `{"alg":"ES256","typ":"kb+jwt"}` and payload
 * `{iat, aud: client_id, nonce, sd_hash}`, where sd_hash = base64url(SHA-256(stored string)).
 * Overrides exist only for negative tests.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { signJws } from '@dome-verifier/core/jws';

export interface PresentSdJwtOptions {
  /** `<issuer-jwt>~<d1>~…~<dn>~` exactly as issued. */
  sdJwt: string;
  /** The holder's private key (the cnf.jwk key). */
  holderKey: KeyObject;
  /** The request object's client_id. */
  clientId: string;
  nonce: string;
  /** Seconds; default now. */
  iat?: number;
  /** Negative tests: header typ, sd_hash, or extra/removed claims. */
  typ?: string;
  sdHash?: string;
  payload?: (claims: Record<string, unknown>) => void;
}

export function presentSdJwt(o: PresentSdJwtOptions): string {
  if (!o.sdJwt.endsWith('~')) throw new TypeError('the stored SD-JWT must end with "~"');
  const sdHash = o.sdHash ?? createHash('sha256').update(Buffer.from(o.sdJwt, 'ascii')).digest('base64url');
  const claims: Record<string, unknown> = { iat: o.iat ?? Math.floor(Date.now() / 1000), aud: o.clientId, nonce: o.nonce, sd_hash: sdHash };
  o.payload?.(claims);
  return o.sdJwt + signJws({ alg: 'ES256', typ: o.typ ?? 'kb+jwt' }, claims, o.holderKey);
}
