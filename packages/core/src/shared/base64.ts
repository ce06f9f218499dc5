/** Base64 helpers that are strict about alphabet but liberal about the two DOME encodings. */

/** 6-bit value of each base64 character of either alphabet (-1: not one). */
const SEXTET = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'].entries()) SEXTET[c.charCodeAt(0)] = i;
SEXTET[0x2b] = SEXTET[0x2d] = 62; // + -
SEXTET[0x2f] = SEXTET[0x5f] = 63; // / _

/**
 * The decoded bytes of `s[0, body)` when that body is canonical base64: Node's decoder (which
 * takes both alphabets and skips or stops at anything else) yields exactly ⌊body·6/8⌋ bytes —
 * fewer means a character outside both alphabets — the length is not 1 mod 4, and the unused
 * low bits of the last character are zero. The same verdict as re-encoding and comparing, without
 * building the two re-encoded strings (≈ 20 KB per DOME token request).
 */
function decodeCanonical(s: string, body: number): Buffer | undefined {
  if ((body & 3) === 1) return undefined;
  const buf = Buffer.from(body === s.length ? s : s.slice(0, body), 'base64');
  return buf.length === (body * 3) >>> 2 && zeroTrailingBits(s, body) ? buf : undefined;
}

/** The unused low bits of the last character of a body that is not a multiple of 4 are zero. */
function zeroTrailingBits(s: string, body: number): boolean {
  const rem = body & 3;
  if (rem === 0) return true;
  const c = s.charCodeAt(body - 1);
  const v = c < 128 ? SEXTET[c]! : -1;
  return v >= 0 && (v & (rem === 2 ? 0xf : 0x3)) === 0;
}

/**
 * decodeCanonical's verdict, the bytes left in a reused scratch buffer and read back as text:
 * a token request decodes ≈ 25 KB of JWT parts, and a Buffer of more than 4 KiB is an
 * ArrayBuffer of its own, allocated and collected per request. Past the scratch size (64 KiB,
 * more than a form body holds) the bytes get a Buffer of their own.
 */
const SCRATCH_BYTES = 64 * 1024;
const scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

function decodeCanonicalText(s: string, body: number, encoding: 'utf8' | 'latin1'): string | undefined {
  if ((body & 3) === 1) return undefined;
  const expected = (body * 3) >>> 2;
  if (expected > SCRATCH_BYTES) return decodeCanonical(s, body)?.toString(encoding);
  const written = scratch.write(body === s.length ? s : s.slice(0, body), 0, 'base64');
  return written === expected && zeroTrailingBits(s, body) ? scratch.toString(encoding, 0, written) : undefined;
}

const hasStandardChars = (s: string) => s.includes('+') || s.includes('/');
const hasUrlSafeChars = (s: string) => s.includes('-') || s.includes('_');

/**
 * Decodes canonical unpadded base64url (the JWS segment encoding, RFC 7515 §2), or returns
 * undefined: other alphabets, padding, stray characters and non-zero trailing bits are refused
 * (re-encoding the bytes gives `s` back exactly).
 */
export function decodeBase64UrlCanonical(s: string): Buffer | undefined {
  if (hasStandardChars(s)) return undefined;
  return decodeCanonical(s, s.length);
}

/** decodeBase64UrlCanonical, the bytes read as text (`utf8`: JSON; `latin1`: byte for byte). */
export function decodeBase64UrlCanonicalText(s: string, encoding: 'utf8' | 'latin1'): string | undefined {
  if (hasStandardChars(s)) return undefined;
  return decodeCanonicalText(s, s.length, encoding);
}

/**
 * Decodes standard or URL-safe base64, padded or not (DOME wallets send base64url without
 * padding, the IN2 issuer standard base64; dome-verifier-wire.md Appendix A.1). Returns
 * undefined when the text is not base64 in either alphabet: accepted are exactly the four
 * canonical forms of the bytes (standard or URL-safe, with the canonical padding or none) —
 * no stray characters, no mixed alphabets, no inner or extra padding.
 */
export function decodeBase64Liberal(s: string): Buffer | undefined {
  const body = liberalBody(s);
  return body === undefined ? undefined : decodeCanonical(s, body);
}

/** decodeBase64Liberal, the bytes read as text (`utf8` or `latin1`: byte for byte). */
export function decodeBase64LiberalText(s: string, encoding: 'utf8' | 'latin1'): string | undefined {
  const body = liberalBody(s);
  return body === undefined ? undefined : decodeCanonicalText(s, body, encoding);
}

/** The length of `s` without its padding, or undefined when the padding or the alphabets are off. */
function liberalBody(s: string): number | undefined {
  const n = s.length;
  if (n === 0) return undefined;
  const pad = s.charCodeAt(n - 1) !== 0x3d ? 0 : n > 1 && s.charCodeAt(n - 2) === 0x3d ? 2 : 1;
  // With padding the whole text is a multiple of 4 (so the padding is the canonical one).
  if (pad > 0 && (n & 3) !== 0) return undefined;
  if (hasStandardChars(s) && hasUrlSafeChars(s)) return undefined;
  return n - pad;
}
