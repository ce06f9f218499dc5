/**
 * `POST /oid4vp/auth-response` (OpenID4VP `direct_post` as either DOME wallet sends it: form
 * `state` and `vp_token`, the deployed wallet adding a `presentation_submission` that is not
 * read). `vp_token` is decoded by decode-vp-token.ts against the credential queries this login
 * sent (deployed wallet: base64url of a VP JWT; PWA: standard base64 of a DCQL map or of a bare
 * VP JWT / SD-JWT; OpenID4VP 1.0: a raw JSON map). The login session named by `state` must be
 * pending and unexpired and is answered once. A VP JWT runs the same pipeline as M2M with
 * `LEARCredentialEmployee`, this session's nonce and an accepted audience; an SD-JWT VC runs
 * SD_JWT_PRESENTATION_CHECKS (KB-JWT `aud` = our client_id, this session's nonce), then the same
 * trust steps. Either way `nonce` binds the answer to this login. On success an
 * authorization code is issued and the session completes with the RP redirect; on a
 * presentation failure the session is marked failed (the login page says so); when a trust
 * service is unavailable (503) the answer is released so that the wallet can post again.
 *
 * The lease, fencing and set-once outcome are login/answer-login.ts (shared with the FIWARE leg):
 * one answer at a time holds the login's lease (login-sessions.ts): another answer meanwhile is
 * refused 409 `ERR_LOGIN_ANSWER_IN_PROGRESS` with `Retry-After`; once the lease lapses (the
 * replica answering died) a retry takes over. A holder checks its lease before issuing the code,
 * and only the answer that writes the login's outcome first has its code delivered — a slow
 * holder that outlived its lease gets `ERR_LOGIN_ALREADY_ANSWERED` and its code is discarded.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { PresentationDeps } from '../../credentials/context.ts';
import { employeeProfile, employeeTokenVc, subjectOf } from '../../credentials/token-credential.ts';
import type { StepFailure } from '../../shared/pipeline.ts';
import type { Store } from '../../ports/store.ts';
import { withQuery } from '../authorize/authorize.ts';
import { verifyWalletPresentation } from './verify-wallet-presentation.ts';
import { DEFAULT_SENT_QUERIES, type SentCredentialQuery } from './sent-queries.ts';
import type { LoginSession, LoginSessions } from '../login/login-sessions.ts';
import { answerLogin } from '../login/answer-login.ts';

export interface WalletResponseDeps extends PresentationDeps {
  issuer: string;
  store: Store;
  logins: LoginSessions;
  /** Accepted VP `aud` values. */
  presentationAudiences: readonly string[];
  /** The verifier's client_id (the request object's `client_id`): the KB-JWT `aud` of SD-JWT answers. */
  clientId: string;
  /**
   * The DCQL credential queries this login's request object sent — the keys a `vp_token` map may
   * use. Default: DEFAULT_SENT_QUERIES (the default profile's employee queries).
   */
  sentQueries?: (session: LoginSession) => readonly SentCredentialQuery[];
  onStepFailure?: (f: StepFailure) => void;
}

export async function handleAuthorizationResponse(deps: WalletResponseDeps, params: Readonly<Record<string, string>>): Promise<{ redirectTo: string }> {
  const { state, vp_token: vpToken } = params;
  if (!state) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'state is required');
  if (!vpToken) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'vp_token is required');
  const session = await deps.logins.get(state);
  if (!session) throw new VerifierError('ERR_LOGIN_UNKNOWN', 'no login session for this state');
  const { redirectTo } = await answerLogin(
    deps,
    session,
    async () => {
      const verified = await verifyWalletPresentation(deps, {
        vpToken,
        sentQueries: deps.sentQueries?.(session) ?? DEFAULT_SENT_QUERIES,
        nonce: session.presentationNonce,
        vpAudiences: deps.presentationAudiences,
        sdJwtAudience: deps.clientId,
      });
      const subject = subjectOf(verified.credential);
      if (!subject) throw new VerifierError('ERR_VC_MALFORMED', 'the credential names no subject (credentialSubject.id or mandatee.id)');
      return {
        clientId: session.clientId,
        redirectUri: session.redirectUri,
        ...(session.codeChallenge !== undefined ? { codeChallenge: session.codeChallenge } : {}),
        ...(session.nonce !== undefined ? { nonce: session.nonce } : {}),
        scope: session.scope,
        subject,
        tokenVc: employeeTokenVc(verified.credential),
        credentialType: verified.credential.credentialType,
        profile: employeeProfile(verified.credential),
        authTime: Math.floor(deps.clock.now() / 1000),
      };
    },
    (code) => withQuery(session.redirectUri, { code, state: session.state, iss: deps.issuer }),
  );
  return { redirectTo };
}
