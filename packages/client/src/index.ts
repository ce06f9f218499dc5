export { createVpJwt, VP_CONTEXT_V1, type CreateVpJwtOptions } from './create-vp-jwt.ts';
export { createClientAssertion, encodeVpToken, type CreateClientAssertionOptions, type VpTokenEncoding } from './create-client-assertion.ts';
export {
  buildTokenRequestBody,
  requestToken,
  TokenRequestError,
  CLIENT_ASSERTION_TYPE,
  type BuildTokenRequestBodyOptions,
  type RequestTokenOptions,
  type TokenResponse,
} from './request-token.ts';
export {
  loadP256PrivateKey,
  generateP256Key,
  privateKeyToHex,
  isLoadedKey,
  KeyLoadError,
  type LoadedP256Key,
  type SigningKey,
  type MachineKeyInput,
} from './keys.ts';
export {
  createMachineTokenRequest,
  normaliseCredential,
  type CreateMachineTokenRequestOptions,
  type MachineTokenRequest,
  type MachineDialect,
} from './machine-token-request.ts';
export type { HeaderStyle } from './sign.ts';
export {
  answerAuthorizationRequest,
  createWalletVpJwt,
  fetchRequestObject,
  verifyRequestObject,
  parseOpenId4VpUrl,
  presentationSubmission,
  walletKid,
  WalletError,
  LEAR_EMPLOYEE_SCOPE,
  REQUEST_OBJECT_TYP,
  SELF_ISSUED_AUDIENCE,
  WALLET_VP_LIFETIME_SECONDS,
  type AuthorizationRequest,
  type CreateWalletVpJwtOptions,
  type FetchRequestObjectOptions,
  type RequestObjectClaims,
  type VerifiedRequestObject,
  type WalletAnswer,
  type WalletErrorCode,
  type WalletOptions,
  type WalletTamper,
} from './wallet/index.ts';
