/**
 * Claim restrictions of a Trusted Issuers List entry (`attributes[].body.claims[]`,
 * fiware-vcverifier.md §7.4; VCVerifier `verifier/trustedissuer.go`), as a check that returns
 * every failure (sd-jwt-js style, STYLE.md §3.2):
 *
 * - the attributes that apply are those whose `credentialsType` is the credential type (or one
 *   of the types given) and whose `validFor` covers `validAt` (VCVerifier ignores `validFor`; we
 *   do not) — none: `NO_ATTRIBUTE`;
 * - the applicable attributes are ORed (one that passes is enough); the claims of one attribute
 *   are ANDed;
 * - only the first `credentialSubject` is read, without its `id`;
 * - `name` (legacy): a top-level subject key; absent passes, present must JSON-equal one of
 *   `allowedValues`;
 * - `path`: a JSONPath over the subject in the subset `evaluateClaimPath` implements; a path that
 *   does not resolve passes; a list result must be a subset of `allowedValues`, an object must
 *   deep-equal one of them, a scalar must be one of them. Values compare structurally (JSON
 *   values, object member order ignored, `3` ≠ `"3"`).
 * - Stricter than VCVerifier: a path outside the subset (VCVerifier passes a path its library
 *   cannot parse) or a malformed restriction fails closed.
 */
import { isRecord } from '../shared/json.ts';
import type { IssuerAttribute } from './trusted-issuers.ts';

export type ClaimRestrictionErrorCode =
  /** No attribute of the issuer's TIL entry is for this credential type at this time. */
  | 'NO_ATTRIBUTE'
  /** A claim value is not among the attribute's `allowedValues`. */
  | 'CLAIM_VALUE_NOT_ALLOWED'
  /** A `path` outside the implemented JSONPath subset (or matching too many values). */
  | 'CLAIM_PATH_UNSUPPORTED'
  /** A restriction without a string `name`/`path` or without an `allowedValues` list. */
  | 'CLAIM_RESTRICTION_INVALID';

export interface ClaimRestrictionError {
  readonly code: ClaimRestrictionErrorCode;
  /** The restriction's `path` or `name`. */
  readonly claim?: string;
  readonly message: string;
}

export type ClaimRestrictionResult =
  | { readonly success: true; readonly attribute: IssuerAttribute }
  | { readonly success: false; readonly errors: readonly ClaimRestrictionError[] };

const MAX_PATH = 256;
const MAX_SEGMENTS = 32;
const MAX_MATCHES = 1_000;

