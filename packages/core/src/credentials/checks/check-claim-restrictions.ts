/**
 * Step — the credential's claims are ones its issuer may attest: the claim restrictions
 * (`claims[].allowedValues`) of the issuer's TIL attributes for the credential's types, valid
 * now (trust/claim-restrictions.ts; fiware-vcverifier.md §7.4). Runs after `issuer-trusted`,
 * which looked the issuer up (`state.issuerRecord`). An attribute without claims allows
 * everything, so TIL entries without restrictions (the demo trust framework) change nothing.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { checkClaimRestrictions } from '../../trust/claim-restrictions.ts';
import type { PresentationContext } from '../context.ts';

export const checkClaimRestrictionsStep: Step<PresentationContext> = {
  name: 'claim-restrictions',
  run({ deps, state }) {
    const { credential, issuerRecord } = state;
    if (!credential || !issuerRecord) return;
    const result = checkClaimRestrictions(credential.vc, issuerRecord.attributes, credential.types, deps.clock.now());
    if (result.success) return;
    const [first] = result.errors;
    throw new VerifierError('ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', first!.message, { cause: new Error(result.errors.map((e) => `${e.code}${e.claim ? ` ${e.claim}` : ''}`).join('; ')) });
  },
};
