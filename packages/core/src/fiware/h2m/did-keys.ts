/**
 * The key of a DID `kid` (client request objects and client assertions, spec §5.2, §5.6):
 * `did:key` (P-256) decoded locally; a `kid` with a `#fragment` names the DID before it. Other
 * methods (did:jwk, did:web) come with the DID method registry (core/src/did, branch didtrust);
 * until then they are refused as unresolvable (a 400 of the calling step, never a 5xx).
 */
import { stripFragment } from '@dome-verifier/did-key';
import { publicKeyOfDidKey } from '../../keys/did-key-cache.ts';
import type { DidKeyResolver } from './context.ts';

export const resolveDidKeyOnly: DidKeyResolver = async (kid) => {
  const did = stripFragment(kid);
  if (!did.startsWith('did:key:')) throw new Error(`unsupported DID method: ${did.split(':').slice(0, 2).join(':')}`);
  return { did, key: publicKeyOfDidKey(did) };
};
