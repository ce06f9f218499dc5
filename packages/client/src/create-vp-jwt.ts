/**
 * Verifiable Presentation as a JWT (`jwt_vp`), signed ES256 by the holder (the machine), exactly
 * like the IN2 issuer (`createVPTokenJWT`, header `kid` = bare did:key) or the IN2 Java client
 * SDK (`VpJwtBuilder`, header `jwk`, no `kid`) — dome-verifier-wire.md §3.3.
 */
import { nowSeconds, signEs256, uuid, type HeaderStyle } from './sign.ts';
import type { SigningKey } from './keys.ts';

export const VP_CONTEXT_V1 = 'https://www.w3.org/2018/credentials/v1';

export interface CreateVpJwtOptions {
  /** Compact VC-JWTs; the verifier reads only the first. */
  credentials: string[];
  holderKey: SigningKey;
  /** did:key of the holder (iss, sub, vp.holder; header kid in the 'kid' style). */
  holderDid: string;
  audience?: string;
  nonce?: string;
  /** Default 120. */
  lifetimeSeconds?: number;
  /** 'kid' (default): header kid = bare did:key; 'jwk': embedded public JWK, no kid. */
  headerStyle?: HeaderStyle;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

export async function createVpJwt(o: CreateVpJwtOptions): Promise<string> {
  if (!Array.isArray(o.credentials) || o.credentials.length === 0) throw new TypeError('createVpJwt: at least one credential is required');
  for (const c of o.credentials) {
    if (typeof c !== 'string' || c.split('.').length !== 3) throw new TypeError('createVpJwt: credentials must be compact VC-JWTs');
  }
  const iat = nowSeconds(o.now);
  const payload: Record<string, unknown> = {
    iss: o.holderDid,
    sub: o.holderDid,
    nbf: iat,
    iat,
    exp: iat + (o.lifetimeSeconds ?? 120),
    jti: `urn:uuid:${uuid()}`,
  };
  if (o.audience !== undefined) payload.aud = o.audience;
  if (o.nonce !== undefined) payload.nonce = o.nonce;
  payload.vp = {
    '@context': [VP_CONTEXT_V1],
    holder: o.holderDid,
    id: `urn:uuid:${uuid()}`,
    type: ['VerifiablePresentation'],
    verifiableCredential: [...o.credentials],
  };
  return signEs256(payload, o.holderKey, o.headerStyle ?? 'kid', o.holderDid);
}
