/**
 * Step 7 — the credential signature (JAdES-style, dome-verifier-wire.md §4.4, fixed): the
 * `x5c` chain verifies to a configured trust anchor with every certificate within validity,
 * the JWS verifies with the leaf key (RS256/PS256/ES256; critical `sigT` understood), and the
 * leaf `organizationIdentifier` (OID 2.5.4.97) equals the `did:elsi:` suffix of the issuer.
 */
import { verifyJws, type DecodedJws, type JwsAlg } from '../../jose/jws.ts';
import type { VerifiedChain } from '../../keys/x509.ts';
import { X509ChainError } from '../../keys/x509.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext, X5cVerifier } from '../context.ts';

export const VC_ALGORITHMS: readonly JwsAlg[] = ['RS256', 'PS256', 'ES256', 'RS384', 'RS512', 'PS384', 'PS512', 'ES384'];

/**
 * A `did:elsi` issuer's signature: the header's `x5c` chain to the trust anchors, the JWS by its
 * leaf (`sigT` understood), and the leaf's organizationIdentifier = the DID suffix. Shared by the
 * DOME and the FIWARE pipelines; returns the chain (its validity bounds a cached verdict).
 */
export function verifyElsiSignature(jws: DecodedJws, issuer: string, x5c: X5cVerifier, now: number): VerifiedChain {
  if (jws.header.x5c === undefined) throw new VerifierError('ERR_VC_CERTIFICATE', 'the credential header has no x5c certificate chain');
  let chain;
  try {
    chain = x5c(jws.header.x5c, now);
  } catch (e) {
    if (e instanceof X509ChainError) throw new VerifierError('ERR_VC_CERTIFICATE', `the credential certificate chain is ${e.reason.replace(/_/g, ' ')}`, { cause: e });
    throw e;
  }
  try {
    verifyJws(jws, chain.leafKey, { algorithms: VC_ALGORITHMS, crit: ['sigT'] });
  } catch (e) {
    throw new VerifierError('ERR_VC_SIGNATURE', 'the credential signature does not verify with its certificate', { cause: e });
  }
  if (chain.organizationIdentifier !== issuer.slice('did:elsi:'.length)) {
    throw new VerifierError('ERR_VC_ORGANIZATION_MISMATCH', 'the certificate organizationIdentifier does not match the issuer did:elsi');
  }
  return chain;
}

export const checkVcSignature: Step<PresentationContext> = {
  name: 'vc-signature',
  run({ deps, state }) {
    const { vc, credential } = state;
    if (!vc || !credential) return;
    const issuer = credential.issuerDid ?? String(vc.payload.iss ?? '');
    if (!issuer.startsWith('did:elsi:')) throw new VerifierError('ERR_VC_SIGNATURE', 'only did:elsi issuers with x5c signatures are supported');
    const now = deps.clock.now();
    const verdict = state.vcCache?.signature;
    if (verdict && now >= verdict.notBefore && now <= verdict.notAfter) return;
    const chain = verifyElsiSignature(vc, issuer, deps.x5c, now);
    if (state.vcCache) state.vcCache.signature = { notBefore: chain.notBefore, notAfter: chain.notAfter };
  },
};
