/**
 * Verifiable Presentation as a JWT (`jwt_vp`), signed ES256 by the holder (the machine), exactly
 * like the IN2 issuer (`createVPTokenJWT`, header `kid` = bare did:key) or the IN2 Java client
 * SDK (`VpJwtBuilder`, header `jwk`, no `kid`) — docs/integration-m2m.md.
 */
import { nowSeconds, signEs256, uuid, type HeaderStyle } from './sign.ts';
import type { MachineKeyInput } from './keys.ts';
import { resolveSigningKeySync } from './signing-key.ts';

export const VP_CONTEXT_V1 = 'https://www.w3.org/2018/credentials/v1';

export interface CreateVpJwtOptions {
  /** Compact VC-JWTs; the verifier reads only the first. */
  credentials: string[];
  /**
   * The holder's private key: a loaded key (`loadP256PrivateKey`), a KeyObject, a CryptoKey, a JWK
   * (object or JSON), a PEM or a hex scalar — whatever the RP helpers take.
   */
  holderKey: MachineKeyInput;
  /**
   * did:key of the holder (iss, sub, vp.holder; header kid in the 'kid' style). Default: the
   * did:key of `holderKey` (required for a CryptoKey, whose did:key is not derived).
   */
  holderDid?: string;
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
  const { signingKey, did } = resolveSigningKeySync(o.holderKey);
  const holderDid = o.holderDid ?? did;
  if (holderDid === undefined) throw new TypeError('createVpJwt: holderDid is required with a CryptoKey holder key');
  const iat = nowSeconds(o.now);
  const payload: Record<string, unknown> = {
    iss: holderDid,
    sub: holderDid,
    nbf: iat,
    iat,
    exp: iat + (o.lifetimeSeconds ?? 120),
    jti: `urn:uuid:${uuid()}`,
  };
  if (o.audience !== undefined) payload.aud = o.audience;
  if (o.nonce !== undefined) payload.nonce = o.nonce;
  payload.vp = {
    '@context': [VP_CONTEXT_V1],
    holder: holderDid,
    id: `urn:uuid:${uuid()}`,
    type: ['VerifiablePresentation'],
    verifiableCredential: [...o.credentials],
  };
  return signEs256(payload, signingKey, o.headerStyle ?? 'kid', holderDid);
}
