/**
 * JSON helpers for attacker-supplied input. `JSON.parse` is iterative and accepts any depth,
 * but every recursive consumer (stringify, structuredClone, our own walkers) breaks at a few
 * thousand levels, so depth is capped right after parsing (performance-anchors.md §7.4).
 */

export const DEFAULT_MAX_JSON_DEPTH = 32;

export class JsonInputError extends Error {
  override name = 'JsonInputError';
  readonly reason: 'syntax' | 'depth' | 'duplicate_key' | 'not_object';
  constructor(reason: JsonInputError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

/** Depth of nested arrays/objects, computed with an explicit stack (no recursion). */
export function exceedsDepth(value: unknown, maxDepth: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}

/**
 * Reports whether a JSON text repeats a member name inside one object. `JSON.parse` keeps
 * the last duplicate silently, which lets two parsers disagree about e.g. `alg` (RFC 7515 §4:
 * "MUST reject … or use a JSON parser that returns only the lexically last"). We reject.
 * Linear single pass over the text; assumes the text already parsed as valid JSON.
 */
export function hasDuplicateKeys(text: string): boolean {
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  const n = text.length;
  let expectKey = false;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push(new Set());
      expectKey = true;
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push(null);
      expectKey = false;
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      expectKey = false;
      i++;
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] instanceof Set;
      i++;
    } else if (c === 0x22 /* " */) {
      // Jump to the closing quote: a quote preceded by an odd number of backslashes is escaped.
      let j = text.indexOf('"', i + 1);
      while (j !== -1) {
        let k = j - 1;
        while (text.charCodeAt(k) === 0x5c) k--;
        if ((j - 1 - k) % 2 === 0) break;
        j = text.indexOf('"', j + 1);
      }
      if (j === -1) j = n;
      if (expectKey) {
        const top = stack[stack.length - 1];
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (top) {
          if (top.has(key)) return true;
          top.add(key);
        }
        expectKey = false;
      }
      i = j + 1;
    } else {
      i++;
    }
  }
  return false;
}

export interface ParseJsonOptions {
  maxDepth?: number;
  rejectDuplicateKeys?: boolean;
}

/** Parses a JSON object (not array, not null) with depth cap and optional duplicate-key check. */
export function parseJsonObject(text: string, options: ParseJsonOptions = {}): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new JsonInputError('syntax', 'is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JsonInputError('not_object', 'is not a JSON object');
  }
  if (exceedsDepth(value, options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH)) {
    throw new JsonInputError('depth', `nests deeper than ${options.maxDepth ?? DEFAULT_MAX_JSON_DEPTH} levels`);
  }
  if (options.rejectDuplicateKeys && hasDuplicateKeys(text)) {
    throw new JsonInputError('duplicate_key', 'repeats a member name');
  }
  return value as Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Deterministic copy with object keys sorted alphabetically and `null`/`undefined` members
 * dropped — the shape Jackson (`SORT_PROPERTIES_ALPHABETICALLY`, `NON_NULL`) gives DOME's
 * token `vc` claims (dome-verifier-wire.md §5, Appendix A.12). Input depth must be capped.
 */
export function sortedCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedCopy);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = value[key];
    if (v === null || v === undefined) continue;
    out[key] = sortedCopy(v);
  }
  return out;
}
