/**
 * Step 6 — decode the disclosures and rebuild the claims (RFC 9901 §7.1 step 3–5): each `_sd`
 * digest and each array element `{"...": digest}` is replaced by its disclosure, recursively
 * (disclosed values may carry `_sd` themselves). Refused: a digest that appears more than once
 * (in the payload, in disclosures, or as the digest of two presented disclosures), a presented
 * disclosure no digest references (a tampered disclosure has another digest and lands here), a
 * disclosed claim named `_sd` or `...`, a disclosed claim that is already present, an object
 * disclosure in an array slot or vice versa, and nesting beyond the cap. Unmatched digests are
 * decoys and vanish, as `_sd`, `_sd_alg` and array placeholders do.
 */
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { DecodedDisclosure, SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';
import { decodeDisclosure } from './decode-disclosure.ts';
import { SD_ALG } from './check-sd-alg.ts';

const RESERVED = new Set(['_sd', '...']);

function define(target: Record<string, unknown>, key: string, value: unknown): void {
  // Own data property: a claim named "__proto__" stays a claim, never a prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies `disclosures` to `payload`; exported for vectors and tooling. */
export function applyDisclosures(payload: Record<string, unknown>, disclosures: readonly DecodedDisclosure[], maxDepth: number): Record<string, unknown> {
  const byDigest = new Map<string, DecodedDisclosure>();
  for (const d of disclosures) {
    if (byDigest.has(d.digest)) sdJwtFail('DIGEST_DUPLICATE', 'the same disclosure is presented twice');
    byDigest.set(d.digest, d);
  }
  const referenced = new Set<string>();
  const used = new Set<string>();

  function lookup(digest: unknown): DecodedDisclosure | undefined {
    if (typeof digest !== 'string' || digest.length === 0 || digest.length > 128) sdJwtFail('DISCLOSURE_MALFORMED', 'a digest is not a base64url string');
    if (referenced.has(digest)) sdJwtFail('DIGEST_DUPLICATE', 'a digest appears more than once in the SD-JWT');
    referenced.add(digest);
    const d = byDigest.get(digest);
    if (d) used.add(digest);
    return d;
  }

  function walk(value: unknown, depth: number): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (depth > maxDepth) sdJwtFail('DISCLOSURE_TOO_DEEP', `the disclosed claims nest deeper than ${maxDepth} levels`);
    if (Array.isArray(value)) {
      const out: unknown[] = [];
      for (const el of value) {
        if (isRecord(el) && Object.hasOwn(el, '...')) {
          if (Object.keys(el).length !== 1) sdJwtFail('DISCLOSURE_MALFORMED', 'an array element digest object has members besides "..."');
          const d = lookup(el['...']);
          if (!d) continue;
          if (d.name !== undefined) sdJwtFail('DISCLOSURE_MALFORMED', 'an object-property disclosure is referenced as an array element');
          out.push(walk(d.value, depth + 1));
        } else out.push(walk(el, depth + 1));
      }
      return out;
    }
    const obj = value as Record<string, unknown>;
    if (Object.hasOwn(obj, '_sd_alg') && obj._sd_alg !== SD_ALG) sdJwtFail('SD_ALG_UNSUPPORTED', `the _sd_alg must be "${SD_ALG}"`);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(obj)) {
      if (k === '_sd' || k === '_sd_alg') continue;
      if (k === '...') sdJwtFail('DISCLOSURE_MALFORMED', 'an object member is named "..." outside an array');
      define(out, k, walk(v, depth + 1));
    }
    const sd = obj._sd;
    if (sd !== undefined) {
      if (!Array.isArray(sd)) sdJwtFail('DISCLOSURE_MALFORMED', 'an _sd member is not an array of digests');
      for (const digest of sd) {
        const d = lookup(digest);
        if (!d) continue;
        if (d.name === undefined) sdJwtFail('DISCLOSURE_MALFORMED', 'an array-element disclosure is referenced from an _sd array');
        if (RESERVED.has(d.name)) sdJwtFail('DISCLOSURE_RESERVED_NAME', `a disclosure names the reserved claim "${d.name}"`);
        if (Object.hasOwn(out, d.name)) sdJwtFail('DISCLOSURE_CLAIM_CONFLICT', 'a disclosure names a claim that is already present');
        define(out, d.name, walk(d.value, depth + 1));
      }
    }
    return out;
  }

  const claims = walk(payload, 1) as Record<string, unknown>;
  for (const d of disclosures) {
    if (!used.has(d.digest)) sdJwtFail('DISCLOSURE_UNREFERENCED', 'a disclosure is not referenced by any digest of the SD-JWT (tampered or foreign)');
  }
  return claims;
}

export const applyDisclosuresStep: Step<SdJwtContext> = {
  name: 'sd-jwt-disclosures',
  run({ limits, state }) {
    const disclosures = state.encodedDisclosures!.map((d, i) => decodeDisclosure(d, limits.maxDepth, i + 1));
    state.disclosures = disclosures;
    state.claims = applyDisclosures(state.issuerJwt!.payload, disclosures, limits.maxDepth);
  },
};
