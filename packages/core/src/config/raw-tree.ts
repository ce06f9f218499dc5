/**
 * Raw configuration trees: what one source (a YAML document, the environment) says, keyed by the
 * schema's own names, leaves still raw text. Sources are merged like Spring property sources:
 * maps merge key by key, a leaf or a whole list comes from the highest-priority source that sets it.
 */
import { ConfigError } from './config-error.ts';
import type { ConfigNode } from './schema.ts';

export type Segment = string | number;
export type RawObject = { [key: string]: unknown };

/** Highest list index accepted from a source (keeps a typo from allocating a huge list). */
export const MAX_LIST_INDEX = 255;

export function isRawObject(v: unknown): v is RawObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
}

/** `['verifier', 'backend', 'trustFrameworks', 0, 'name']` → `verifier.backend.trustFrameworks[0].name`. */
export function formatKey(path: readonly Segment[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out === '' ? seg : `.${seg}`;
  return out;
}

/** Sets `value` at `path`, creating maps for names and lists for indices on the way. */
export function setRaw(root: RawObject, path: readonly Segment[], value: unknown): void {
  let container: RawObject | unknown[] = root;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (typeof seg === 'number' && seg > MAX_LIST_INDEX) {
      throw new ConfigError(formatKey(path.slice(0, i + 1)), `list index above ${MAX_LIST_INDEX}`);
    }
    const last = i === path.length - 1;
    const slot = container as Record<Segment, unknown>;
    if (last) {
      slot[seg] = value;
      return;
    }
    const nextIsIndex = typeof path[i + 1] === 'number';
    let next = slot[seg];
    if (nextIsIndex ? !Array.isArray(next) : !isRawObject(next)) {
      next = nextIsIndex ? [] : {};
      slot[seg] = next;
    }
    container = next as RawObject | unknown[];
  }
}

/** Reads the raw value at `path`, or undefined. */
export function getRaw(root: unknown, path: readonly Segment[]): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof seg === 'number' ? !Array.isArray(v) : !isRawObject(v)) return undefined;
    v = (v as Record<Segment, unknown>)[seg];
  }
  return v;
}

/** Merges `over` onto `base` following the schema: maps merge, leaves and whole lists replace. */
export function mergeRaw(node: ConfigNode, base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (node.kind !== 'object' || !isRawObject(base) || !isRawObject(over)) return over;
  const out: RawObject = { ...base };
  for (const { name, node: child } of node.children.values()) {
    if (over[name] !== undefined) out[name] = mergeRaw(child, base[name], over[name]);
  }
  return out;
}

/** Lists built from indexed keys (`…_0_…`, `[0]`) must not skip an index. */
export function checkLists(node: ConfigNode, value: unknown, path: Segment[] = []): void {
  if (node.kind === 'object' && isRawObject(value)) {
    for (const { name, node: child } of node.children.values()) checkLists(child, value[name], [...path, name]);
  } else if (node.kind === 'array' && Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new ConfigError(formatKey([...path, i]), 'is missing: list indices must be contiguous from 0');
      checkLists(node.element, value[i], [...path, i]);
    }
  }
}

/** Adds the empty maps and lists the schema expects, so defaults of nested leaves apply. */
export function fillStructure(node: ConfigNode, value: unknown): unknown {
  if (node.kind === 'leaf') return value;
  if (node.kind === 'array') {
    if (value === undefined) return [];
    return Array.isArray(value) ? value.map((v) => fillStructure(node.element, v)) : value;
  }
  if (value === undefined) value = {};
  if (!isRawObject(value)) return value;
  const out: RawObject = {};
  for (const { name, node: child } of node.children.values()) {
    const filled = fillStructure(child, value[name]);
    if (filled !== undefined) out[name] = filled;
  }
  return out;
}

/** Paths of the leaves set in a raw tree. */
export function leafPaths(node: ConfigNode, value: unknown, path: Segment[] = [], out: Segment[][] = []): Segment[][] {
  if (value === undefined) return out;
  if (node.kind === 'leaf') out.push(path);
  else if (node.kind === 'array' && Array.isArray(value)) value.forEach((v, i) => leafPaths(node.element, v, [...path, i], out));
  else if (node.kind === 'object' && isRawObject(value)) {
    for (const { name, node: child } of node.children.values()) leafPaths(child, value[name], [...path, name], out);
  }
  return out;
}

/** Recursively freezes objects and arrays. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
