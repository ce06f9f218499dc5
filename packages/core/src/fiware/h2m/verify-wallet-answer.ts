/**
 * The wallet's presentation of a FIWARE login, judged strictly (spec §5.5 lists what VCVerifier
 * skips; we check it): the `vp_token` in any encoding of the wallet leg (oid4vp/decode-vp-token.ts,
 * map keys = the scope's DCQL query ids), then the DOME wallet pipeline — VP or KB-JWT `nonce` =
 * the login's, `aud` = our client id, VC/VP validity, holder binding, KB-JWT for SD-JWT, issuer
 * trust, status — and finally the scope's credential requirements: the credential must be of a
 * type the scope lists. This is the one switch point to the FIWARE presentation verifier
 * (per-type trust lists) when it lands.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { PresentationDeps } from '../../credentials/context.ts';
import { employeeProfile, employeeTokenVc, subjectOf } from '../../credentials/token-credential.ts';
import type { StepFailure } from '../../shared/pipeline.ts';
import { verifyWalletPresentation } from '../../oauth/oid4vp/verify-wallet-presentation.ts';
import type { LoginSession } from '../../oauth/login/login-sessions.ts';
import type { VerifiedAnswer } from '../../oauth/login/answer-login.ts';
import type { FiwareScope } from '../service-config.ts';
import { sentQueriesOfScope } from './request-object.ts';

export interface WalletAnswerDeps extends PresentationDeps {
  /** Our client id (the request object's): the VP / KB-JWT `aud`. */
  clientId: string;
  onStepFailure?: (f: StepFailure) => void;
}

export async function verifyFiwareWalletAnswer(deps: WalletAnswerDeps, session: LoginSession, scope: FiwareScope, vpToken: string): Promise<VerifiedAnswer> {
  const verified = await verifyWalletPresentation(deps, { vpToken, sentQueries: sentQueriesOfScope(scope), nonce: session.presentationNonce, vpAudiences: [deps.clientId], sdJwtAudience: deps.clientId });
  const { credential } = verified;
  const types = new Set([...credential.types, credential.credentialType]);
  if (!scope.credentials.some((c) => types.has(c.type))) throw new VerifierError('ERR_FIWARE_LOGIN_CREDENTIAL_TYPE', 'the credential is not of a type this scope lists');
  const subject = subjectOf(credential);
  if (!subject) throw new VerifierError('ERR_VC_MALFORMED', 'the credential names no subject (credentialSubject.id or mandatee.id)');
  return {
    clientId: session.clientId,
    redirectUri: session.redirectUri,
    ...(session.nonce !== undefined ? { nonce: session.nonce } : {}),
    scope: session.scope,
    subject,
    tokenVc: employeeTokenVc(credential),
    credentialType: credential.credentialType,
    profile: employeeProfile(credential),
    authTime: Math.floor(deps.clock.now() / 1000),
    fiware: session.fiware?.clientDid ? { clientDid: session.fiware.clientDid } : {},
  };
}
