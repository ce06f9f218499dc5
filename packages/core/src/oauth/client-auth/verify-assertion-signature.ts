/** Client authentication, steps 5–6 — resolve the client's key and verify the assertion signature with it. */
import { verifyJws } from '../../jose/jws.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { ClientAuthContext } from './context.ts';
import { ASSERTION_ALGORITHMS } from './check-assertion-header.ts';

export const resolveClientKey: Step<ClientAuthContext> = {
  name: 'resolve-client-key',
  async run({ deps, state }) {
    if (!state.assertion || !state.client) return;
    state.candidateKeys = await deps.clientKeys.keysFor(state.client, state.assertion.header);
  },
};

export const verifyAssertionSignature: Step<ClientAuthContext> = {
  name: 'assertion-signature',
  run({ state }) {
    const { assertion, candidateKeys } = state;
    if (!assertion || !candidateKeys) return;
    for (const key of candidateKeys) {
      try {
        verifyJws(assertion, key, { algorithms: ASSERTION_ALGORITHMS });
        return;
      } catch {
        // try the next candidate key
      }
    }
    throw new VerifierError('ERR_ASSERTION_SIGNATURE', 'the client assertion signature does not verify');
  },
};
