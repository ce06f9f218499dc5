/**
 * `grant_type=authorization_code`: the code is single-use (a second use revokes what the first
 * produced), unexpired (60 s), issued to this client for this exact redirect_uri, and — when a
 * PKCE challenge was registered at /authorize — redeemed with the matching S256 verifier; a
 * verifier without a registered challenge is refused (downgrade).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { VerifierError } from '../../../errors/verifier-error.ts';
import { bindFamily, redeemAuthorizationCode } from '../../authorize/authorization-codes.ts';
import { newFamilyId, revokeFamily } from '../../tokens/refresh-tokens.ts';
import { issueUserTokens } from '../issue-user-tokens.ts';
import type { Grant } from '../context.ts';

const VERIFIER_RE = /^[A-Za-z0-9._~-]{43,128}$/;

export function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  async handle({ params, deps, client }) {
    const { code, redirect_uri: redirectUri, code_verifier: verifier } = params;
    if (!code) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'code is required');
    const clientId = client.client.clientId;
    const redemption = await redeemAuthorizationCode(deps.store, code);
    if (redemption.kind === 'unknown') throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code is invalid');
    if (redemption.kind === 'reused') {
      if (redemption.familyId) await revokeFamily(deps.store, redemption.familyId, deps.tokenPolicy.refreshTokenExpiresInSeconds * 1000);
      throw new VerifierError('ERR_GRANT_CODE_REUSED', 'the authorization code was already used');
    }
    const { record, hash } = redemption;
    if (record.expiresAt <= deps.clock.now()) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code has expired');
    if (record.clientId !== clientId) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code was issued to another client');
    if (redirectUri !== record.redirectUri) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'redirect_uri differs from the authorization request');
    if (record.codeChallenge !== undefined) {
      if (!verifier) throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier is required');
      if (!VERIFIER_RE.test(verifier) || !pkceMatches(verifier, record.codeChallenge)) throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier does not match the code_challenge');
    } else if (verifier !== undefined) {
      throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier sent but no code_challenge was used');
    }
    const familyId = newFamilyId();
    await bindFamily(deps.store, hash, familyId);
    const { redirectUri: _r, codeChallenge: _c, expiresAt: _e, ...grant } = record;
    return issueUserTokens(deps, grant, familyId);
  },
};
