/**
 * Step 11 — revocation. The DOME trust framework's legacy `revoked_credentials` list applies to
 * every needed credential (by `jti` / `id`); `credentialStatus.enabled` on a matching requirement
 * checks the credential's `credentialStatus` entries (object or list) of type
 * `BitstringStatusListEntry` / `StatusList2021Entry` whose purpose is accepted (an entry without
 * a purpose always is) with the existing status-list checker — which, unlike VCVerifier,
 * verifies the status list credential's signature. `requireStatus` refuses a credential without
 * such an entry. An SD-JWT VC's `status.status_list` (IETF Token Status List) is always checked.
 * Runs after the signature checks: no URL named by an unauthenticated credential
 * is fetched.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import { assertTokenStatusValid } from '../../trust/token-status-list.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';

const STATUS_TYPES = new Set(['BitstringStatusListEntry', 'StatusList2021Entry']);

export const checkFiwareCredentialStatus: Step<FiwarePresentationContext> = {
  name: 'fiware-credential-status',
  async run({ deps, state }) {
    for (const c of state.relevant ?? []) {
      const id = typeof c.jws.payload.jti === 'string' ? c.jws.payload.jti : typeof c.object.id === 'string' ? c.object.id : undefined;
      if (id !== undefined && deps.revocation) {
        const ids = id.startsWith('urn:uuid:') ? [id, id.slice(9)] : [id];
        if (await deps.revocation.isRevoked(ids)) throw new VerifierError('ERR_VC_REVOKED', 'the credential has been revoked');
      }
      if (c.statusList) {
        // An SD-JWT VC's Token Status List reference is always checked, as on the DOME path (fail closed).
        if (!deps.tokenStatusLists) throw new VerifierError('ERR_STATUS_LIST_INVALID', 'token status lists are not checked by this deployment; the credential cannot be accepted');
        await assertTokenStatusValid(deps.tokenStatusLists, c.statusList, c.issuer);
      }
      const enabled = c.requirements.filter((r) => r.credentialStatus.enabled);
      if (enabled.length === 0) continue;
      const purposes = new Set(enabled.flatMap((r) => r.credentialStatus.acceptedPurposes));
      const raw = c.object.credentialStatus;
      const entries = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter(isRecord).slice(0, 8);
      const checked = entries.filter((e) => typeof e.type === 'string' && STATUS_TYPES.has(e.type) && (e.statusPurpose === undefined || purposes.has(String(e.statusPurpose))));
      if (checked.length === 0 && enabled.some((r) => r.credentialStatus.requireStatus)) {
        throw new VerifierError('ERR_FIWARE_CREDENTIAL_STATUS_MISSING', 'the credential has no status entry of an accepted purpose');
      }
      for (const entry of checked) {
        const outcome = await deps.statusLists.check(entry, c.issuer);
        if (outcome !== 'valid') throw new VerifierError('ERR_VC_REVOKED', `the credential is ${outcome}`);
      }
    }
  },
};
