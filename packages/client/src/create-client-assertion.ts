/**
 * RFC 7523 client assertion carrying the VP in the `vp_token` claim (docs/integration-m2m.md).
 * The IN2 issuer sends `vp_token` as STANDARD base64 with padding; wallets/POR use base64url
 * without padding; some clients put the raw JWT. All three can be produced.
 */
import { nowSeconds, signEs256, uuid, type HeaderStyle } from './sign.ts';
import type { MachineKeyInput } from './keys.ts';
import { resolveSigningKeySync } from './signing-key.ts';

export type VpTokenEncoding = 'base64' | 'base64url' | 'raw';

export interface CreateClientAssertionOptions {
  /**
   * client_id = machine did:key (iss, sub; header kid in the 'kid' style). Default: the did:key of
   * `key` (required for a CryptoKey, whose did:key is not derived).
   */
  clientId?: string;
  /**
   * The machine's private key: a loaded key (`loadP256PrivateKey`), a KeyObject, a CryptoKey, a JWK
   * (object or JSON), a PEM or a hex scalar — whatever the RP helpers take.
   */
  key: MachineKeyInput;
  /** Verifier URL (`verifier.backend.url`), sent as a single JSON string. */
  audience: string;
  vpJwt: string;
  /** Default 'base64' (standard alphabet, padded — what the IN2 issuer sends). */
  vpTokenEncoding?: VpTokenEncoding;
  /** Default 60. */
  lifetimeSeconds?: number;
  headerStyle?: HeaderStyle;
  /** Default: a random UUID. */
  jti?: string;
  /** Merged last: may override the standard claims (tests of odd clients). */
  extraClaims?: Record<string, unknown>;
  /** Send iat/exp in milliseconds, as the IN2 issuer's M2M client does. */
  msTimestamps?: boolean;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
}

export function encodeVpToken(vpJwt: string, encoding: VpTokenEncoding = 'base64'): string {
  switch (encoding) {
    case 'base64':
      return Buffer.from(vpJwt, 'utf8').toString('base64');
    case 'base64url':
      return Buffer.from(vpJwt, 'utf8').toString('base64url');
    case 'raw':
      return vpJwt;
    default:
      throw new TypeError(`unknown vp_token encoding "${String(encoding)}"`);
  }
}

export async function createClientAssertion(o: CreateClientAssertionOptions): Promise<string> {
  const { signingKey, did } = resolveSigningKeySync(o.key);
  const clientId = o.clientId ?? did;
  if (clientId === undefined) throw new TypeError('createClientAssertion: clientId is required with a CryptoKey');
  const iat = nowSeconds(o.now);
  const exp = iat + (o.lifetimeSeconds ?? 60);
  const scale = o.msTimestamps ? 1000 : 1;
  const payload: Record<string, unknown> = {
    iss: clientId,
    sub: clientId,
    aud: o.audience,
    iat: iat * scale,
    exp: exp * scale,
    jti: o.jti ?? uuid(),
    vp_token: encodeVpToken(o.vpJwt, o.vpTokenEncoding ?? 'base64'),
    ...o.extraClaims,
  };
  return signEs256(payload, signingKey, o.headerStyle ?? 'kid', clientId);
}
