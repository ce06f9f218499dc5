/** Step 2 — the credential is a LEAR credential of the kind this flow requires. */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';
import { mapLearCredential } from '../lear-credential.ts';
import { deepFreeze } from '../credential-cache.ts';
import { credentialObject } from './parse-presentation.ts';

const EXPECTED = { machine: 'LEARCredentialMachine', employee: 'LEARCredentialEmployee' } as const;

export const checkCredentialType: Step<PresentationContext> = {
  name: 'credential-type',
  run({ input, state }) {
    // An SD-JWT VC arrives mapped (sd-jwt-presentation); a JWT VC is mapped here, once per cached
    // credential (the mapping depends on the frozen payload only; a failure is never stored).
    let credential = state.credential ?? state.vcCache?.credential;
    if (!credential) {
      const vc = state.vc && credentialObject(state.vc.payload);
      if (!vc) throw new VerifierError('ERR_VC_MALFORMED', 'the credential JWT has no vc claim');
      const mapped = mapLearCredential(vc);
      if (!mapped.ok) {
        const { code } = mapped;
        throw new VerifierError(code, code === 'ERR_VC_TYPE' ? `invalid credential type: expected ${EXPECTED[input.expectedKind]}` : `the credential ${mapped.reason}`);
      }
      credential = mapped.credential;
      if (state.vcCache) state.vcCache.credential = deepFreeze(credential);
    }
    if (credential.kind !== input.expectedKind) {
      throw new VerifierError('ERR_VC_TYPE', `invalid credential type: expected ${EXPECTED[input.expectedKind]}`);
    }
    state.credential = credential;
  },
};
