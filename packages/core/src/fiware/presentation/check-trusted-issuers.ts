/**
 * Step 10 — `trustedIssuersLists` per requirement the credential matches (spec §7.4): `["*"]`
 * skips the check for that type; no list at all is refused (the list is mandatory, as in
 * VCVerifier); otherwise the issuer is looked up in each list in order (`<url>/v4/issuers/<did>`,
 * v3 fallback: trust/ebsi-registry.ts) and the first list that knows it decides: one of its attributes must name the requirement's
 * type as `credentialsType`, valid now (`validFor`, which VCVerifier ignores), and the claim
 * restrictions (`claims[].allowedValues`) of those attributes must admit the credential's
 * subject (trust/claim-restrictions.ts; ORed over attributes, ANDed within one). Unreachable lists
 * fail closed (503).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { TrustedIssuerRecord } from '../../trust/trusted-issuers.ts';
import { lookupTrustedIssuer } from '../../trust/ebsi-registry.ts';
import { checkClaimRestrictions } from '../../trust/claim-restrictions.ts';
import type { FiwareCredentialRequirement } from '../service-config.ts';
import type { FiwareCredential, FiwarePresentationContext } from './context.ts';
import type { FiwareDeps } from '../token/context.ts';

export async function assertIssuerTrusted(deps: FiwareDeps, c: FiwareCredential, r: FiwareCredentialRequirement): Promise<TrustedIssuerRecord | undefined> {
  const lists = r.trustedIssuersLists;
  if (lists.length === 0) throw new VerifierError('ERR_FIWARE_TIL_NOT_CONFIGURED', `credential type ${r.type.slice(0, 64)} has no trustedIssuersLists`);
  const found = await lookupTrustedIssuer(lists, c.issuer, deps.trust);
  if (found.status === 'wildcard') return undefined;
  if (found.status === 'notFound') throw new VerifierError('ERR_ISSUER_NOT_TRUSTED', 'the credential issuer is not a trusted issuer');
  const { record } = found;
  const result = checkClaimRestrictions(c.object, record.attributes, r.type, deps.clock.now());
  if (!result.success) {
    const [first] = result.errors;
    if (first!.code === 'NO_ATTRIBUTE') throw new VerifierError('ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type at this time (credentialsType, validFor)');
    throw new VerifierError('ERR_CREDENTIAL_CLAIM_NOT_ALLOWED', first!.message, { cause: new Error(result.errors.map((e) => `${e.code}${e.claim ? ` ${e.claim}` : ''}`).join('; ')) });
  }
  return record;
}

export const checkFiwareTrustedIssuers: Step<FiwarePresentationContext> = {
  name: 'fiware-trusted-issuers',
  async run({ deps, state }) {
    for (const c of state.relevant ?? []) {
      for (const r of c.requirements) await assertIssuerTrusted(deps, c, r);
    }
  },
};
