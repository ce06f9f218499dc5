/**
 * SD-JWT VC presentation verification (RFC 9901 §7, SD-JWT VC draft, dome-wallet-pwa.md §4.5,
 * §7 items 12 and 14) as an ordered list of named steps. The server stops at the first failure;
 * `inspectSdJwt` runs the same list and reports every failure (a step whose input an earlier
 * step could not produce is skipped). The wallet leg runs it as the first step of
 * SD_JWT_PRESENTATION_CHECKS (verify-presentation.ts).
 */
import type { KeyObject } from 'node:crypto';
import type { DecodedJws } from '../../jose/jws.ts';
import { runAllSteps, runSteps, type Step, type StepFailure } from '../../shared/pipeline.ts';
import { isRecord } from '../../shared/json.ts';
import {
  DEFAULT_SD_JWT_LIMITS, DEFAULT_SD_JWT_POLICY, type SdJwtContext, type SdJwtDeps, type SdJwtInput,
} from './context.ts';
import { splitPresentation } from './split-presentation.ts';
import { checkIssuerHeader } from './check-issuer-header.ts';
import { verifyIssuerSignature } from './verify-issuer-signature.ts';
import { checkIssuerTime } from './check-issuer-time.ts';
import { checkSdAlg } from './check-sd-alg.ts';
import { applyDisclosuresStep } from './apply-disclosures.ts';
import { checkHolderKey } from './check-holder-key.ts';
import { verifyKbJwt } from './verify-kb-jwt.ts';
import { checkKbAudience } from './check-kb-audience.ts';
import { checkKbNonce } from './check-kb-nonce.ts';
import { checkKbSdHash } from './check-kb-sd-hash.ts';
import { checkKbIat } from './check-kb-iat.ts';

export const SD_JWT_STEPS: readonly Step<SdJwtContext>[] = Object.freeze([
  splitPresentation,
  checkIssuerHeader,
  verifyIssuerSignature,
  checkIssuerTime,
  checkSdAlg,
  applyDisclosuresStep,
  checkHolderKey,
  verifyKbJwt,
  checkKbAudience,
  checkKbNonce,
  checkKbSdHash,
  checkKbIat,
]);

/** `status.status_list` of the credential (IETF Token Status List §6.1), when present. */
export interface StatusListReference {
  uri: string;
  idx: number;
}

export interface VerifiedSdJwt {
  /** The issuer payload with every disclosure applied (`_sd`, `_sd_alg`, digests removed). */
  claims: Record<string, unknown>;
  /** The issuer-signed JWT as decoded (header and payload before disclosures were applied). */
  issuerJwt: DecodedJws;
  /** `iss` of the issuer JWT (did:elsi:… with x5c, or did:key:…). */
  issuer: string;
  issuerKeySource: 'x5c' | 'did:key';
  vct: string | undefined;
  holderJwk: Record<string, unknown>;
  holderKey: KeyObject;
  /** Raw `status` claim (undefined when the credential has none). */
  status: Record<string, unknown> | undefined;
  /** `status.status_list` when it is well-formed; undefined when absent. */
  statusList: StatusListReference | undefined;
}

function context(input: SdJwtInput, deps: SdJwtDeps): SdJwtContext {
  return {
    input,
    deps,
    policy: { ...DEFAULT_SD_JWT_POLICY, ...deps.policy },
    limits: { ...DEFAULT_SD_JWT_LIMITS, ...deps.limits },
    state: {},
  };
}

function statusListOf(status: unknown): StatusListReference | undefined {
  if (!isRecord(status) || !isRecord(status.status_list)) return undefined;
  const { uri, idx } = status.status_list;
  if (typeof uri !== 'string' || typeof idx !== 'number' || !Number.isSafeInteger(idx) || idx < 0) return undefined;
  return { uri, idx };
}

/** Verifies one SD-JWT VC presentation; throws an SdJwtError (a VerifierError) on the first failure. */
export async function verifySdJwtPresentation(input: SdJwtInput, deps: SdJwtDeps, onFailure?: (f: StepFailure) => void): Promise<VerifiedSdJwt> {
  const ctx = context(input, deps);
  await runSteps(SD_JWT_STEPS, ctx, onFailure);
  const s = ctx.state;
  const claims = s.claims!;
  return {
    claims,
    issuerJwt: s.issuerJwt!,
    issuer: s.issuer!,
    issuerKeySource: s.issuerKeySource!,
    vct: typeof claims.vct === 'string' ? claims.vct : undefined,
    holderJwk: s.holderJwk!,
    holderKey: s.holderKey!,
    status: isRecord(claims.status) ? claims.status : undefined,
    statusList: statusListOf(claims.status),
  };
}

/** Runs the steps collecting failures; a step needing what an earlier failed step would produce is skipped. */
export async function inspectSdJwt(input: SdJwtInput, deps: SdJwtDeps): Promise<StepFailure[]> {
  const ctx = context(input, deps);
  const needs: Record<string, (keyof SdJwtContext['state'])[]> = {
    'sd-jwt-issuer-header': ['issuerJwtText'],
    'sd-jwt-issuer-signature': ['issuerJwt'],
    'sd-jwt-issuer-time': ['issuerJwt'],
    'sd-jwt-sd-alg': ['issuerJwt'],
    'sd-jwt-disclosures': ['issuerJwt', 'encodedDisclosures'],
    'sd-jwt-holder-key': ['claims'],
    'sd-jwt-kb-signature': ['kbJwtText', 'holderKey'],
    'sd-jwt-kb-audience': ['kbJwt'],
    'sd-jwt-kb-nonce': ['kbJwt'],
    'sd-jwt-kb-sd-hash': ['kbJwt', 'sdHashInput'],
    'sd-jwt-kb-iat': ['kbJwt'],
  };
  const guarded = SD_JWT_STEPS.map((step): Step<SdJwtContext> => ({
    name: step.name,
    run: (c) => ((needs[step.name] ?? []).some((k) => c.state[k] === undefined) ? undefined : step.run(c)),
  }));
  return runAllSteps(guarded, ctx);
}
