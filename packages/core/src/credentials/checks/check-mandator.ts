/** Step 9 — the mandator organisation is listed in the TIL as `did:elsi:{organizationIdentifier}` (IN2 §4.1 row 8). */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const checkMandator: Step<PresentationContext> = {
  name: 'mandator-trusted',
  async run({ deps, state }) {
    const c = state.credential;
    if (!c) return;
    const orgId = c.mandator.organizationIdentifier;
    if (typeof orgId !== 'string' || orgId.length === 0) throw new VerifierError('ERR_VC_MALFORMED', 'the credential mandator has no organizationIdentifier');
    const did = orgId.startsWith('did:elsi:') ? orgId : `did:elsi:${orgId}`;
    if (!(await deps.issuers.lookup(did))) throw new VerifierError('ERR_MANDATOR_NOT_TRUSTED', 'the mandator organisation is not in the Trusted Issuers List');
  },
};
