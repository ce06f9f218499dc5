/**
 * did:key driver: the document is derived from the DID itself (no I/O). Key types: Ed25519,
 * P-256 and P-384 (`decodeDidKey` of @dome-verifier/did-key, multicodec checked); the one
 * verification method is `did:key:<mb>#<mb>` (the did:key method's convention, FIWARE's too).
 */
import { decodeDidKey } from '@dome-verifier/did-key';
import { DidResolutionError, type DidMethodDriver } from './types.ts';

export const didKeyDriver: DidMethodDriver = async (parsed) => {
  let jwk: Record<string, unknown>;
  try {
    jwk = { ...decodeDidKey(parsed.did) };
  } catch (e) {
    throw new DidResolutionError('invalidDid', `not a usable did:key (${(e as Error).message})`, { cause: e });
  }
  return {
    id: parsed.did,
    verificationMethod: [{ id: `${parsed.did}#${parsed.id}`, type: 'JsonWebKey2020', controller: parsed.did, publicKeyJwk: jwk }],
  };
};
