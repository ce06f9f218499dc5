/**
 * The request object of a FIWARE login (spec §5.3), served once at `GET /api/v1/request/{id}`:
 * header `alg` ES256, `typ` `oauth-authz-req+jwt`, `kid` (and `x5c`) of the verifier identity;
 * claims `iss` = `client_id` = the verifier's client id (its did:key, or `x509_hash:…`),
 * `response_type` `vp_token`, `response_mode` `direct_post`, `response_uri`
 * `<verifier>/api/v1/authentication_response`, the client's `state` and the login's `nonce` (the
 * OID4VP client library requires both to echo its own), the scope's `dcql_query` and/or
 * `presentation_definition` as configured, `client_metadata.vp_formats_supported`, `iat`, `jti`
 * and `exp` = 30 s after it was fetched (VCVerifier's fixed lifetime), never past the login's expiry.
 * Like VCVerifier's there is no `scope` claim.
 */
import { randomUUID } from 'node:crypto';
import { signJws } from '../../jose/jws.ts';
import type { Signer } from '../../oauth/tokens/create-access-token.ts';
import type { RequestObjectIdentity } from '../../oauth/oid4vp/create-request-object.ts';
import { VP_FORMATS_SUPPORTED } from '../../oauth/oid4vp/dcql.ts';
import type { SentCredentialQuery } from '../../oauth/oid4vp/sent-queries.ts';
import type { FiwareScope } from '../service-config.ts';

export const FIWARE_REQUEST_OBJECT_LIFETIME_SECONDS = 30;

export interface FiwareRequestObjectInput {
  issuer: string;
  state: string;
  nonce: string;
  scope: FiwareScope;
  nowSeconds: number;
  loginExpiresAtSeconds: number;
}

export function createFiwareRequestObject(signer: Signer, identity: RequestObjectIdentity, input: FiwareRequestObjectInput): string {
  const { scope } = input;
  return signJws(
    { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: identity.kid, ...(identity.x5c ? { x5c: [...identity.x5c] } : {}) },
    {
      iss: identity.clientId,
      client_id: identity.clientId,
      ...(identity.clientIdScheme ? { client_id_scheme: identity.clientIdScheme } : {}),
      response_type: 'vp_token',
      response_mode: 'direct_post',
      response_uri: `${input.issuer}/api/v1/authentication_response`,
      state: input.state,
      nonce: input.nonce,
      ...(scope.dcql ? { dcql_query: scope.dcql } : {}),
      ...(scope.presentationDefinition ? { presentation_definition: scope.presentationDefinition } : {}),
      client_metadata: { vp_formats_supported: VP_FORMATS_SUPPORTED },
      iat: input.nowSeconds,
      exp: Math.min(input.nowSeconds + FIWARE_REQUEST_OBJECT_LIFETIME_SECONDS, input.loginExpiresAtSeconds),
      jti: randomUUID(),
    },
    signer.key,
  );
}

/** The credential queries the scope's `dcql_query` sends: the keys a `vp_token` map may use. */
export function sentQueriesOfScope(scope: FiwareScope): SentCredentialQuery[] {
  const credentials = scope.dcql?.['credentials'];
  if (!Array.isArray(credentials)) return [];
  return credentials.filter(
    (q): q is SentCredentialQuery =>
      typeof q === 'object' && q !== null && typeof (q as { id?: unknown }).id === 'string' && ((q as { format?: unknown }).format === 'jwt_vc_json' || (q as { format?: unknown }).format === 'dc+sd-jwt'),
  );
}

/** `openid4vp://?client_id=…&request_uri=<verifier>/api/v1/request/<id>&request_uri_method=get` (spec §5.4, byReference). */
export function fiwareOpenId4VpUrl(issuer: string, clientId: string, requestId: string): string {
  return `openid4vp://?client_id=${encodeURIComponent(clientId)}&request_uri=${encodeURIComponent(`${issuer}/api/v1/request/${requestId}`)}&request_uri_method=get`;
}
