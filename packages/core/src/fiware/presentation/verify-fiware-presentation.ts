/**
 * The FIWARE presentation pipeline as data (docs/fiware.md). Order as the DOME pipeline's: the
 * checks without I/O first (shape, holder signature, binding, times, types), then the issuer
 * signatures, then trust lookups, then status lists — no URL named by a credential is fetched
 * before its signature verified — and the one write (the VP nonce) last, so a rejected
 * presentation stores nothing.
 */
import type { Step, StepFailure } from '../../shared/pipeline.ts';
import { runSteps } from '../../shared/pipeline.ts';
import type { FiwareDeps } from '../token/context.ts';
import type { FiwarePresentationContext, FiwarePresentationInput, VerifiedFiwarePresentation } from './context.ts';
import { parseFiwarePresentations } from './parse-presentations.ts';
import { checkFiwareVpSignature } from './check-vp-signature.ts';
import { checkFiwareSdJwts } from './check-sd-jwt-presentations.ts';
import { checkFiwareVpBinding } from './check-vp-binding.ts';
import { checkFiwareVpTime } from './check-vp-time.ts';
import { checkFiwareRequiredTypes } from './check-required-types.ts';
import { checkFiwareVcSignature } from './check-vc-signature.ts';
import { checkFiwareVcTime } from './check-vc-time.ts';
import { checkFiwareHolder } from './check-holder.ts';
import { checkFiwareTrustedParticipants } from './check-trusted-participants.ts';
import { checkFiwareTrustedIssuers } from './check-trusted-issuers.ts';
import { checkFiwareCredentialStatus } from './check-credential-status.ts';
import { reserveFiwareVpNonce } from './reserve-vp-nonce.ts';

export const FIWARE_PRESENTATION_CHECKS: readonly Step<FiwarePresentationContext>[] = [
  parseFiwarePresentations,
  checkFiwareVpSignature,
  checkFiwareSdJwts,
  checkFiwareVpBinding,
  checkFiwareVpTime,
  checkFiwareRequiredTypes,
  checkFiwareVcSignature,
  checkFiwareVcTime,
  checkFiwareHolder,
  checkFiwareTrustedParticipants,
  checkFiwareTrustedIssuers,
  checkFiwareCredentialStatus,
  reserveFiwareVpNonce,
];

/** Verifies a FIWARE `vp_token` (grant) or wallet answer (wallet); throws the first failure. */
export async function verifyFiwarePresentation(
  input: FiwarePresentationInput,
  deps: FiwareDeps,
  options: { steps?: readonly Step<FiwarePresentationContext>[]; onFailure?: (f: StepFailure) => void } = {},
): Promise<VerifiedFiwarePresentation> {
  const ctx: FiwarePresentationContext = { input, deps, state: {} };
  await runSteps(options.steps ?? FIWARE_PRESENTATION_CHECKS, ctx, options.onFailure ?? deps.onStepFailure);
  const nonce = [...(ctx.state.vps?.map((vp) => vp.payload.nonce) ?? []), ...(ctx.state.sdJwts?.map((p) => p.nonce) ?? [])].find((n): n is string => typeof n === 'string');
  return { holder: ctx.state.holder!, credentials: ctx.state.relevant!, nonce, reserved: ctx.state.replayKeys ?? [] };
}
