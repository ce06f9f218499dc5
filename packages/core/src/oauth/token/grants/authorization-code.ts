/**
 * `grant_type=authorization_code`: the code is single-use (a second use revokes what the first
 * produced), unexpired (60 s), issued to this client for this exact redirect_uri, and — when a
 * PKCE challenge was registered at /authorize — redeemed with the matching S256 verifier; a
 * verifier without a registered challenge is refused (downgrade).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { VerifierError } from '../../../errors/verifier-error.ts';
import { commitCodeRedemption, familyOfUsedCode, findAuthorizationCode, type CodeRecord, type FoundCode, type GrantRecord } from '../../authorize/authorization-codes.ts';
import { newFamilyId, revokeFamily } from '../../tokens/refresh-tokens.ts';
import { familyRevocationTtlMs, issueUserTokensOnCommit } from '../issue-user-tokens.ts';
import type { Grant, GrantContext } from '../context.ts';

const VERIFIER_RE = /^[A-Za-z0-9._~-]{43,128}$/;

export function pkceMatches(verifier: string, challenge: string): boolean {
  const computed = Buffer.from(createHash('sha256').update(verifier).digest('base64url'));
  const expected = Buffer.from(challenge);
  return computed.length === expected.length && timingSafeEqual(computed, expected);
}

/** Checks that consume nothing: whoever fails them has no effect on the code or its tokens. */
function checkRedeemer(record: CodeRecord, clientId: string, params: GrantContext['params']): void {
  const { redirect_uri: redirectUri, code_verifier: verifier } = params;
  // A FIWARE login's code is redeemed at the FIWARE token endpoint only (fiware/h2m).
  if (record.fiware) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code is invalid');
  if (record.clientId !== clientId) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code was issued to another client');
  if (redirectUri !== record.redirectUri) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'redirect_uri differs from the authorization request');
  if (record.codeChallenge !== undefined) {
    if (!verifier) throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier is required');
    if (!VERIFIER_RE.test(verifier) || !pkceMatches(verifier, record.codeChallenge)) throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier does not match the code_challenge');
  } else if (verifier !== undefined) {
    throw new VerifierError('ERR_GRANT_PKCE', 'code_verifier sent but no code_challenge was used');
  }
}

/**
 * Read → check → prepare → commit. The code is looked up, the redeemer checked (client,
 * redirect_uri, PKCE — a failure consumes nothing, so another client cannot burn a code), then
 * the tokens are prepared and the code's consumption, recorded together with the new family in
 * one atomic set-if-absent, commits the exchange as its last store write. A redemption that
 * finds the code used — before or at the commit — revokes the family the winner recorded.
 */
export const authorizationCodeGrant: Grant = {
  grantType: 'authorization_code',
  async handle({ params, deps, client }) {
    const { code } = params;
    if (!code) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'code is required');
    const found = await findAuthorizationCode(deps.store, code);
    if (!found) throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code is invalid');
    checkRedeemer(found.record, client.client.clientId, params);
    return redeemCode(deps, found, (grant, familyId, commit) => issueUserTokensOnCommit(deps, grant, familyId, commit));
  },
};

/**
 * The prepare → commit part of a code exchange whose redeemer was checked (shared with the FIWARE
 * login grant, fiware/h2m): an expired code is refused (reuse, if it was redeemed), `issue`
 * prepares the tokens of a new family and commits with the code's consumption; a lost commit —
 * or a code found used — revokes the winner's family.
 */
export async function redeemCode<T>(
  deps: Pick<GrantContext['deps'], 'store' | 'clock' | 'tokenPolicy'>,
  { record, hash }: FoundCode,
  issue: (grant: GrantRecord, familyId: string, commit: () => Promise<boolean>) => Promise<T | undefined>,
): Promise<T> {
  const reused = async (): Promise<never> => {
    const winner = await familyOfUsedCode(deps.store, hash);
    if (winner) await revokeFamily(deps.store, winner, familyRevocationTtlMs(deps.tokenPolicy));
    throw new VerifierError('ERR_GRANT_CODE_REUSED', 'the authorization code was already used');
  };
  if (record.expiresAt <= deps.clock.now()) {
    // An expired code that was redeemed is still reuse (within the ten-minute reuse window).
    if ((await familyOfUsedCode(deps.store, hash)) !== undefined) return reused();
    throw new VerifierError('ERR_GRANT_CODE_INVALID', 'the authorization code has expired');
  }
  const familyId = newFamilyId();
  const { redirectUri: _r, codeChallenge: _c, expiresAt: _e, ...grant } = record;
  const issued = await issue(grant, familyId, () => commitCodeRedemption(deps.store, hash, familyId));
  return issued ?? reused();
}
