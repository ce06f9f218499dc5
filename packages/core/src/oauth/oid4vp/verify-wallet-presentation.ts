/**
 * A wallet's `vp_token`, decoded (decode-vp-token.ts, against the queries the login sent) and run
 * through the presentation pipeline of the wallet leg: a VP JWT with the login's nonce and one of
 * the accepted audiences, or an SD-JWT VC whose KB-JWT names our client id and the nonce. Shared
 * by `/oid4vp/auth-response` and FIWARE's `/api/v1/authentication_response` (fiware/h2m).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { PresentationDeps, VerifiedPresentation } from '../../credentials/context.ts';
import { verifyPresentation } from '../../credentials/verify-presentation.ts';
import type { StepFailure } from '../../shared/pipeline.ts';
import { decodeVpToken } from './decode-vp-token.ts';
import type { SentCredentialQuery } from './sent-queries.ts';

export interface WalletPresentationInput {
  vpToken: string;
  sentQueries: readonly SentCredentialQuery[];
  /** The login's presentation nonce. */
  nonce: string;
  /** Accepted VP JWT `aud` values. */
  vpAudiences: readonly string[];
  /** The KB-JWT `aud` of SD-JWT answers: our client id. */
  sdJwtAudience: string;
}

export async function verifyWalletPresentation(deps: PresentationDeps & { onStepFailure?: (f: StepFailure) => void }, input: WalletPresentationInput): Promise<VerifiedPresentation> {
  let answer;
  try {
    answer = decodeVpToken(input.vpToken, input.sentQueries);
  } catch (e) {
    if (e instanceof VerifierError) deps.onStepFailure?.({ step: 'vp-token', error: e });
    throw e;
  }
  const common = { expectedKind: 'employee' as const, nonce: input.nonce, ...(answer.query ? { query: answer.query } : {}) };
  return verifyPresentation(
    answer.format === 'dc+sd-jwt'
      ? { ...common, sdJwt: { presentation: answer.presentation, audience: input.sdJwtAudience } }
      : { ...common, vpJwt: answer.presentation, audiences: input.vpAudiences },
    deps,
    { onFailure: deps.onStepFailure },
  );
}
