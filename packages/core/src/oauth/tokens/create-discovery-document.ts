/**
 * Authorization-server metadata (RFC 8414 / OpenID Connect Discovery) that states only what
 * this server implements — unlike the IN2 document, which advertises RS256 id tokens, device
 * code, token exchange, mTLS and userinfo that never worked (dome-verifier-wire.md §2.1).
 */
import { ASSERTION_ALGORITHMS } from '../client-auth/check-assertion-header.ts';
import { REQUEST_OBJECT_ALGORITHMS } from '../authorize/process-request-object.ts';

export interface DiscoveryFeatures {
  grantTypes: readonly string[];
  /** Present once the authorization endpoint exists (H2M). */
  authorizationEndpoint?: boolean;
  /** RFC 7009 revocation and RFC 7662 introspection endpoints are served. */
  revocationAndIntrospection?: boolean;
  /** Scopes of the trust framework's DCQL profiles (`learcredential.employee`, …), advertised too. */
  profileScopes?: readonly string[];
}

export function createDiscoveryDocument(issuer: string, features: DiscoveryFeatures): Record<string, unknown> {
  const h2m = features.authorizationEndpoint === true;
  return {
    issuer,
    ...(h2m ? { authorization_endpoint: `${issuer}/oidc/authorize` } : {}),
    token_endpoint: `${issuer}/oidc/token`,
    jwks_uri: `${issuer}/oidc/jwks`,
    grant_types_supported: [...features.grantTypes],
    response_types_supported: h2m ? ['code'] : [],
    ...(h2m ? { response_modes_supported: ['query'] } : {}),
    token_endpoint_auth_methods_supported: h2m ? ['private_key_jwt', 'none'] : ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    ...(features.revocationAndIntrospection
      ? {
          // Client authentication as at the token endpoint; introspection needs a JWT assertion.
          revocation_endpoint: `${issuer}/oidc/revoke`,
          revocation_endpoint_auth_methods_supported: h2m ? ['private_key_jwt', 'none'] : ['private_key_jwt'],
          revocation_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
          introspection_endpoint: `${issuer}/oidc/introspect`,
          introspection_endpoint_auth_methods_supported: ['private_key_jwt'],
          introspection_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
        }
      : {}),
    ...(h2m
      ? {
          code_challenge_methods_supported: ['S256'],
          request_parameter_supported: true,
          request_uri_parameter_supported: true,
          require_request_uri_registration: false,
          request_object_signing_alg_values_supported: [...REQUEST_OBJECT_ALGORITHMS],
          authorization_response_iss_parameter_supported: true,
        }
      : {}),
    scopes_supported: [...new Set([...(h2m ? ['openid', 'learcredential', 'profile', 'email', 'machine'] : ['learcredential', 'machine']), ...(features.profileScopes ?? [])])],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'vc', ...(h2m ? ['auth_time', 'acr', 'nonce', 'vc_json', 'name', 'given_name', 'family_name', 'email', 'email_verified'] : [])],
  };
}
