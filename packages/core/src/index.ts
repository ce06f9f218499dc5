/** Public surface of @dome-verifier/core: named re-exports only. */
export { ERROR_CODES, PROBLEM_JSON_CODES, type ErrorCode, type OAuthErrorName } from './errors/codes.ts';
export { VerifierError } from './errors/verifier-error.ts';

export { decodeJws, verifyJws, signJws, checkJwsHeader, ALL_ALGS, type JwsAlg, type JwsHeader, type DecodedJws } from './jose/jws.ts';
export { JoseError, type JoseErrorCode } from './jose/errors.ts';
export { importPublicJwk, jwkThumbprint, exportPublicJwk } from './jose/keys.ts';

export { systemClock, fixedClock, nowSeconds, type Clock } from './ports/clock.ts';
export type { Store } from './ports/store.ts';
export { FetchError, type Fetcher, type FetchRequest, type FetchResponse, type FetchPurpose } from './ports/fetcher.ts';
export { createMemoryStore, STORE_FULL_MESSAGE } from './stores/memory-store.ts';
export { createFetcher, isPublicAddress, type FetcherOptions, type FetchTarget } from './http/create-fetcher.ts';

export { identityFromHex, loadOrCreateDevIdentity, type Identity } from './keys/identity.ts';
export { loadTrustAnchors, verifyX5cChain, createX5cVerifier, X509ChainError, type TrustAnchors, type VerifiedChain } from './keys/x509.ts';
export { publicKeyOfDidKey } from './keys/did-key-cache.ts';
export { createDidResolver, DID_ERROR_CODES, type DidResolver, type DidResolverOptions } from './did/resolver.ts';
export { parseDid } from './did/parse-did.ts';
export { didWebUrl, type DidWebOptions } from './did/did-web-driver.ts';
export {
  DidResolutionError,
  type DidDocument,
  type DidErrorCode,
  type DidMethodDriver,
  type DidMethodRegistry,
  type DidResolutionResult,
  type ParsedDid,
  type ResolvedKey,
  type VerificationMethod,
} from './did/types.ts';

export { createClientRegistry, parseTrustedServicesList, type ClientRegistry, type RegisteredClient } from './trust/trusted-services.ts';
export { createTrustedIssuersRegistry, parseTrustedIssuer, type TrustedIssuersRegistry, type TrustedIssuerRecord, type IssuerAttribute, type TrustedIssuersOptions } from './trust/trusted-issuers.ts';
export {
  createTrustRegistries,
  ebsiIssuersUrl,
  lookupTrustedIssuer,
  trustedIssuersListsProblem,
  type TrustRegistries,
  type TrustRegistriesOptions,
  type TrustedIssuerLookup,
} from './trust/ebsi-registry.ts';
export {
  checkClaimRestrictions,
  evaluateClaimPath,
  type ClaimRestrictionError,
  type ClaimRestrictionErrorCode,
  type ClaimRestrictionResult,
} from './trust/claim-restrictions.ts';
export { createGaiaXRegistry, type GaiaXRegistry, type GaiaXRegistryOptions } from './trust/gaia-x-registry.ts';
export {
  checkTrustedParticipant,
  normalizeParticipantsList,
  type TrustedParticipantsList,
  type TrustedParticipantsListEntry,
  type TrustedParticipantsListType,
} from './trust/trusted-participants.ts';
export { createRevocationList, parseRevocationList, type RevocationList } from './trust/revocation-list.ts';
export { createStatusListChecker, decodeEncodedList, bitAt, type StatusListChecker } from './trust/status-list.ts';

export { mapLearCredential, classify, LEGACY_TYPES, BUMPED_TYPES, type LearCredential, type Power, type CredentialKind, type CredentialFamily } from './credentials/lear-credential.ts';
export { createCredentialCache, type CredentialCache } from './credentials/credential-cache.ts';
export { verifyPresentation, inspectPresentation, PRESENTATION_CHECKS, WALLET_PRESENTATION_CHECKS, SD_JWT_PRESENTATION_CHECKS } from './credentials/verify-presentation.ts';
export type { PresentationDeps, PresentationInput, JwtPresentationInput, SdJwtPresentationInput, PresentationPolicy, VerifiedPresentation, X5cVerifier } from './credentials/context.ts';

