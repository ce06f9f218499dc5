/**
 * The wallet's presentation of a FIWARE login, judged by the service's scope: the `vp_token` in
 * any FIWARE encoding (vp-token/decode-fiware-vp-token.ts; a DCQL map's keys must be the scope's
 * query ids, each answered in its query's format), then the FIWARE presentation pipeline in
 * wallet mode (presentation/verify-fiware-presentation.ts): VP or KB-JWT `nonce` = the login's,
 * `aud` = our client id, VC/VP validity, KB-JWT for SD-JWT, holder binding, and per credential
 * type of the scope its trustedParticipantsLists, trustedIssuersLists (with claim restrictions),
 * holderVerification and credentialStatus — plus the DOME trust framework's x5c chain and
 * revocation list where they apply. Nothing is reserved: the login is single-use itself
 * (oauth/login/answer-login.ts). The grant keeps the token's credential claims (jwtInclusion,
 * flatClaims), so the code exchange and every refresh carry the same.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { StepFailure } from '../../shared/pipeline.ts';
import type { LoginSession } from '../../oauth/login/login-sessions.ts';
import type { VerifiedAnswer } from '../../oauth/login/answer-login.ts';
import type { FiwareScope, FiwareService } from '../service-config.ts';
import type { FiwareDeps } from '../token/context.ts';
import { decodeFiwareVpToken, type FiwarePresentationValue } from '../vp-token/decode-fiware-vp-token.ts';
import { verifyFiwarePresentation } from '../presentation/verify-fiware-presentation.ts';
import { fiwareCredentialClaims } from '../token/issue-fiware-access-token.ts';
import { sentQueriesOfScope } from './request-object.ts';

export interface WalletAnswerDeps extends FiwareDeps {
  /** Our client id (the request object's): the VP / KB-JWT `aud`. */
  clientId: string;
  onStepFailure?: (f: StepFailure) => void;
}

/** A DCQL map answers the queries the request object sent, each in its format. */
function checkQueryIds(scope: FiwareScope, presentations: readonly FiwarePresentationValue[]): void {
  const sent = sentQueriesOfScope(scope);
  for (const p of presentations) {
    if (p.queryId === undefined) continue;
    const query = sent.find((q) => q.id === p.queryId);
    if (!query) throw new VerifierError('ERR_VP_TOKEN_QUERY_MISMATCH', `the vp_token answers a credential query this login did not send (${p.queryId.slice(0, 64)})`);
    const format = p.kind === 'sd-jwt' ? 'dc+sd-jwt' : 'jwt_vc_json';
    if (query.format !== format) throw new VerifierError('ERR_VP_TOKEN_QUERY_MISMATCH', `the presentation is ${p.kind === 'sd-jwt' ? 'an SD-JWT' : 'a JWT'}, but the credential query it answers asks for ${query.format}`);
  }
}

export async function verifyFiwareWalletAnswer(deps: WalletAnswerDeps, session: LoginSession, service: FiwareService, scope: FiwareScope, vpToken: string): Promise<VerifiedAnswer> {
  const presentations = decodeFiwareVpToken(vpToken);
  checkQueryIds(scope, presentations);
  const verified = await verifyFiwarePresentation({ presentations, mode: 'wallet', service, scopes: [scope], audiences: [deps.clientId], nonce: session.presentationNonce }, deps);
  const tokenClaims = fiwareCredentialClaims([scope], verified.credentials);
  return {
    clientId: session.clientId,
    redirectUri: session.redirectUri,
    ...(session.nonce !== undefined ? { nonce: session.nonce } : {}),
    scope: session.scope,
    subject: verified.holder,
    tokenVc: (tokenClaims.vc as Record<string, unknown> | undefined) ?? {},
    profile: {},
    authTime: Math.floor(deps.clock.now() / 1000),
    fiware: { ...(session.fiware?.clientDid ? { clientDid: session.fiware.clientDid } : {}), tokenClaims },
  };
}
