/**
 * Reads a fetched DID document (did:web) into the usable part: `id` must equal the DID; the
 * verification methods are those of `verificationMethod` plus any embedded (object) entries of
 * `assertionMethod` / `authentication`. A method is usable when its `id` is `did#fragment`
 * (relative `#fragment` resolved against the DID), its `controller` (required by DID Core) is the DID itself, and it
 * carries a public `publicKeyJwk` (JsonWebKey2020 / JsonWebKey or any type with a JWK; a
 * `publicKeyMultibase`/`publicKeyBase58`-only method is ignored, as FIWARE's VCVerifier ignores
 * it). Methods controlled by another DID are not followed. Two different methods with one id make
 * the document invalid. At most 64 methods are read.
 */
import { importPublicJwk } from '../jose/keys.ts';
import { isRecord } from '../shared/json.ts';
import { DidResolutionError, type DidDocument, type VerificationMethod } from './types.ts';

const MAX_METHODS = 64;

export function readDidDocument(json: Record<string, unknown>, did: string): DidDocument {
  const invalid = (msg: string) => new DidResolutionError('invalidDidDocument', msg);
  if (json.id !== did) throw invalid('the DID document id is not the DID');
  const entries: unknown[] = [];
  if (json.verificationMethod !== undefined) {
    if (!Array.isArray(json.verificationMethod)) throw invalid('verificationMethod is not a list');
    entries.push(...json.verificationMethod);
  }
  for (const rel of ['assertionMethod', 'authentication'] as const) {
    const list = json[rel];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw invalid(`${rel} is not a list`);
    entries.push(...list.filter(isRecord));
  }
  if (entries.length > MAX_METHODS) throw invalid(`the DID document has more than ${MAX_METHODS} verification methods`);
  const methods: VerificationMethod[] = [];
  const seen = new Map<string, string>();
  for (const vm of entries) {
    if (!isRecord(vm) || typeof vm.id !== 'string') throw invalid('a verification method has no id');
    const id = vm.id.startsWith('#') ? `${did}${vm.id}` : vm.id;
    const text = JSON.stringify(vm);
    const before = seen.get(id);
    if (before !== undefined) {
      // one method listed twice (in verificationMethod and embedded in assertionMethod) must be the same method
      if (before !== text) throw invalid('two verification methods have the same id');
      continue;
    }
    seen.set(id, text);
    const controller = vm.controller;
    if (controller !== undefined && typeof controller !== 'string') throw invalid('a verification method controller is not a string');
    if (!id.startsWith(`${did}#`) || controller !== did) continue; // no controller (DID Core requires one) or another DID's key: not followed
    if (!isRecord(vm.publicKeyJwk)) continue; // not a JWK method
    try {
      importPublicJwk(vm.publicKeyJwk);
    } catch {
      continue; // private, unknown kty or not a valid point: unusable
    }
    methods.push({ id, type: typeof vm.type === 'string' ? vm.type : 'JsonWebKey2020', controller, publicKeyJwk: vm.publicKeyJwk });
  }
  return { id: did, verificationMethod: methods };
}
