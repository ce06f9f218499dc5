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
 *
 * With an identity certificate (keys/identity-certificate.ts, the IN2 V3 shape) the verifier is
 * `x509_hash:…` instead: `iss` = `client_id` = that id, header `kid` = JWK thumbprint plus `x5c`,
 * and `client_id_scheme: "x509_hash"` — OpenID4VP 1.0 carries the scheme as the `client_id` prefix
 * and ignores the claim, but the PWA checks the hash against `x5c[0]` only when it is present. The
 * deployed wallet expects a did:key `kid`, so that mode serves the PWA and OpenID4VP 1.0 wallets.
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

/** How the verifier names itself in the request object. */
export interface RequestObjectIdentity {
  /** `client_id` and `iss`; also the `client_id` of the openid4vp:// URL. */
  clientId: string;
  /** Header `kid`. */
  kid: string;
  /** Header `x5c` (standard base64 DER, leaf first), when the identity has a certificate. */
  x5c?: readonly string[];
  /** The pre-1.0 `client_id_scheme` claim (`did:key`; `x509_hash`, which the PWA needs to check the hash). */
  clientIdScheme?: string;
}

/** The default identity: the verifier did:key, as the deployed DOME wallet requires. */
export function didKeyIdentity(did: string): RequestObjectIdentity {
  return { clientId: did, kid: did, clientIdScheme: 'did:key' };
}

export function createRequestObject(signer: Signer, input: RequestObjectInput, identity: RequestObjectIdentity = didKeyIdentity(signer.kid)): string {
  return signJws(
    { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: identity.kid, ...(identity.x5c ? { x5c: [...identity.x5c] } : {}) },
    {
      iss: identity.clientId,
      aud: SELF_ISSUED_AUDIENCE,
      client_id: identity.clientId,
      ...(identity.clientIdScheme ? { client_id_scheme: identity.clientIdScheme } : {}),
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

/** `openid4vp://?client_id=<verifier client id>&request_uri=<issuer>/oid4vp/auth-request/<id>` (the QR code). */
export function openId4VpUrl(issuer: string, verifierDid: string, requestId: string): string {
  return `openid4vp://?client_id=${encodeURIComponent(verifierDid)}&request_uri=${encodeURIComponent(`${issuer}/oid4vp/auth-request/${requestId}`)}`;
}
