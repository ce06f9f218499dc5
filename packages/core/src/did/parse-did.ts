/**
 * DID URL syntax (W3C DID Core §3.1, §3.2), restricted to what verification needs: no path, no
 * query; an optional fragment. Bounded: at most 2048 characters.
 */
import type { ParsedDid } from './types.ts';

const MAX_DID_URL = 2048;
// method-name = 1*method-char (a-z, 0-9); method-specific-id = *( *idchar ":" ) 1*idchar
const DID_URL_RE = /^did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*)*)(?:#([A-Za-z0-9._~!$&'()*+,;=:@/?%-]*))?$/;

/** Parses `did:<method>:<id>[#fragment]`; null when it is not one. */
export function parseDid(didUrl: unknown): ParsedDid | null {
  if (typeof didUrl !== 'string' || didUrl.length > MAX_DID_URL) return null;
  const m = DID_URL_RE.exec(didUrl);
  if (!m) return null;
  const method = m[1]!;
  const id = m[2]!;
  // the last segment of the method-specific id must not be empty
  if (id.length === 0 || id.endsWith(':')) return null;
  const did = `did:${method}:${id}`;
  return { did, method, id, fragment: m[3], didUrl };
}