export { createClientKeyResolver, type ClientKeyResolver } from './oauth/client-auth/client-keys.ts';
export { authenticateClient, CLIENT_AUTH_STEPS } from './oauth/client-auth/authenticate-client.ts';
export { JWT_BEARER } from './oauth/client-auth/parse-client-assertion.ts';
export { handleTokenRequest } from './oauth/token/token-endpoint.ts';
export { parseFormBody } from './oauth/token/parse-form-body.ts';
export { GRANTS } from './oauth/token/grants/index.ts';
export { MACHINE_SCOPE, decodeVpTokenClaim } from './oauth/token/grants/client-credentials.ts';
export type { TokenEndpointDeps, TokenResponse, TokenPolicy } from './oauth/token/context.ts';
export { createAccessToken, type Signer, type AccessTokenTyp } from './oauth/tokens/create-access-token.ts';
export { createDiscoveryDocument } from './oauth/tokens/create-discovery-document.ts';
export { handleRevocationRequest, handleIntrospectionRequest, REVOCATION_STEPS, INTROSPECTION_STEPS } from './oauth/token-state/handle-token-state.ts';
export type { TokenStateDeps } from './oauth/token-state/context.ts';

export { observeSteps, runSteps, runAllSteps, type Step, type StepFailure, type StepObserver } from './shared/pipeline.ts';

export { createLoginSessions, loginCookieName, type LoginSessions, type LoginSession, type LoginView } from './oauth/login/login-sessions.ts';
export { createLoginAdmission, type LoginAdmission, type LoginAdmissionLimits, type LoginRefusal, type LoginSlot } from './oauth/login/login-admission.ts';
export { handleAuthorizeRequest, withQuery, AUTHORIZE_STEPS, type AuthorizeOutcome } from './oauth/authorize/authorize.ts';
export type { AuthorizeDeps, AuthorizePolicy, AuthorizeResult } from './oauth/authorize/context.ts';
export { requestObjectKey } from './oauth/authorize/create-login.ts';
export { createRequestObject, didKeyIdentity, openId4VpUrl, DOME_PRESENTATION_SCOPE, SELF_ISSUED_AUDIENCE, type RequestObjectIdentity } from './oauth/oid4vp/create-request-object.ts';
export { identityFromCertificate, x509HashClientId } from './keys/identity-certificate.ts';
export {
  DEFAULT_DCQL_PROFILES,
  DCQL_QUERY_IDS,
  VP_FORMATS_SUPPORTED,
  dcqlQueryForScope,
  dcqlQueryIds,
  parseDcqlProfiles,
  selectDcqlProfiles,
  type DcqlCredentialQuery,
  type DcqlFormat,
  type DcqlProfiles,
  type DcqlQuery,
} from './oauth/oid4vp/dcql.ts';
export { handleAuthorizationResponse, type WalletResponseDeps } from './oauth/oid4vp/handle-authorization-response.ts';
export { decodeVpToken, VP_TOKEN_LIMITS, type DecodedVpToken, type VpTokenEncoding } from './oauth/oid4vp/decode-vp-token.ts';
export { DEFAULT_SENT_QUERIES, typesSatisfy, vctSatisfies, type SentCredentialQuery, type SentQueryFormat } from './oauth/oid4vp/sent-queries.ts';
export { employeeTokenVc, employeeProfile, subjectOf, tokenCredentialVc, credentialTokenClaims } from './credentials/token-credential.ts';
export { USER_SCOPE } from './oauth/token/issue-user-tokens.ts';

export {
  inspectToken,
  detectKind,
  decodeUnverified,
  InspectInputError,
  INSPECT_KINDS,
  type InspectKind,
  type CheckResult,
  type SkippedCheck,
  type EmbeddedJwt,
  type InspectionReport,
  type InspectDeps,
  type InspectOptions,
} from './inspect/index.ts';

// SD-JWT VC verification (the wallet leg runs it: SD_JWT_PRESENTATION_CHECKS) and IETF Token Status Lists.
export {
  verifySdJwtPresentation, inspectSdJwt, SD_JWT_STEPS, type VerifiedSdJwt, type StatusListReference,
} from './credentials/sd-jwt/verify-sd-jwt.ts';
export {
  DEFAULT_SD_JWT_LIMITS, DEFAULT_SD_JWT_POLICY, type SdJwtDeps, type SdJwtInput, type SdJwtLimits, type SdJwtPolicy,
} from './credentials/sd-jwt/context.ts';
export { SdJwtError, SD_JWT_FAILURES, type SdJwtFailure } from './credentials/sd-jwt/errors.ts';
export { applyDisclosures } from './credentials/sd-jwt/apply-disclosures.ts';
export { decodeDisclosure, disclosureDigest } from './credentials/sd-jwt/decode-disclosure.ts';
export { sdHashOf } from './credentials/sd-jwt/check-kb-sd-hash.ts';
export { mapSdJwtLearCredential, sdJwtLearVc, sdJwtTokenVc, LEAR_SD_JWT_VCTS } from './credentials/sd-jwt/map-lear-sd-jwt.ts';
export {
  createTokenStatusListChecker, assertTokenStatusValid, decodeStatusListBytes, statusAt,
  type TokenStatusListChecker, type TokenStatusListOptions, type TokenStatus, type TokenStatusResult, type BitOrder,
} from './trust/token-status-list.ts';
