/** Resolves any accepted private-key input to a signing key (and its did:key when derivable). */
import { KeyObject } from 'node:crypto';
import type { CryptoKey } from 'jose';
import { isLoadedKey, loadP256PrivateKey, type LoadedP256Key, type MachineKeyInput, type SigningKey } from './keys.ts';

export interface ResolvedSigningKey {
  signingKey: SigningKey;
  /** did:key of the public key (undefined for a CryptoKey). */
  did: string | undefined;
}

/** Loads KeyObject / JWK (object or JSON) / PEM / hex into a LoadedP256Key; keeps a loaded key or a WebCrypto CryptoKey. Throws KeyLoadError. */
export function loadKeyInput(key: MachineKeyInput): LoadedP256Key | CryptoKey {
  if (isLoadedKey(key)) return key;
  if (key instanceof KeyObject || typeof key === 'string' || !('type' in key && 'algorithm' in key)) {
    return loadP256PrivateKey(key as KeyObject | Record<string, unknown> | string);
  }
  return key as CryptoKey;
}

/** Synchronous resolution (see `loadKeyInput`). */
export function resolveSigningKeySync(key: MachineKeyInput): ResolvedSigningKey {
  const k = loadKeyInput(key);
  return isLoadedKey(k) ? { signingKey: k.privateKey, did: k.did } : { signingKey: k, did: undefined };
}
