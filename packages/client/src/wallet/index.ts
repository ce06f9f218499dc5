export { WalletError, type WalletErrorCode } from './wallet-error.ts';
export { parseOpenId4VpUrl, type AuthorizationRequest } from './parse-url.ts';
export {
  fetchRequestObject,
  verifyRequestObject,
  LEAR_EMPLOYEE_SCOPE,
  REQUEST_OBJECT_TYP,
  type FetchRequestObjectOptions,
  type RequestObjectClaims,
  type VerifiedRequestObject,
} from './request-object.ts';
export {
  answerAuthorizationRequest,
  createWalletVpJwt,
  presentationSubmission,
  walletKid,
  SELF_ISSUED_AUDIENCE,
  WALLET_VP_LIFETIME_SECONDS,
  type CreateWalletVpJwtOptions,
  type WalletAnswer,
  type WalletOptions,
  type WalletTamper,
} from './answer.ts';
export { pwaAnswer, pwaFetchTransport, type DcqlQuery, type PwaCredential, type PwaOptions, type PwaResult, type PwaTamper } from './pwa-answer.ts';
