/**
 * One decoder for every `vp_token` a DOME wallet posts to `/oid4vp/auth-response`
 * (docs/compatibility.md "What each wallet posts"):
 *
 *   - the deployed DOME wallet: base64url (no padding) of the VP JWT, or the VP JWT itself
 *     (dome-verifier-wire.md §2.6);
 *   - the EUDIStack wallet PWA: **standard base64 with padding** of a DCQL map
 *     `{queryId: ["<VP JWT>"]}` (JWT VC, an array) or `{queryId: "<SD-JWT~…~KB-JWT>"}` (SD-JWT, a
 *     string), or of a bare VP JWT / SD-JWT (dome-wallet-pwa.md §4.3);
 *   - OpenID4VP 1.0 as written (§8.1): the DCQL map as raw JSON, not base64-wrapped.
 *
 * A map key must name a credential query this login sent, and the presentation under it must be
 * of that query's format (its type / `vct` is checked once the credential is parsed:
 * check-answered-query.ts). One presentation answers a login: the request's `credential_sets`
 * offers every query as an alternative, so a second presentation is never needed and is refused
 * rather than ignored unverified (IN2's V3 silently takes the first map entry).
 *
 * Bounded: the text length, the JSON nesting (object → array → string), the number of map
 * entries and of presentations; duplicate member names are refused (two parsers must not
 * disagree about which presentation was sent). Framework-free, no crypto, no I/O.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { decodeBase64Liberal } from '../../shared/base64.ts';
import { exceedsDepth, hasDuplicateKeys, isRecord } from '../../shared/json.ts';
import type { SentCredentialQuery, SentQueryFormat } from './sent-queries.ts';

export const VP_TOKEN_LIMITS = Object.freeze({
  /** Characters of the posted value (the wallet form body is capped at 64 KiB anyway). */
  maxLength: 64 * 1024,
  /** Members of a DCQL map. */
  maxEntries: 8,
  /** Presentations under one member (OpenID4VP `multiple`). */
  maxPerEntry: 8,
});

export type VpTokenEncoding = 'compact' | 'base64' | 'json';

export interface DecodedVpToken {
  /** compact = the presentation as is; base64 = base64/base64url-wrapped (map or bare); json = raw OpenID4VP 1.0 map. */
  encoding: VpTokenEncoding;
  /** The credential query the map key names; absent for a bare presentation. */
  query?: SentCredentialQuery;
  /** `dc+sd-jwt` when the presentation is an SD-JWT (it contains `~`), else `jwt_vc_json`. */
  format: SentQueryFormat;
  /** The compact VP JWT or `<issuer-jwt>~<disclosures>~<kb-jwt>`. */
  presentation: string;
}

const encoding = (msg: string) => new VerifierError('ERR_VP_TOKEN_ENCODING', msg);
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SD_JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+~[A-Za-z0-9_.~-]*$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The format of a compact presentation, or undefined when it is neither a JWS nor an SD-JWT. */
function formatOf(s: string): SentQueryFormat | undefined {
  if (COMPACT_JWS.test(s)) return 'jwt_vc_json';
  if (SD_JWT.test(s)) return 'dc+sd-jwt';
  return undefined;
}

function parseMap(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw encoding('vp_token is not valid JSON');
  }
  if (!isRecord(value)) throw encoding('vp_token JSON must be an object mapping credential query ids to presentations');
  if (exceedsDepth(value, 2)) throw encoding('vp_token JSON nests deeper than {queryId: [presentation]}');
  if (hasDuplicateKeys(text)) throw encoding('vp_token JSON repeats a credential query id');
  return value;
}

function fromMap(map: Record<string, unknown>, sent: readonly SentCredentialQuery[], enc: VpTokenEncoding): DecodedVpToken {
  const keys = Object.keys(map);
  if (keys.length === 0) throw encoding('vp_token names no credential query');
  if (keys.length > VP_TOKEN_LIMITS.maxEntries) throw encoding(`vp_token names more than ${VP_TOKEN_LIMITS.maxEntries} credential queries`);
  const answers: Array<{ query: SentCredentialQuery; presentation: string }> = [];
  for (const key of keys) {
    const query = sent.find((q) => q.id === key);
    if (!query) throw new VerifierError('ERR_VP_TOKEN_QUERY_UNKNOWN', 'vp_token answers a credential query this login did not send');
    const v = map[key];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : undefined;
    if (!list || list.length === 0 || !list.every((p): p is string => typeof p === 'string')) {
      throw encoding('each vp_token entry must be a presentation string or a non-empty array of them');
    }
    if (list.length > VP_TOKEN_LIMITS.maxPerEntry) throw encoding(`a vp_token entry holds more than ${VP_TOKEN_LIMITS.maxPerEntry} presentations`);
    for (const presentation of list) answers.push({ query, presentation });
  }
  if (answers.length > 1) throw new VerifierError('ERR_VP_TOKEN_PRESENTATIONS', 'vp_token must carry exactly one presentation (any one credential query satisfies this login)');
  const { query, presentation } = answers[0]!;
  const format = formatOf(presentation);
  if (!format) throw encoding('the presentation is neither a compact JWT nor an SD-JWT');
  if (format !== query.format) {
    throw new VerifierError('ERR_VP_TOKEN_QUERY_MISMATCH', `the presentation is ${format === 'dc+sd-jwt' ? 'an SD-JWT' : 'a JWT'}, but the credential query it answers asks for ${query.format}`);
  }
  return { encoding: enc, query, format, presentation };
}

/** Decodes a posted `vp_token` against the credential queries this login sent. */
export function decodeVpToken(raw: string, sent: readonly SentCredentialQuery[]): DecodedVpToken {
  if (raw.length === 0) throw encoding('vp_token is empty');
  if (raw.length > VP_TOKEN_LIMITS.maxLength) throw encoding(`vp_token exceeds ${VP_TOKEN_LIMITS.maxLength} characters`);
  if (raw.trimStart().startsWith('{')) return fromMap(parseMap(raw), sent, 'json');
  // A compact JWS or SD-JWT contains dots; base64 never does.
  if (raw.includes('.')) {
    const format = formatOf(raw);
    if (!format) throw encoding('vp_token is neither base64 of a presentation or DCQL map, nor a compact JWT or SD-JWT');
    return { encoding: 'compact', format, presentation: raw };
  }
  const bytes = decodeBase64Liberal(raw);
  let text: string | undefined;
  try {
    text = bytes && utf8.decode(bytes);
  } catch {
    text = undefined;
  }
  if (text === undefined) throw encoding('vp_token is neither base64 of a presentation or DCQL map, nor a compact JWT or SD-JWT');
  if (text.trimStart().startsWith('{')) return fromMap(parseMap(text), sent, 'base64');
  const format = formatOf(text);
  if (!format) throw encoding('the base64-decoded vp_token is neither a DCQL map nor a compact JWT or SD-JWT');
  return { encoding: 'base64', format, presentation: text };
}
