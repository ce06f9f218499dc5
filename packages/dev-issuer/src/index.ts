export {
  issueLearCredential,
  LEAR_CONTEXTS,
  W3C_V2_TYPES,
  type CredentialFormat,
  type IssueOptions,
  type IssuedCredential,
  type PowerInput,
  type CredentialKind,
  type CredentialShape,
  type CredentialAlg,
} from './issue-credential.ts';
export {
  createDemoTrustFramework,
  trustedServiceEntry,
  tirIssuerDocument,
  DEMO_ORGANIZATION_IDENTIFIER,
  DEMO_ORGANIZATION,
  DEMO_COUNTRY,
  DEMO_MACHINE_URL,
  DEMO_RP_URL,
  type DemoSummary,
  type DemoTrustFramework,
  type CreateDemoTrustFrameworkOptions,
} from './demo-trust-framework.ts';
export { generateP256, loadP256PrivateKey, publicKeyOf, type P256KeyPair } from './keys.ts';
export {
  createRootCa,
  createIntermediateCa,
  createSealCertificate,
  createDevChain,
  x5cOf,
  certificateToPem,
  serialiseDevCertificate,
  deserialiseDevCertificate,
  type DevCertificate,
  type DevKeyAlg,
  type DevChain,
  type CreateCaOptions,
  type CreateIntermediateOptions,
  type CreateSealOptions,
} from './ca.ts';
export { issueSdJwtVc, encodeDisclosure, digestOfDisclosure, type IssueSdJwtOptions, type IssuedSdJwt } from './issue-sd-jwt.ts';
export { presentSdJwt, type PresentSdJwtOptions } from './present-sd-jwt.ts';
export {
  issueTokenStatusList, encodeStatusList, packStatuses,
  type IssueTokenStatusListOptions, type TokenStatusListEncoding, type StatusBits,
} from './issue-token-status-list.ts';
