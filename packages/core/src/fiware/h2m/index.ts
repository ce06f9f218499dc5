/** FIWARE browser logins (H2M): docs/fiware.md, "Browser logins (H2M)". */
export type { FiwareLoginDeps, FiwareEntry } from './context.ts';
export { handleFiwareLogin, fiwareStateKey, FIWARE_LOGIN_STEPS, type FiwareLoginOutcome, type FiwareLoginCookie } from './start-login.ts';
export { takeFiwareRequestObject } from './serve-request-object.ts';
export { handleFiwareAuthenticationResponse, type FiwareAnswerOutcome } from './authentication-response.ts';
export type { WalletAnswerDeps } from './verify-wallet-answer.ts';
export { createFiwareRequestObject, fiwareOpenId4VpUrl, FIWARE_REQUEST_OBJECT_LIFETIME_SECONDS } from './request-object.ts';
export { verifyDidClientAssertion, JWT_BEARER } from './client-assertion.ts';
export { fiwareAuthorizationCodeGrant } from './authorization-code-grant.ts';
export { fiwareRefreshTokenGrant } from './refresh-token-grant.ts';
export type { FiwareLoginGrant, FiwareLoginGrantContext, FiwareLoginGrantDeps } from './grant-context.ts';
export type { FiwareUserTokenResponse } from './user-tokens.ts';
