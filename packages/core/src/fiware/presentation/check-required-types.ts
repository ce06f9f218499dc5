/**
 * Step 5 — every credential type the requested scopes configure was presented (VCVerifier's AND
 * semantics, M2M). Each credential is matched with the requirements whose `type` it carries
 * (`vc.type` entries); credentials without any are ignored — neither verified nor included.
 * Wallet mode (H2M): types are not required, but only credentials a requirement names are kept.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

export const checkFiwareRequiredTypes: Step<FiwarePresentationContext> = {
  name: 'fiware-required-types',
  run({ input, state }) {
    if (!state.credentials) return;
    const requirements = input.scopes.flatMap((s) => s.credentials);
    for (const c of state.credentials) c.requirements = requirements.filter((r) => c.types.includes(r.type));
    if (input.mode === 'grant') {
      const missing = [...new Set(requirements.map((r) => r.type))].filter((t) => !state.credentials!.some((c) => c.types.includes(t)));
      if (missing.length > 0) throw new VerifierError('ERR_FIWARE_CREDENTIAL_TYPE_MISSING', `the scope requires a credential of type ${missing.slice(0, 4).join(', ').slice(0, 200)}`);
    }
    state.relevant = state.credentials.filter((c) => c.requirements.length > 0);
    if (state.relevant.length === 0) throw new VerifierError('ERR_FIWARE_CREDENTIAL_TYPE_MISSING', 'no presented credential is of a type the scope configures');
  },
};
