/**
 * Step 2 — every VP JWT is signed by its holder: the signer is the DID of the header `kid`
 * (a DID URL) or else the VP `iss`; it must be the holder, a VP `iss` must name it too, and its
 * key (resolved through the DID port: did:key, and the methods of the DID registry) verifies the
 * signature. VCVerifier checks the VP signature only in some shapes and never ties `kid` to `iss`.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { verifyJws, type JwsAlg } from '../../jose/jws.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

export const HOLDER_ALGORITHMS: readonly JwsAlg[] = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

const didOf = (v: unknown): string | undefined => (typeof v === 'string' && v.startsWith('did:') ? v.split('#')[0] : undefined);

export const checkFiwareVpSignature: Step<FiwarePresentationContext> = {
  name: 'fiware-vp-signature',
  async run({ deps, state }) {
    const holder = state.holder;
    if (!holder || !state.vps) return;
    for (const vp of state.vps) {
      const kid = vp.header.kid;
      const signer = didOf(kid) ?? didOf(vp.payload.iss);
      if (!signer) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentation does not name its signer (a DID kid or iss)');
      if (signer !== holder) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentation is not signed by its holder');
      if (vp.payload.iss !== undefined && didOf(vp.payload.iss) !== signer) throw new VerifierError('ERR_HOLDER_BINDING', 'the presentation iss is not its signer');
      const { key } = await deps.resolveDidKey(typeof kid === 'string' && kid.startsWith(`${signer}#`) ? kid : signer);
      try {
        verifyJws(vp, key, { algorithms: HOLDER_ALGORITHMS });
      } catch {
        throw new VerifierError('ERR_VP_SIGNATURE', "the presentation signature does not verify with the holder's key");
      }
      state.holderKey = key;
    }
  },
};
