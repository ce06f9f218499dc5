/**
 * Step 6 — the issuer is in the Trusted Issuers List, trusted for this credential type
 * (`credentialsType` equals one of the VC types) and now (`validFor`, which IN2 ignores).
 * The issuer is `vc.issuer` (string or `{id}`); a VC JWT `iss` that names another DID is refused.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { PresentationContext } from '../context.ts';

export const checkIssuerTrusted: Step<PresentationContext> = {
  name: 'issuer-trusted',
  async run({ deps, state }) {
    const c = state.credential;
    if (!c) return;
    const iss = state.vc?.payload.iss;
    const issuer = c.issuerDid ?? (typeof iss === 'string' ? iss : undefined);
    if (!issuer) throw new VerifierError('ERR_VC_MALFORMED', 'the credential names no issuer');
    if (typeof iss === 'string' && iss !== issuer) throw new VerifierError('ERR_VC_MALFORMED', 'the credential JWT iss differs from vc.issuer');
    const record = await deps.issuers.lookup(issuer);
    if (!record) throw new VerifierError('ERR_ISSUER_NOT_TRUSTED', 'the credential issuer is not a trusted issuer');
    const now = deps.clock.now();
    const matching = record.attributes.filter((a) => c.types.includes(a.credentialsType));
    if (matching.length === 0) throw new VerifierError('ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type');
    const current = matching.some((a) => (a.validFrom === undefined || a.validFrom <= now) && (a.validTo === undefined || now < a.validTo));
    if (!current) throw new VerifierError('ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type at this time (validFor)');
    state.issuerRecord = record; // its claim restrictions are the next step's (check-claim-restrictions.ts)
  },
};
