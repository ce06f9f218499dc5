/**
 * Trusted participants (fiware-vcverifier.md §7.3): the credential issuer must be a participant
 * of at least one configured list — `ebsi` (a 200 on `<url>/v4|v3/issuers/<DID>`) or `gaia-x`
 * (trust/gaia-x-registry.ts). A plain URL string means `ebsi` (VCVerifier's JSON shorthand).
 * Lists are asked in order and the first that trusts wins; no list configured means no check.
 * None trusting: 401 `ERR_PARTICIPANT_NOT_TRUSTED`, unless one of them was unavailable — then
 * 503 `ERR_TRUST_SERVICE_UNAVAILABLE` (fail closed; an outage never reads as a verdict).
 */
import { VerifierError } from '../errors/verifier-error.ts';
import type { TrustRegistries } from './ebsi-registry.ts';

export type TrustedParticipantsListType = 'ebsi' | 'gaia-x';
export type TrustedParticipantsList = string | { readonly type: TrustedParticipantsListType; readonly url: string };

export interface TrustedParticipantsListEntry {
  readonly type: TrustedParticipantsListType;
  readonly url: string;
}

/** `"https://tir"` → `{type: "ebsi", url}`; objects unchanged. */
export function normalizeParticipantsList(list: TrustedParticipantsList): TrustedParticipantsListEntry {
  return typeof list === 'string' ? { type: 'ebsi', url: list } : { type: list.type, url: list.url };
}

/** The list that trusts `did`, or undefined when no list is configured; throws otherwise (see above). */
export async function checkTrustedParticipant(
  lists: readonly TrustedParticipantsList[],
  did: string,
  deps: Pick<TrustRegistries, 'participantsList' | 'gaiaX'>,
): Promise<TrustedParticipantsListEntry | undefined> {
  if (lists.length === 0) return undefined;
  let failure: unknown;
  for (const list of lists.map(normalizeParticipantsList)) {
    try {
      const trusted = list.type === 'gaia-x' ? await deps.gaiaX.isParticipant(list.url, did) : (await deps.participantsList(list.url).lookup(did)) !== null;
      if (trusted) return list;
    } catch (e) {
      failure ??= e;
    }
  }
  if (failure !== undefined) throw failure;
  throw new VerifierError('ERR_PARTICIPANT_NOT_TRUSTED', 'the credential issuer is not a participant of any trusted participants list');
}
