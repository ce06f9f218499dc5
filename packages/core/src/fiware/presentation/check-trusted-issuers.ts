/**
 * Step 9 — `trustedIssuersLists` per requirement the credential matches (spec §7.4): `["*"]`
 * skips the check for that type; no list at all is refused (the list is mandatory, as in
 * VCVerifier); otherwise the issuer is looked up in each list in order (`<url>/v4/issuers/<did>`)
 * and the first list that knows it decides: one of its attributes must name the requirement's
 * type as `credentialsType`, valid now (`validFor`, which VCVerifier ignores). Unreachable lists
 * fail closed (503).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { TrustedIssuerRecord } from '../../trust/trusted-issuers.ts';
import type { FiwareCredentialRequirement } from '../service-config.ts';
import type { FiwareCredential, FiwarePresentationContext } from './context.ts';
import type { FiwareDeps } from '../token/context.ts';

async function lookup(deps: FiwareDeps, lists: readonly string[], issuer: string): Promise<TrustedIssuerRecord | null> {
  for (const url of lists) {
    const record = await deps.trustedIssuersList(url).lookup(issuer);
    if (record) return record;
  }
  return null;
}

export async function assertIssuerTrusted(deps: FiwareDeps, c: FiwareCredential, r: FiwareCredentialRequirement): Promise<TrustedIssuerRecord | undefined> {
  const lists = r.trustedIssuersLists;
  if (lists.length === 1 && lists[0] === '*') return undefined;
  if (lists.length === 0) throw new VerifierError('ERR_FIWARE_TIL_NOT_CONFIGURED', `credential type ${r.type.slice(0, 64)} has no trustedIssuersLists`);
  const record = await lookup(deps, lists, c.issuer);
  if (!record) throw new VerifierError('ERR_ISSUER_NOT_TRUSTED', 'the credential issuer is not a trusted issuer');
  const now = deps.clock.now();
  const matching = record.attributes.filter((a) => a.credentialsType === r.type);
  if (matching.length === 0) throw new VerifierError('ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type');
  const current = matching.some((a) => (a.validFrom === undefined || a.validFrom <= now) && (a.validTo === undefined || now < a.validTo));
  if (!current) throw new VerifierError('ERR_ISSUER_TYPE_NOT_ALLOWED', 'the issuer is not trusted for this credential type at this time (validFor)');
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
