/** Base64 helpers that are strict about alphabet but liberal about the two DOME encodings. */

/**
 * Decodes standard or URL-safe base64, padded or not (DOME wallets send base64url without
 * padding, the IN2 issuer standard base64; dome-verifier-wire.md Appendix A.1). Returns
 * undefined when the text is not base64 in either alphabet.
 */
export function decodeBase64Liberal(s: string): Buffer | undefined {
  if (s.length === 0) return undefined;
  // Node's base64 decoder takes both alphabets and skips junk; accept only when re-encoding in
  // one of the four canonical forms gives the input back (no stray characters, no mixing).
  const buf = Buffer.from(s, 'base64');
  const std = buf.toString('base64');
  const url = buf.toString('base64url');
  const pad = std.endsWith('==') ? 2 : std.endsWith('=') ? 1 : 0;
  if (s === std || s === url || s === std.slice(0, std.length - pad) || s === url + '='.repeat(pad)) return buf;
  return undefined;
}
