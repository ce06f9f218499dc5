/** Collect-all inspection of VCs, VPs, client assertions, request objects and access tokens with the server's own steps. */
export { inspectToken } from './inspect-token.ts';
export { detectKind, decodeUnverified, InspectInputError, MAX_INSPECT_LENGTH } from './detect-kind.ts';
export { runChecks, runCheck, notRun, CheckFailure, type Prerequisite, type Prerequisites } from './run-checks.ts';
export { presentationPrerequisites, CLIENT_AUTH_PREREQUISITES, AUTHORIZE_PREREQUISITES } from './prerequisites.ts';
export { ACCESS_TOKEN_CHECKS, type AccessTokenContext } from './access-token-checks.ts';
export {
  INSPECT_KINDS,
  type InspectKind,
  type CheckResult,
  type SkippedCheck,
  type EmbeddedJwt,
  type InspectionReport,
  type InspectDeps,
  type InspectOptions,
} from './types.ts';
