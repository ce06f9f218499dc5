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
export * from './h2m/index.ts';
