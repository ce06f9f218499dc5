/** Base64 helpers that are strict about alphabet but liberal about the two DOME encodings. */

const B64URL_RE = /^[A-Za-z0-9_-]*$/;
const B64_ANY_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;

/** True when `s` uses only the base64url alphabet without padding (a JWS segment). */
export function isBase64UrlSegment(s: string): boolean {
  return B64URL_RE.test(s);
}

/**
 * Decodes standard or URL-safe base64, padded or not (DOME wallets send base64url without
 * padding, the IN2 issuer standard base64; dome-verifier-wire.md Appendix A.1). Returns
 * undefined when the text is not base64 in either alphabet.
 */
export function decodeBase64Liberal(s: string): Buffer | undefined {
  if (s.length === 0 || !B64_ANY_RE.test(s)) return undefined;
  const body = s.replace(/=+$/, '');
  if (body.length % 4 === 1) return undefined;
  if (/[+/]/.test(body) && /[-_]/.test(body)) return undefined; // mixed alphabets
  return Buffer.from(body.replace(/\+/g, '-').replace(/\//g, '_'), 'base64url');
}
