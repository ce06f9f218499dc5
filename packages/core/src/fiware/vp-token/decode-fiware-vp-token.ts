/**
 * Decodes a FIWARE `vp_token` / `subject_token` (spec §3), framework-free and without crypto:
 *
 * 1. outer: base64url without padding (RFC 4648 §5) when the value is only that alphabet,
 *    otherwise the raw text (a compact JWT's dots, a JSON map's braces);
 * 2. a JSON object is a DCQL response map `{query_id: "<vp>" | ["<vp>", …]}` (6.12.7 takes
 *    strings, OID4VP 1.0 and FIWARE's pre-release arrays: both); each value goes through step 1
 *    and 3 again, never through 2 (no nested maps); a JSON-LD presentation (`{"type": …,
 *    "verifiableCredential": …}`) carries no proof we can check and is refused;
 * 3. one presentation: an SD-JWT (`<jwt>~…~[<kb-jwt>]`) or a compact VP JWT.
 *
 * Bounded: 64 Ki characters (the form body limit), 8 map entries, 8 values per entry.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { parseJsonObject } from '../../shared/json.ts';

export const FIWARE_VP_TOKEN_LIMITS = { maxLength: 64 * 1024, maxEntries: 8, maxValuesPerEntry: 8 } as const;

export type FiwarePresentationValue =
  | { readonly kind: 'vp-jwt'; readonly jwt: string; readonly queryId?: string }
  | { readonly kind: 'sd-jwt'; readonly sdJwt: string; readonly queryId?: string };

const encoding = (msg: string) => new VerifierError('ERR_FIWARE_VP_TOKEN_ENCODING', msg);
const B64URL = /^[A-Za-z0-9_-]+$/;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** Step 1: base64url-no-pad decoded when the value is only that alphabet, else the value itself. */
export function decodeOuter(value: string): string {
  if (!B64URL.test(value) || value.length % 4 === 1) return value;
  const text = Buffer.from(value, 'base64url').toString('utf8');
  // Only text that re-encodes to the input is a decoding (Node skips junk silently).
  return Buffer.from(text, 'utf8').toString('base64url') === value ? text : value;
}

function onePresentation(text: string, queryId?: string): FiwarePresentationValue {
  const id = queryId === undefined ? {} : { queryId };
  if (text.includes('~')) {
    const first = text.slice(0, text.indexOf('~'));
    if (!COMPACT_JWS.test(first)) throw encoding('the SD-JWT does not start with a compact JWT');
    return { kind: 'sd-jwt', sdJwt: text, ...id };
  }
  if (!COMPACT_JWS.test(text)) throw encoding('vp_token is not a compact VP JWT, an SD-JWT, a DCQL map, or base64url (no padding) of one');
  return { kind: 'vp-jwt', jwt: text, ...id };
}

function isJsonLdPresentation(o: Record<string, unknown>): boolean {
  return 'verifiableCredential' in o || 'holder' in o || '@context' in o || 'type' in o || 'proof' in o;
}

/** The presentations a `vp_token` carries, in map order (the first supplies the holder). */
export function decodeFiwareVpToken(raw: string | undefined): FiwarePresentationValue[] {
  if (raw === undefined || raw === '') throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'vp_token is required');
  if (raw.length > FIWARE_VP_TOKEN_LIMITS.maxLength) throw encoding(`vp_token exceeds ${FIWARE_VP_TOKEN_LIMITS.maxLength} characters`);
  const text = decodeOuter(raw.trim());
  if (!text.startsWith('{')) return [onePresentation(text)];
  let map: Record<string, unknown>;
  try {
    map = parseJsonObject(text, { maxDepth: 16, rejectDuplicateKeys: true });
  } catch {
    throw encoding('vp_token is not a JSON object within the nesting cap');
  }
  if (isJsonLdPresentation(map)) {
    throw new VerifierError('ERR_FIWARE_PRESENTATION_UNVERIFIABLE', 'JSON-LD presentations are not accepted: their proofs cannot be verified here; send a VP JWT');
  }
  const entries = Object.entries(map);
  if (entries.length === 0) throw encoding('the DCQL map has no entries');
  if (entries.length > FIWARE_VP_TOKEN_LIMITS.maxEntries) throw encoding(`the DCQL map has more than ${FIWARE_VP_TOKEN_LIMITS.maxEntries} entries`);
  const out: FiwarePresentationValue[] = [];
  for (const [queryId, v] of entries) {
    const values = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!values || values.length === 0 || values.length > FIWARE_VP_TOKEN_LIMITS.maxValuesPerEntry || !values.every((x) => typeof x === 'string' && x !== '')) {
      throw encoding(`the DCQL map value of ${queryId.slice(0, 64)} must be a presentation string or a list of 1–${FIWARE_VP_TOKEN_LIMITS.maxValuesPerEntry} of them`);
    }
    for (const value of values as string[]) {
      const inner = decodeOuter(value);
      if (inner.startsWith('{')) throw encoding('a DCQL map value must be a presentation, not another map');
      out.push(onePresentation(inner, queryId));
    }
  }
  return out;
}
