/**
 * The per-service metadata document FIWARE clients discover the token endpoint from
 * (`GET /services/{id}/.well-known/openid-configuration`, spec §2.2): VCVerifier's fields,
 * including its singular `response_mode_supported`. `grant_types_supported` lists the grants the
 * FIWARE token endpoint serves (its grant list), `scopes_supported` the service's scope names in
 * configuration order. The caller answers 404 for an unknown service (VCVerifier answers 200
 * with `scopes_supported: []`).
 */
import type { FiwareService } from './service-config.ts';
import { FIWARE_GRANTS } from './token/grants/index.ts';
import { serviceTokenEndpoint } from './token/resolve-service.ts';

/** VCVerifier's default authorization path (the H2M entry). */
export const FIWARE_AUTHORIZATION_PATH = '/api/v1/authorization';
/** Where FIWARE clients read the token-signing keys (the same key set as `/oidc/jwks`). */
export const FIWARE_JWKS_PATH = '/.well-known/jwks';

export function createServiceDiscoveryDocument(issuer: string, service: FiwareService): Record<string, unknown> {
  return {
    issuer,
    authorization_endpoint: `${issuer}${service.authorizationPath ?? FIWARE_AUTHORIZATION_PATH}`,
    token_endpoint: serviceTokenEndpoint(issuer, service.id),
    jwks_uri: `${issuer}${FIWARE_JWKS_PATH}`,
    scopes_supported: Object.keys(service.oidcScopes),
    response_types_supported: ['code'],
    response_mode_supported: ['direct_post'],
    grant_types_supported: [...FIWARE_GRANTS.keys()],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
  };
}
