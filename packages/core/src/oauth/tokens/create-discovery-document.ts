/**
 * Authorization-server metadata (RFC 8414 / OpenID Connect Discovery) that states only what
 * this server implements — unlike the IN2 document, which advertises RS256 id tokens, device
 * code, token exchange, mTLS and userinfo that never worked (dome-verifier-wire.md §2.1).
 */
import { ASSERTION_ALGORITHMS } from '../client-auth/check-assertion-header.ts';

export interface DiscoveryFeatures {
  grantTypes: readonly string[];
  /** Present once the authorization endpoint exists (H2M). */
  authorizationEndpoint?: boolean;
}

export function createDiscoveryDocument(issuer: string, features: DiscoveryFeatures): Record<string, unknown> {
  const doc: Record<string, unknown> = {
    issuer,
    token_endpoint: `${issuer}/oidc/token`,
    jwks_uri: `${issuer}/oidc/jwks`,
    grant_types_supported: [...features.grantTypes],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: [...ASSERTION_ALGORITHMS],
    scopes_supported: ['learcredential', 'machine'],
    response_types_supported: features.authorizationEndpoint ? ['code'] : [],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti', 'scope', 'client_id', 'vc'],
  };
  if (features.authorizationEndpoint) doc.authorization_endpoint = `${issuer}/oidc/authorize`;
  return doc;
}
