/**
 * What of each credential the access token carries (spec §4.5, `jwtInclusion`): the requirement
 * that decides is the first of the credential's `type` entries that the scope configures (not
 * VCVerifier's "first type entry, configured or not", which yields `{}` for a
 * `["VerifiableCredential", "X"]` credential); `enabled: false` there leaves the credential out;
 * `fullInclusion` includes the credential object unchanged; otherwise `claimsToInclude` copies
 * each `originalKey` (a dot path, or a `$.`-JSONPath of dot members) to `newKey` (dot path;
 * default `originalKey`), skipping paths that do not resolve.
 */
import { isRecord } from '../../shared/json.ts';
import type { FiwareCredentialRequirement } from '../service-config.ts';
import type { FiwareCredential } from '../presentation/context.ts';
import { atDotPath } from '../presentation/check-holder.ts';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function pathOf(key: string): string {
  return key.startsWith('$.') ? key.slice(2) : key.startsWith('$') ? key.slice(1) : key;
}

function setAtDotPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  if (parts.some((p) => p === '' || FORBIDDEN_KEYS.has(p))) return;
  let o = target;
  for (const part of parts.slice(0, -1)) {
    if (!isRecord(o[part])) o[part] = {};
    o = o[part] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

/** The requirement whose jwtInclusion applies to a credential (see the module comment). */
export function inclusionRequirement(c: FiwareCredential): FiwareCredentialRequirement | undefined {
  for (const t of c.types) {
    const r = c.requirements.find((x) => x.type === t);
    if (r) return r;
  }
  return undefined;
}

/** The object the token carries for a credential, or undefined when it is not included. */
export function includedObject(c: FiwareCredential): Record<string, unknown> | undefined {
  const r = inclusionRequirement(c);
  if (!r || !r.jwtInclusion.enabled) return undefined;
  if (r.jwtInclusion.fullInclusion) return c.object;
  const out: Record<string, unknown> = {};
  for (const { originalKey, newKey } of r.jwtInclusion.claimsToInclude) {
    const value = atDotPath(c.object, pathOf(originalKey));
    if (value !== undefined) setAtDotPath(out, newKey ?? pathOf(originalKey), value);
  }
  return out;
}
