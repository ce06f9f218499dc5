/** The FIWARE VCVerifier-compatible surface: service model and registry (docs/fiware.md). */
export {
  parseFiwareService,
  parseFiwareServices,
  requestedFiwareScopes,
  plainFromYaml,
  fiwareServiceSchema,
  FIWARE_LIMITS,
  AUTHORIZATION_TYPES,
  TRUSTED_PARTICIPANT_LIST_TYPES,
  type FiwareService,
  type FiwareScope,
  type FiwareCredentialRequirement,
  type TrustedParticipantsList,
  type ClaimInclusion,
  type AuthorizationType,
  type TrustedParticipantListType,
  type ServiceProblem,
  type JsonObject,
} from './service-config.ts';
export { staticServiceRegistry, type FiwareServiceRegistry } from './service-registry.ts';
export {
  createStoredServiceRegistry,
  STORED_SERVICE_TTL_MS,
  type StoredServiceRegistry,
  type StoredServiceRegistryOptions,
  type ServiceChange,
  type MutationResult,
} from './ccs/stored-service-registry.ts';
export { createServiceApi, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type ServiceApi, type ApiResult } from './ccs/service-api.ts';
export { PROBLEM_TYPES, PROBLEM_CONTENT_TYPE, problem, type ProblemDetails } from './ccs/problem-details.ts';
export { createRemoteServiceRegistry, CCS_PAGE_SIZE, CCS_PAGE_MAX_BYTES, type RemoteServiceRegistry, type RemoteServiceRegistryOptions } from './ccs/remote-service-registry.ts';
export type { FiwareDeps, FiwareTokenRequest, FiwareTokenResponse, FiwareGrant, FiwareGrantContext, DidKeyResolver } from './token/context.ts';
export { handleFiwareTokenRequest, asGrantError, fiwareErrorSummary } from './token/fiware-token-endpoint.ts';
export { FIWARE_GRANTS, FIWARE_GRANT_LIST } from './token/grants/index.ts';
export { VP_TOKEN_GRANT } from './token/grants/vp-token.ts';
export { TOKEN_EXCHANGE_GRANT, VP_TOKEN_SUBJECT_TYPE } from './token/grants/token-exchange.ts';
export { resolveService, resolveScopes, serviceTokenEndpoint, type ResolvedService } from './token/resolve-service.ts';
export { issueFiwareAccessToken, fiwareTokenResponse, ACCESS_TOKEN_TYPE_URI, type FiwareAccessTokenInput, type IssuedFiwareAccessToken } from './token/issue-fiware-access-token.ts';
export { includedObject, inclusionRequirement } from './token/jwt-inclusion.ts';
export { createFiwareDeps, didKeyOnlyResolver, type FiwareDepsOptions } from './token/create-fiware-deps.ts';
export { decodeFiwareVpToken, FIWARE_VP_TOKEN_LIMITS, type FiwarePresentationValue } from './vp-token/decode-fiware-vp-token.ts';
export { verifyFiwarePresentation, FIWARE_PRESENTATION_CHECKS } from './presentation/verify-fiware-presentation.ts';
export type { FiwarePresentationInput, FiwarePresentationMode, FiwareCredential, VerifiedFiwarePresentation } from './presentation/context.ts';
export { createServiceDiscoveryDocument, FIWARE_AUTHORIZATION_PATH, FIWARE_JWKS_PATH } from './discovery.ts';
export * from './h2m/index.ts';
