/**
 * Step 8 — the credential is not revoked: neither in the trust framework's legacy
 * `revoked_credentials` list (by credential id) nor by its `credentialStatus` entry
 * (Bitstring / PlainList). Runs after the signature check, so that no URL named by an
 * unauthenticated credential is ever fetched.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const checkRevocation: Step<PresentationContext> = {
  name: 'revocation',
  async run({ deps, state }) {
    const c = state.credential;
    if (!c) return;
    const id = c.id ?? (typeof state.vc?.payload.jti === 'string' ? state.vc.payload.jti : undefined);
    if (id !== undefined && deps.revocation) {
      // One lookup (one fetch at most) for both forms: the list may name `urn:uuid:X` or `X`.
      const ids = id.startsWith('urn:uuid:') ? [id, id.slice(9)] : [id];
      if (await deps.revocation.isRevoked(ids)) {
        throw new VerifierError('ERR_VC_REVOKED', 'the credential has been revoked');
      }
    }
    if (c.credentialStatus) {
      const iss = state.vc?.payload.iss;
      const issuer = c.issuerDid ?? (typeof iss === 'string' ? iss : undefined);
      if (!issuer) throw new VerifierError('ERR_VC_MALFORMED', 'the credential has a credentialStatus but names no issuer');
      const outcome = await deps.statusLists.check(c.credentialStatus, issuer);
      if (outcome !== 'valid') throw new VerifierError('ERR_VC_REVOKED', `the credential is ${outcome}`);
    }
  },
};
