/**
 * ID tokens as DOME issues them (dome-verifier-wire.md §5.2): ES256, `kid` = verifier did:key;
 * `iss`, `sub`, `aud` (= client_id), `iat`, short `exp`, `auth_time`, `acr: "0"`, `nonce` when the
 * RP sent one, `vc_json` (the credential as a JSON *string*, for Keycloak mappers) and the
 * profile claims `name`, `given_name`, `family_name`, `email`, `email_verified`. Refreshed ID
 * tokens keep the profile claims and the nonce (IN2 lost them).
 */
import { signJws } from '../../jose/jws.ts';
import type { Profile } from '../../credentials/token-credential.ts';
import type { Signer } from './create-access-token.ts';

export interface IdTokenInput {
  issuer: string;
  clientId: string;
  subject: string;
  nowSeconds: number;
  expiresInSeconds: number;
  authTime: number;
  nonce?: string;
  vc: Record<string, unknown>;
  profile: Profile;
  /** IN2 V3 additions (`credential_type`). */
  extra?: Record<string, unknown>;
}

export function createIdToken(signer: Signer, i: IdTokenInput): string {
  return signJws(
    { alg: 'ES256', kid: signer.kid, typ: 'JWT' },
    {
      iss: i.issuer,
      sub: i.subject,
      aud: i.clientId,
      iat: i.nowSeconds,
      exp: i.nowSeconds + i.expiresInSeconds,
      auth_time: i.authTime,
      acr: '0',
      ...(i.nonce !== undefined ? { nonce: i.nonce } : {}),
      vc_json: JSON.stringify(i.vc),
      ...i.profile,
      ...i.extra,
    },
    signer.key,
  );
}