type Segment = { kind: 'member'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

class UnsupportedPathError extends Error {
  override name = 'UnsupportedPathError';
}

const SEGMENT_RE = /^(?:\.([A-Za-z0-9_@$-]+)|\.\*|\[\*\]|\[(\d{1,6})\]|\['([^'\\]*)'\]|\["([^"\\]*)"\])/;

function parsePath(path: string): Segment[] {
  const unsupported = (why: string) => new UnsupportedPathError(`unsupported claim path ${JSON.stringify(path.slice(0, 64))}: ${why}`);
  if (path.length > MAX_PATH) throw unsupported(`longer than ${MAX_PATH} characters`);
  if (!path.startsWith('$')) throw unsupported('it must start with $');
  const segments: Segment[] = [];
  let rest = path.slice(1);
  while (rest.length > 0) {
    if (rest.startsWith('..')) throw unsupported('recursive descent (..) is not implemented');
    const m = SEGMENT_RE.exec(rest);
    if (!m) throw unsupported('only .name, [\'name\'], [n], [*] and .* are implemented');
    if (m[1] !== undefined) segments.push({ kind: 'member', name: m[1] });
    else if (m[2] !== undefined) segments.push({ kind: 'index', index: Number(m[2]) });
    else if (m[3] !== undefined || m[4] !== undefined) segments.push({ kind: 'member', name: (m[3] ?? m[4])! });
    else segments.push({ kind: 'wildcard' });
    if (segments.length > MAX_SEGMENTS) throw unsupported(`more than ${MAX_SEGMENTS} segments`);
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/**
 * Evaluates a JSONPath of the subset `$` · `.name` · `['name']` · `[n]` · `[*]` · `.*` over
 * `root`. A path without a wildcard yields its one value (or `found: false`); a path with one
 * yields the list of every match (possibly empty), flattened across wildcards. Throws on
 * anything else (filters, slices, negative indexes, `..`) and past 1,000 matches.
 */
export function evaluateClaimPath(path: string, root: unknown): { found: true; value: unknown } | { found: false } {
  const segments = parsePath(path);
  let current: unknown[] = [root];
  let ambiguous = false;
  for (const s of segments) {
    const next: unknown[] = [];
    for (const v of current) {
      if (s.kind === 'member') {
        if (isRecord(v) && Object.hasOwn(v, s.name)) next.push(v[s.name]);
      } else if (s.kind === 'index') {
        if (Array.isArray(v) && s.index < v.length) next.push(v[s.index]);
      } else {
        ambiguous = true;
        if (Array.isArray(v)) next.push(...v);
        else if (isRecord(v)) next.push(...Object.values(v));
      }
      if (next.length > MAX_MATCHES) throw new UnsupportedPathError(`unsupported claim path ${JSON.stringify(path.slice(0, 64))}: matches more than ${MAX_MATCHES} values`);
    }
    current = next;
  }
  if (ambiguous) return { found: true, value: current };
  return current.length === 0 ? { found: false } : { found: true, value: current[0] };
}

/** JSON text with object members sorted: equal texts ⇔ structurally equal JSON values. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function checkClaim(subject: Record<string, unknown>, claim: unknown): ClaimRestrictionError | undefined {
  const invalid: ClaimRestrictionError = { code: 'CLAIM_RESTRICTION_INVALID', message: 'a claim restriction of the issuer has no name or path, or no allowedValues list' };
  if (!isRecord(claim) || !Array.isArray(claim.allowedValues)) return invalid;
  const path = typeof claim.path === 'string' && claim.path.length > 0 ? claim.path : undefined;
  const name = typeof claim.name === 'string' && claim.name.length > 0 ? claim.name : undefined;
  if (path === undefined && name === undefined) return invalid;
  const allowed = new Set(claim.allowedValues.map(canonical));
  const label = (path ?? name)!;
  const notAllowed: ClaimRestrictionError = { code: 'CLAIM_VALUE_NOT_ALLOWED', claim: label, message: `the credential claim ${label} has a value the issuer is not allowed to attest` };
  if (path !== undefined) {
    let result;
    try {
      result = evaluateClaimPath(path, subject);
    } catch (e) {
      return { code: 'CLAIM_PATH_UNSUPPORTED', claim: label, message: (e as Error).message };
    }
    if (!result.found) return undefined;
    const v = result.value;
    if (Array.isArray(v)) return v.every((x) => allowed.has(canonical(x))) ? undefined : notAllowed;
    return allowed.has(canonical(v)) ? undefined : notAllowed;
  }
  if (!Object.hasOwn(subject, name!)) return undefined;
  return allowed.has(canonical(subject[name!])) ? undefined : notAllowed;
}

/**
 * Checks `credential` (a VC object: its `credentialSubject`) against the claim restrictions of
 * the issuer's `attributes` for `credentialType` (a type, or several: attributes of any apply)
 * at `validAt` (ms epoch). See the file comment for the rules.
 */
export function checkClaimRestrictions(
  credential: Record<string, unknown>,
  attributes: readonly IssuerAttribute[],
  credentialType: string | readonly string[],
  validAt: number,
): ClaimRestrictionResult {
  const types = typeof credentialType === 'string' ? [credentialType] : credentialType;
  const applicable = attributes.filter(
    (a) => types.includes(a.credentialsType) && (a.validFrom === undefined || a.validFrom <= validAt) && (a.validTo === undefined || validAt < a.validTo),
  );
  if (applicable.length === 0) {
    return { success: false, errors: [{ code: 'NO_ATTRIBUTE', message: 'the issuer is not trusted for this credential type at this time' }] };
  }
  const cs = credential.credentialSubject;
  const first = Array.isArray(cs) ? cs[0] : cs;
  const subject: Record<string, unknown> = isRecord(first) ? { ...first } : {};
  delete subject.id;
  const errors: ClaimRestrictionError[] = [];
  for (const attribute of applicable) {
    const failures = attribute.claims.map((c) => checkClaim(subject, c)).filter((e): e is ClaimRestrictionError => e !== undefined);
    if (failures.length === 0) return { success: true, attribute };
    errors.push(...failures);
  }
  return { success: false, errors };
}
