/**
 * Step 9 — `trustedParticipantsLists` per requirement the credential matches (spec §7.3): no
 * list configured ⇒ no check; otherwise the issuer must be a participant of one of them (EBSI
 * TIR: a 200 on `<url>/v4|v3/issuers/<did>`; Gaia-X: the did:web `x5u` chain accepted by the
 * registry) — trust/trusted-participants.ts. Unreachable registries fail closed (503).
 */
import type { Step } from '../../shared/pipeline.ts';
import { checkTrustedParticipant } from '../../trust/trusted-participants.ts';
import type { FiwarePresentationContext } from './context.ts';

export const checkFiwareTrustedParticipants: Step<FiwarePresentationContext> = {
  name: 'fiware-trusted-participants',
  async run({ deps, state }) {
    for (const c of state.relevant ?? []) {
      for (const r of c.requirements) await checkTrustedParticipant(r.trustedParticipantsLists, c.issuer, deps.trust);
    }
  },
};
