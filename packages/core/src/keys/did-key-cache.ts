/** did:key → KeyObject with a bounded cache (a did:key import costs ≈ 67 µs, more than a verify). */
import type { KeyObject } from 'node:crypto';
import { didKeyToKeyObject, stripFragment } from '@dome-verifier/did-key';
import { BoundedCache } from '../shared/bounded-cache.ts';

const cache = new BoundedCache<string, KeyObject>(20_000);

/** Public key of a P-256 did:key (fragment ignored); throws DidKeyError when it is not one. */
export function publicKeyOfDidKey(did: string): KeyObject {
  const bare = stripFragment(did);
  let key = cache.get(bare);
  if (!key) {
    key = didKeyToKeyObject(bare);
    cache.set(bare, key);
  }
  return key;
}
