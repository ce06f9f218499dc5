/**
 * Step 8 — the credential is not revoked: neither in the trust framework's legacy
 * `revoked_credentials` list (by credential id) nor by its status references: a
 * `credentialStatus` entry (W3C Bitstring / StatusList2021 / IN2 PlainListEntity) or an IETF
 * Token Status List reference — a root `status.status_list.{uri, idx}` (VCDM 2.0 JWT VCs, SD-JWT
 * VCs) or a `credentialStatus` of type `TokenStatusListEntry` (the SD-JWT mapping and IN2's
 * wallet write it so). Every reference present is checked. Runs after the signature check, so
 * that no URL named by an unauthenticated credential is ever fetched; fails closed.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import { assertTokenStatusValid } from '../../trust/token-status-list.ts';
import type { PresentationContext } from '../context.ts';
import type { LearCredential } from '../lear-credential.ts';

const badRef = (what: string) => new VerifierError('ERR_STATUS_LIST_INVALID', `token status list reference ${what}`);

function index(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n) || n < 0) throw badRef('has no valid idx');
  return n;
}

/** The Token Status List references of a credential (root `status.status_list`, TokenStatusListEntry). */
export function tokenStatusRefs(c: LearCredential): Array<{ uri: string; idx: number }> {
  const refs: Array<{ uri: string; idx: number }> = [];
  const status = c.vc.status;
  if (status !== undefined) {
    if (!isRecord(status) || !isRecord(status.status_list)) throw badRef('is not a status.status_list object');
    const { uri, idx } = status.status_list;
    if (typeof uri !== 'string' || uri.length === 0) throw badRef('has no uri');
    refs.push({ uri, idx: index(idx) });
  }
  for (const cs of c.credentialStatuses) {
    if (cs.type !== 'TokenStatusListEntry') continue;
    if (typeof cs.statusListCredential !== 'string' || cs.statusListCredential.length === 0) throw badRef('has no statusListCredential');
    if (cs.statusPurpose !== undefined && cs.statusPurpose !== 'revocation') throw badRef('purpose is not revocation');
    const ref = { uri: cs.statusListCredential, idx: index(cs.statusListIndex) };
    if (!refs.some((r) => r.uri === ref.uri && r.idx === ref.idx)) refs.push(ref);
  }
  return refs;
}

export const checkRevocation: Step<PresentationContext> = {
  name: 'revocation',
  async run({ deps, state }) {
    const c = state.credential;
    if (!c) return;
    const id = c.id ?? (typeof state.vc?.payload.jti === 'string' ? state.vc.payload.jti : undefined);
    if (id !== undefined && deps.revocation) {
      // One lookup (one fetch at most) for both forms: the list may name `urn:uuid:X` or `X`.
      const ids = id.startsWith('urn:uuid:') ? [id, id.slice(9)] : [id];
      if (await deps.revocation.isRevoked(ids)) {
        throw new VerifierError('ERR_VC_REVOKED', 'the credential has been revoked');
      }
    }
    const tokenRefs = tokenStatusRefs(c);
    const w3c = c.credentialStatuses.filter((cs) => cs.type !== 'TokenStatusListEntry');
    if (tokenRefs.length === 0 && w3c.length === 0) return;
    const iss = state.vc?.payload.iss;
    const issuer = c.issuerDid ?? (typeof iss === 'string' ? iss : undefined);
    if (!issuer) throw new VerifierError('ERR_VC_MALFORMED', 'the credential has a status reference but names no issuer');
    for (const entry of w3c) {
      const outcome = await deps.statusLists.check(entry, issuer);
      if (outcome !== 'valid') throw new VerifierError('ERR_VC_REVOKED', `the credential is ${outcome}`);
    }
    for (const ref of tokenRefs) {
      if (!deps.tokenStatusLists) throw new VerifierError('ERR_STATUS_LIST_INVALID', 'token status lists are not checked by this deployment; the credential cannot be accepted');
      await assertTokenStatusValid(deps.tokenStatusLists, ref, issuer);
    }
  },
};
