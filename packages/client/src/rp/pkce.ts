/** PKCE (RFC 7636, S256 only), `state` and `nonce` values: 32 random bytes, base64url (43 characters). */
import { createHash, randomBytes } from 'node:crypto';

export interface Pkce {
  /** Keep it server-side (session); send it as `code_verifier` at the code exchange. */
  verifier: string;
  /** BASE64URL(SHA-256(verifier)): the `code_challenge`. */
  challenge: string;
  method: 'S256';
}

const random = (): string => randomBytes(32).toString('base64url');

/** S256 challenge of a verifier. */
export function pkceChallenge(verifier: string): string {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) throw new TypeError('a PKCE code_verifier is 43–128 characters of [A-Za-z0-9._~-]');
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function createPkce(): Pkce {
  const verifier = random();
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' };
}

export function randomState(): string {
  return random();
}

export function randomNonce(): string {
  return random();
}
