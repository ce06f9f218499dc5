/**
 * The OpenID4VP request object the DOME wallet fetches (dome-verifier-wire.md §2.4): ES256,
 * header `typ: oauth-authz-req+jwt` and `kid` = the bare verifier did:key (the wallet refuses
 * anything else), `iss` = `client_id` = the verifier did:key, `client_id_scheme: "did:key"`
 * (the value the DOME wallet and IN2 V1/V2 use), `response_type: vp_token`, `response_mode:
 * direct_post`, the fixed DOME `scope`, `nonce`, `state` (the login session id), and a short
 * `exp` — the login lifetime, not IN2's 10 days.
 *
 * For the EUDIStack wallet PWA (dome-wallet-pwa.md §2–§3) and OpenID4VP 1.0 wallets it also
 * carries the `dcql_query` of the login's scope (dcql.ts) and `client_metadata.vp_formats_supported`:
 * the PWA selects by `dcql_query` and ignores `scope`; the deployed wallet's request DTO ignores
 * claims it does not know and selects by `scope`. docs/compatibility.md lists who reads what.
 */
import { randomUUID } from 'node:crypto';
import { signJws } from '../../jose/jws.ts';
import type { Signer } from '../tokens/create-access-token.ts';
import { VP_FORMATS_SUPPORTED, type DcqlQuery } from './dcql.ts';

export const DOME_PRESENTATION_SCOPE = 'dome.credentials.presentation.LEARCredentialEmployee';
export const SELF_ISSUED_AUDIENCE = 'https://self-issued.me/v2';

export interface RequestObjectInput {
  issuer: string;
  sessionId: string;
  nonce: string;
  nowSeconds: number;
  expiresAtSeconds: number;
  /** The query the login's scope selects (`dcqlQueryForScope`). */
  dcqlQuery: DcqlQuery;
}

export function createRequestObject(signer: Signer, input: RequestObjectInput): string {
  return signJws(
    { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: signer.kid },
    {
      iss: signer.kid,
      aud: SELF_ISSUED_AUDIENCE,
      client_id: signer.kid,
      client_id_scheme: 'did:key',
      response_uri: `${input.issuer}/oid4vp/auth-response`,
      response_type: 'vp_token',
      response_mode: 'direct_post',
      scope: DOME_PRESENTATION_SCOPE,
      nonce: input.nonce,
      state: input.sessionId,
      dcql_query: input.dcqlQuery,
      client_metadata: { vp_formats_supported: VP_FORMATS_SUPPORTED },
      iat: input.nowSeconds,
      exp: input.expiresAtSeconds,
      jti: randomUUID(),
    },
    signer.key,
  );
}

/** `openid4vp://?client_id=<verifier did>&request_uri=<issuer>/oid4vp/auth-request/<id>` (the QR code). */
export function openId4VpUrl(issuer: string, verifierDid: string, requestId: string): string {
  return `openid4vp://?client_id=${encodeURIComponent(verifierDid)}&request_uri=${encodeURIComponent(`${issuer}/oid4vp/auth-request/${requestId}`)}`;
}
