/**
 * One disclosure (RFC 9901 §4.2): canonical unpadded base64url of a UTF-8 JSON array
 * `[salt, name, value]` (object property) or `[salt, value]` (array element). The digest is
 * base64url(SHA-256) over the ASCII of the disclosure exactly as presented (§4.2.3).
 */
import { createHash } from 'node:crypto';
import { exceedsDepth, hasDuplicateKeys } from '../../shared/json.ts';
import type { DecodedDisclosure } from './context.ts';
import { sdJwtFail } from './errors.ts';

export function disclosureDigest(encoded: string): string {
  return createHash('sha256').update(encoded, 'ascii').digest('base64url');
}

export function decodeDisclosure(encoded: string, maxDepth: number, position = 0): DecodedDisclosure {
  const where = position > 0 ? `disclosure #${position}` : 'a disclosure';
  const bytes = Buffer.from(encoded, 'base64url');
  if (bytes.toString('base64url') !== encoded) sdJwtFail('DISCLOSURE_MALFORMED', `${where} is not unpadded base64url`);
  const text = bytes.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    sdJwtFail('DISCLOSURE_MALFORMED', `${where} is not JSON`, e);
  }
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 3)) sdJwtFail('DISCLOSURE_MALFORMED', `${where} is not a JSON array of 2 or 3 elements`);
  if (exceedsDepth(value, maxDepth + 1)) sdJwtFail('DISCLOSURE_TOO_DEEP', `${where} nests deeper than ${maxDepth} levels`);
  if (hasDuplicateKeys(text)) sdJwtFail('DISCLOSURE_MALFORMED', `${where} repeats a member name`);
  const [salt] = value;
  if (typeof salt !== 'string' || salt.length === 0) sdJwtFail('DISCLOSURE_MALFORMED', `${where} has no salt string`);
  const digest = disclosureDigest(encoded);
  if (value.length === 2) return { encoded, digest, salt, value: value[1] };
  const name: unknown = value[1];
  if (typeof name !== 'string') sdJwtFail('DISCLOSURE_MALFORMED', `${where} has a claim name that is not a string`);
  return { encoded, digest, salt, name, value: value[2] };
}
