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
