/**
 * `grant_type=client_credentials` with a LEARCredentialMachine presentation in the client
 * assertion's `vp_token` claim (dome-verifier-wire.md §3.3): the client must be registered for
 * the grant, the requested scope (optional) must be one the machine token carries, then the
 * presentation pipeline runs with the authenticated client as the required presenter, and an
 * access token `{aud: verifier URL, sub: mandatee id, scope: "machine learcredential"}` is issued.
 */
import { VerifierError } from '../../../errors/verifier-error.ts';
import { decodeBase64LiberalText } from '../../../shared/base64.ts';
import { nowSeconds } from '../../../ports/clock.ts';
import { verifyPresentation } from '../../../credentials/verify-presentation.ts';
import { credentialTokenClaims } from '../../../credentials/token-credential.ts';
import { createAccessToken } from '../../tokens/create-access-token.ts';
import { recordAccessToken } from '../../tokens/access-token-records.ts';
import type { Grant, GrantContext, TokenResponse } from '../context.ts';

export const MACHINE_SCOPE = 'machine learcredential';
/** Scope values a client may ask for; `openid`/`profile`/`email` are tolerated and have no effect. */
const REQUESTABLE_SCOPES = new Set(['machine', 'learcredential', 'openid', 'profile', 'email']);

/**
 * The `vp_token` claim: standard or URL-safe base64 of the VP JWT, padded or not, or the raw
 * compact JWT (dome-verifier-wire.md Appendix A.1).
 */
function looksLikeCompactJws(s: string): boolean {
  const first = s.indexOf('.');
  const second = first > 0 ? s.indexOf('.', first + 1) : -1;
  return second > first + 1 && second < s.length - 1 && s.indexOf('.', second + 1) === -1 && /^eyJ/.test(s);
}

export function decodeVpTokenClaim(value: unknown): string {
  if (value === undefined) throw new VerifierError('ERR_ASSERTION_CLAIM_MISSING', 'the client assertion has no vp_token');
  if (typeof value !== 'string' || value.length === 0) throw new VerifierError('ERR_VP_TOKEN_ENCODING', 'vp_token must be a string');
  // A compact JWS contains dots, base64 never does: no need to decode when the value has them.
  // Shape only here (three non-empty segments); the segments are validated when decoded.
  const decoded = value.includes('.') ? value : decodeBase64LiberalText(value, 'latin1');
  if (decoded === undefined || !looksLikeCompactJws(decoded)) {
    throw new VerifierError('ERR_VP_TOKEN_ENCODING', 'vp_token must be base64 or base64url of a compact JWT, or the JWT itself');
  }
  return decoded;
}

function checkScopeAndResource(params: Readonly<Record<string, string>>, issuer: string): void {
  if (params.scope !== undefined) {
    const unknown = params.scope.split(' ').filter((s) => s !== '' && !REQUESTABLE_SCOPES.has(s));
    if (unknown.length > 0) throw new VerifierError('ERR_SCOPE_INVALID', 'a machine token carries only the scope "machine learcredential"');
  }
  if (params.resource !== undefined && params.resource !== issuer) {
    throw new VerifierError('ERR_TARGET_INVALID', 'machine tokens are issued for this verifier only; omit resource');
  }
}

export const clientCredentialsGrant: Grant = {
  grantType: 'client_credentials',
  async handle({ params, deps, client }: GrantContext): Promise<TokenResponse> {
    if (!client.client.authorizationGrantTypes.includes('client_credentials')) {
      throw new VerifierError('ERR_CLIENT_GRANT_NOT_ALLOWED', 'the client is not registered for client_credentials');
    }
    if (!client.assertion) throw new VerifierError('ERR_CLIENT_AUTH_MISSING', 'client_credentials requires a client assertion');
    const { issuer } = deps.tokenPolicy;
    checkScopeAndResource(params, issuer);
    const vpJwt = decodeVpTokenClaim(client.assertion.payload.vp_token);
    const verified = await verifyPresentation(
      { vpJwt, expectedKind: 'machine', presenter: client.client.clientId },
      { ...deps, policy: deps.presentationPolicy },
      { onFailure: deps.onStepFailure },
    );
    const mandateeId = verified.credential.mandatee.id;
    const subject = typeof mandateeId === 'string' ? mandateeId : verified.holderDid ?? client.client.clientId;
    const issued = createAccessToken(deps.signer, {
      issuer,
      audience: issuer,
      subject,
      scope: MACHINE_SCOPE,
      vc: verified.tokenVc,
      ...(verified.tokenVcJson !== undefined && { vcJson: verified.tokenVcJson }),
      nowSeconds: nowSeconds(deps.clock),
      expiresInSeconds: deps.tokenPolicy.accessTokenExpiresInSeconds,
      typ: deps.tokenPolicy.accessTokenTyp,
      extra: credentialTokenClaims(verified.credential, client.client.tenant),
    });
    if (deps.tokenPolicy.recordMachineTokens) await recordAccessToken(deps.store, issued.jti, { c: client.client.clientId }, issued.expiresIn * 1000);
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn };
  },
};
