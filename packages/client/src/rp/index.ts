/** Confidential relying-party helpers: one file per protocol step. */
export { discover, discoveryRequest, discoveryUrl, processDiscoveryResponse, RP_ENDPOINTS, type AuthorizationServerMetadata, type DiscoverOptions, type MetadataEndpoint } from './discover.ts';
export { createPkce, pkceChallenge, randomNonce, randomState, type Pkce } from './pkce.ts';
export { createRequestObject, type CreateRequestObjectOptions } from './request-object.ts';
export { buildAuthorizationUrl, type AuthorizationUrlOptions } from './authorization-url.ts';
export { validateCallback, type ValidateCallbackOptions } from './callback.ts';
export { addClientAuthentication, createPrivateKeyJwt, type ClientAuthOptions, type CreatePrivateKeyJwtOptions } from './client-auth.ts';
export { authorizationCodeGrantRequest, buildAuthorizationCodeBody, exchangeCode, type ExchangeCodeOptions, type TokenEndpointOptions } from './exchange-code.ts';
export { refresh, refreshTokenGrantRequest, type RefreshOptions } from './refresh.ts';
export { fetchJwks, validateIdToken, type FetchJwksOptions, type IdTokenClaims, type ValidateIdTokenOptions } from './id-token.ts';
