/**
 * The presentation pipeline as data. Order: everything that needs no I/O first (cheap, and
 * it authenticates the holder), then trust lookups; no URL named by a credential is fetched
 * before the credential's signature has been verified. See docs/architecture.md for why this
 * order differs from IN2's (which fetched revocation data before checking signatures).
 */
import type { Step, StepFailure } from '../shared/pipeline.ts';
import { runAllSteps, runSteps } from '../shared/pipeline.ts';
import { tokenCredentialVc } from './token-credential.ts';
import { cachedTokenVc } from './credential-cache.ts';
import type { PresentationContext, PresentationDeps, PresentationInput, VerifiedPresentation } from './context.ts';
import { parsePresentation } from './checks/parse-presentation.ts';
import { checkCredentialType } from './checks/check-credential-type.ts';
import { checkCredentialFormat } from './checks/check-credential-format.ts';
import { checkCredentialTime } from './checks/check-credential-time.ts';
import { checkPresentationTime } from './checks/check-presentation-time.ts';
import { checkPresentationSession } from './checks/check-presentation-session.ts';
import { checkHolderBinding } from './checks/check-holder-binding.ts';
import { checkIssuerTrusted } from './checks/check-issuer-trusted.ts';
import { checkClaimRestrictionsStep } from './checks/check-claim-restrictions.ts';
import { checkVcSignature } from './checks/check-vc-signature.ts';
import { checkRevocation } from './checks/check-revocation.ts';
import { checkMandator } from './checks/check-mandator.ts';
import { checkAnsweredQuery } from './checks/check-answered-query.ts';
import { checkSdJwtHolder, verifySdJwtAnswer } from './checks/check-sd-jwt-presentation.ts';

export const PRESENTATION_CHECKS: readonly Step<PresentationContext>[] = [
  parsePresentation,
  checkPresentationSession,
  checkCredentialType,
  checkCredentialFormat,
  checkCredentialTime,
  checkPresentationTime,
  checkHolderBinding,
  checkIssuerTrusted,
  checkClaimRestrictionsStep,
  checkVcSignature,
  checkRevocation,
  checkMandator,
];

/**
 * A VP JWT answer of the wallet leg: the same pipeline plus `answered-query` after
 * `credential-type` (the credential's types satisfy the DCQL query the vp_token map key names).
 */
export const WALLET_PRESENTATION_CHECKS: readonly Step<PresentationContext>[] = PRESENTATION_CHECKS.flatMap((s) =>
  s === checkCredentialType ? [s, checkAnsweredQuery] : [s],
);

/**
 * An SD-JWT VC answer (wallet leg): the SD-JWT steps (which authenticate issuer and holder), then
 * the very steps of the JWT path on the mapped credential — kind, answered query, format gate,
 * validity, holder, TIL issuer (credentialsType, validFor), its claim restrictions, revocation (incl. the Token Status
 * List), mandator.
 */
export const SD_JWT_PRESENTATION_CHECKS: readonly Step<PresentationContext>[] = [
  verifySdJwtAnswer,
  checkCredentialType,
  checkAnsweredQuery,
  checkCredentialFormat,
  checkCredentialTime,
  checkSdJwtHolder,
  checkIssuerTrusted,
  checkClaimRestrictionsStep,
  checkRevocation,
  checkMandator,
];

/** The pipeline for an input: SD-JWT VC, wallet-leg VP JWT (it answers a query), or VP JWT. */
function stepsFor(input: PresentationInput): readonly Step<PresentationContext>[] {
  return input.sdJwt ? SD_JWT_PRESENTATION_CHECKS : input.query ? WALLET_PRESENTATION_CHECKS : PRESENTATION_CHECKS;
}

/** Runs the pipeline, stopping at the first failure (the server's mode). */
export async function verifyPresentation(
  input: PresentationInput,
  deps: PresentationDeps,
  options: { steps?: readonly Step<PresentationContext>[]; onFailure?: (f: StepFailure) => void } = {},
): Promise<VerifiedPresentation> {
  const ctx: PresentationContext = { input, deps, state: {} };
  await runSteps(options.steps ?? stepsFor(input), ctx, options.onFailure);
  const { credential, vc, holderDid, vcCache } = ctx.state;
  const token = vcCache ? cachedTokenVc(vcCache, () => tokenCredentialVc(credential!)) : { tokenVc: tokenCredentialVc(credential!) };
  return { credential: credential!, ...token, holderDid, vcPayload: vc!.payload };
}

/** Runs every check and lists every failure (for `inspect`). */
export async function inspectPresentation(input: PresentationInput, deps: PresentationDeps): Promise<StepFailure[]> {
  return runAllSteps(stepsFor(input), { input, deps, state: {} });
}
