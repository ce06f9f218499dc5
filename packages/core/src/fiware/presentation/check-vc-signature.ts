/**
 * Step 6 — each needed credential's signature, by the DOME trust framework's rules where they
 * apply: a `did:elsi` issuer signs with an `x5c` chain to `x509.trustAnchors` (leaf
 * organizationIdentifier = the DID suffix; the very check of the DOME pipeline), any other DID
 * issuer with the key its DID names (header `kid` as a DID URL of the issuer, or the issuer DID;
 * did:key, and the methods of the DID registry). A `kid` naming another DID than the issuer is
 * refused (VCVerifier does not tie them).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { verifyJws, type JwsAlg } from '../../jose/jws.ts';
import type { Step } from '../../shared/pipeline.ts';
import { VC_ALGORITHMS, verifyElsiSignature } from '../../credentials/checks/check-vc-signature.ts';
import type { FiwareCredential, FiwarePresentationContext } from './context.ts';
import type { FiwareDeps } from '../token/context.ts';

const DID_ISSUER_ALGORITHMS: readonly JwsAlg[] = [...VC_ALGORITHMS, 'EdDSA'];

async function verifyDidIssuer(c: FiwareCredential, deps: FiwareDeps): Promise<void> {
  if (!c.issuer.startsWith('did:')) throw new VerifierError('ERR_VC_SIGNATURE', 'the credential issuer is not a DID');
  const kid = c.jws.header.kid;
  if (typeof kid === 'string' && kid.startsWith('did:') && kid.split('#')[0] !== c.issuer) {
    throw new VerifierError('ERR_VC_SIGNATURE', 'the credential kid names another DID than its issuer');
  }
  // kid: the issuer's DID URL, a fragment (`#key-1` or `key-1`) of it, or absent (the DID's only key).
  const didUrl = typeof kid !== 'string' || kid === '' || kid === c.issuer ? c.issuer : kid.startsWith('did:') ? kid : `${c.issuer}#${kid.replace(/^#/, '')}`;
  const { key } = await deps.resolveDidKey(didUrl);
  try {
    verifyJws(c.jws, key, { algorithms: DID_ISSUER_ALGORITHMS });
  } catch (e) {
    throw new VerifierError('ERR_VC_SIGNATURE', "the credential signature does not verify with its issuer's key", { cause: e });
  }
}

export const checkFiwareVcSignature: Step<FiwarePresentationContext> = {
  name: 'fiware-vc-signature',
  async run({ deps, state }) {
    for (const c of state.relevant ?? []) {
      if (c.format === 'sd_jwt') continue; // verified with its disclosures and KB-JWT by fiware-sd-jwt
      if (c.issuer.startsWith('did:elsi:')) verifyElsiSignature(c.jws, c.issuer, deps.x5c, deps.clock.now());
      else await verifyDidIssuer(c, deps);
    }
  },
};
