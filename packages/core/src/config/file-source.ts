/**
 * Configuration files: which ones (`--config`, else `VERIFIER_CONFIG`, else IN2's
 * `SPRING_CONFIG_ADDITIONAL_LOCATION`), how they are read (YAML with every scalar kept as text,
 * multi-document files with Spring profile activation), and how their keys bind to the schema
 * (Spring relaxed names: `trustedIssuersListUrl`, `trusted-issuers-list-url` and
 * `trusted_issuers_list_url` are the same key; dotted keys such as `verifier.backend.url: …` and
 * indexed keys such as `trustFrameworks[0].name: …` work as in Spring).
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import YAML from 'yaml';
import { ConfigError } from './config-error.ts';
import { CONFIG_TREE, relaxedName, stripFileScheme, type ConfigNode } from './schema.ts';
import { checkLists, formatKey, MAX_LIST_INDEX, setRaw, type RawObject, type Segment } from './raw-tree.ts';

export interface FileSources {
  /** Absolute paths of the files read, in order (later wins). */
  readonly files: readonly string[];
  /** One raw tree per active YAML document, in order (later wins). */
  readonly trees: readonly RawObject[];
  /** Every property of the active documents, by relaxed dotted name, for `${…}` placeholders. */
  readonly properties: ReadonlyMap<string, string>;
  readonly warnings: readonly string[];
}

interface Location {
  readonly path: string;
  /** Missing is fine (`optional:` prefix, or a file looked for inside a directory). */
  readonly optional: boolean;
  /** The option that named it: `--config`, `VERIFIER_CONFIG`, `SPRING_CONFIG_ADDITIONAL_LOCATION`. */
  readonly selector: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function activeProfiles(env: Env): string[] {
  const list = (env['SPRING_PROFILES_ACTIVE'] ?? '').split(',').map((p) => p.trim()).filter((p) => p !== '');
  return list.length > 0 ? list : ['default'];
}

/** Files to read, in order, from `--config`, `VERIFIER_CONFIG` or `SPRING_CONFIG_ADDITIONAL_LOCATION`. */
function selectLocations(file: string | undefined, env: Env, cwd: string, warnings: string[]): Location[] {
  if (file !== undefined && file.trim() !== '') return [{ path: resolvePath(cwd, file.trim()), optional: false, selector: '--config' }];
  const own = env['VERIFIER_CONFIG']?.trim();
  if (own) return [{ path: resolvePath(cwd, own), optional: false, selector: 'VERIFIER_CONFIG' }];
  const spring = env['SPRING_CONFIG_ADDITIONAL_LOCATION']?.trim();
  if (!spring) return [];

  const selector = 'SPRING_CONFIG_ADDITIONAL_LOCATION';
  const out: Location[] = [];
  for (let entry of spring.split(',').map((e) => e.trim()).filter((e) => e !== '')) {
    let optional = false;
    if (/^optional:/i.test(entry)) {
      optional = true;
      entry = entry.slice('optional:'.length);
    }
    if (/^classpath\*?:/i.test(entry)) {
      warnings.push(`${selector}: classpath location ignored`);
      continue;
    }
    let local: string;
    try {
      local = stripFileScheme(entry);
    } catch {
      throw new ConfigError(selector, 'only local file: locations are supported');
    }
    const path = resolvePath(cwd, local);
    if (/[\\/]$/.test(local) || isDirectory(path)) {
      if (!isDirectory(path)) {
        if (optional) continue;
        throw new ConfigError(selector, `directory ${path} not found`);
      }
      const names = ['application'];
      for (const profile of activeProfiles(env)) if (profile !== 'default') names.push(`application-${profile}`);
      const found = names.flatMap((name) => ['yml', 'yaml'].map((ext) => resolvePath(path, `${name}.${ext}`))).filter(isFile);
      if (found.length === 0) warnings.push(`${selector}: no application.yaml or application.yml in ${path}`);
      for (const f of found) out.push({ path: f, optional: true, selector });
      try {
        statSync(resolvePath(path, 'application.properties'));
        warnings.push(`${selector}: ${resolvePath(path, 'application.properties')} ignored (only YAML is supported)`);
      } catch {
        // no properties file: nothing to say
      }
    } else {
      out.push({ path, optional, selector });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// YAML → plain values (maps as Map, lists as arrays, scalars as text, null for empty/`~`/`null`)

const MAX_YAML_NODES = 100_000;
const NULL_WORDS = new Set(['', '~', 'null', 'Null', 'NULL']);

function toPlain(node: unknown, doc: YAML.Document, budget: { left: number }): unknown {
  if (--budget.left < 0) throw new Error('too many nodes (alias expansion)');
  if (YAML.isAlias(node)) return toPlain(node.resolve(doc), doc, budget);
  if (YAML.isScalar(node)) {
    const v = node.value;
    if (v === null || v === undefined) return null;
    const s = String(v);
    return node.type === YAML.Scalar.PLAIN && NULL_WORDS.has(s) ? null : s;
  }
  if (YAML.isSeq(node)) return node.items.map((item) => toPlain(item, doc, budget));
  if (YAML.isMap(node)) {
    const out = new Map<string, unknown>();
    const merged: Map<string, unknown>[] = [];
    for (const pair of node.items) {
      const key = toPlain(pair.key, doc, budget);
      const value = toPlain(pair.value, doc, budget);
      if (key === '<<' && YAML.isScalar(pair.key) && pair.key.type === YAML.Scalar.PLAIN) {
        // YAML 1.1 merge key, as SnakeYAML (Spring) supports it.
        for (const m of Array.isArray(value) ? value : [value]) if (m instanceof Map) merged.push(m);
        continue;
      }
      out.set(key === null ? '' : typeof key === 'string' ? key : JSON.stringify(key), value);
    }
    for (const m of merged) for (const [k, v] of m) if (!out.has(k)) out.set(k, v);
    return out;
  }
  return null;
}

/** Spring property-name segments: `trustFrameworks[0].name` → `['trustFrameworks', 0, 'name']`. */
export function parsePropertyName(name: string): Segment[] {
  const out: Segment[] = [];
  for (const m of name.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(/^\d{1,9}$/.test(m[2]) ? Number(m[2]) : m[2]);
  }
  return out;
}

/** Relaxed dotted form of a path, the key of `FileSources.properties`. */
export function relaxedPath(path: readonly Segment[]): string {
  return formatKey(path.map((s) => (typeof s === 'number' ? s : relaxedName(s))));
}

function flatten(value: unknown, path: Segment[], out: Map<string, string>): void {
  if (value instanceof Map) {
    for (const [k, v] of value) flatten(v, [...path, ...parsePropertyName(k)], out);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(v, [...path, i], out));
  } else if (typeof value === 'string') {
    out.set(relaxedPath(path), value);
  }
}

function profileExpressionMatches(expression: string, active: ReadonlySet<string>): boolean {
  return expression.split(/[,|]/).some((alternative) =>
    alternative.split('&').every((atom) => {
      const a = atom.replace(/[()\s]/g, '');
      return a.startsWith('!') ? !active.has(a.slice(1)) : active.has(a);
    }),
  );
}

/** Spring document activation: `spring.config.activate.on-profile` / `on-cloud-platform`, legacy `spring.profiles`. */
function documentActive(flat: ReadonlyMap<string, string>, env: Env): boolean {
  const active = new Set(activeProfiles(env));
  const values = (prefix: string) => [...flat].filter(([k]) => k === prefix || k.startsWith(`${prefix}[`)).map(([, v]) => v);
  const onProfile = [...values('spring.config.activate.onprofile'), ...values('spring.profiles')];
  if (onProfile.length > 0 && !onProfile.some((e) => profileExpressionMatches(e, active))) return false;
  const platform = flat.get('spring.config.activate.oncloudplatform');
  if (platform !== undefined) {
    const kubernetes = Boolean(env['KUBERNETES_SERVICE_HOST'] && env['KUBERNETES_SERVICE_PORT']);
    const p = platform.toLowerCase();
    if (p === 'kubernetes' ? !kubernetes : p === 'none' ? kubernetes : true) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// Binding plain values onto the schema

interface BindContext {
  readonly tree: RawObject;
  readonly warnings: string[];
}

function unknownKey(display: string, ctx: BindContext): void {
  // Outside verifier.* and server.* (spring.*, logging.*, management.* …) keys are silently ignored.
  if (/^(?:verifier|server)[.[]/.test(display)) {
    ctx.warnings.push(`unknown key ${display} ignored`);
  }
}

function join(display: string, seg: Segment): string {
  return typeof seg === 'number' ? `${display}[${seg}]` : display === '' ? seg : `${display}.${seg}`;
}

function bindValue(node: ConfigNode, value: unknown, path: Segment[], display: string, ctx: BindContext): void {
  if (value === null || value === undefined) return;
  if (node.kind === 'leaf') {
    // Maps and lists are passed on so that the schema reports the type error.
    setRaw(ctx.tree, path, value instanceof Map ? Object.fromEntries(value) : value);
    return;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) bindSegments(node, parsePropertyName(k), v, path, display, ctx);
    return;
  }
  if (node.kind === 'array' && Array.isArray(value)) {
    if (value.length - 1 > MAX_LIST_INDEX) throw new ConfigError(display, `more than ${MAX_LIST_INDEX + 1} entries`);
    setRaw(ctx.tree, path, []);
    value.forEach((v, i) => bindValue(node.element, v, [...path, i], `${display}[${i}]`, ctx));
    return;
  }
  throw new ConfigError(display, node.kind === 'array' ? 'must be a list' : 'must be a map');
}

function bindSegments(node: ConfigNode, segs: readonly Segment[], value: unknown, path: Segment[], display: string, ctx: BindContext): void {
  const [seg, ...rest] = segs;
  if (seg === undefined) return bindValue(node, value, path, display, ctx);
  if (node.kind === 'object' && typeof seg === 'string') {
    const child = node.children.get(relaxedName(seg));
    if (child !== undefined) return bindSegments(child.node, rest, value, [...path, child.name], join(display, child.name), ctx);
  } else if (node.kind === 'array') {
    const index = typeof seg === 'number' ? seg : /^\d{1,9}$/.test(seg) ? Number(seg) : undefined;
    if (index !== undefined) return bindSegments(node.element, rest, value, [...path, index], join(display, index), ctx);
  }
  return unknownKey(segs.reduce<string>((d, s) => join(d, s), display), ctx);
}

/** Binds one parsed YAML document (a map at the root) onto the schema. */
export function bindDocument(value: ReadonlyMap<string, unknown> | null, warnings: string[]): RawObject {
  const ctx: BindContext = { tree: {}, warnings };
  if (value === null) return ctx.tree;
  for (const [k, v] of value) bindSegments(CONFIG_TREE, parsePropertyName(k), v, [], '', ctx);
  checkLists(CONFIG_TREE, ctx.tree);
  return ctx.tree;
}

/** Parses YAML text into the plain values of its documents. Errors give position only, never source text. */
export function parseYamlDocuments(text: string, where: string, selector: string): unknown[] {
  const docs = YAML.parseAllDocuments(text, { schema: 'failsafe' });
  const out: unknown[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const pos = error.linePos?.[0];
      throw new ConfigError(selector, `${where}: invalid YAML (${error.code})${pos ? ` at line ${pos.line}, column ${pos.col}` : ''}`);
    }
    try {
      out.push(toPlain(doc.contents, doc, { left: MAX_YAML_NODES }));
    } catch {
      throw new ConfigError(selector, `${where}: YAML too large after alias expansion`);
    }
  }
  return out;
}

/** Selects, reads and binds the configuration files. */
export function loadFileSources(file: string | undefined, env: Env, cwd: string): FileSources {
  const warnings: string[] = [];
  const files: string[] = [];
  const trees: RawObject[] = [];
  const properties = new Map<string, string>();

  for (const location of selectLocations(file, env, cwd, warnings)) {
    if (/\.properties$/i.test(location.path)) {
      throw new ConfigError(location.selector, `${location.path}: .properties files are not supported, use YAML`);
    }
    let text: string;
    try {
      text = readFileSync(location.path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (location.optional && (code === 'ENOENT' || code === 'ENOTDIR')) continue;
      throw new ConfigError(location.selector, code === 'ENOENT' ? `file ${location.path} not found` : `cannot read ${location.path} (${code ?? 'error'})`);
    }
    files.push(location.path);
    for (const doc of parseYamlDocuments(text, location.path, location.selector)) {
      const flat = new Map<string, string>();
      flatten(doc, [], flat);
      if (!documentActive(flat, env)) continue;
      if (doc !== null && !(doc instanceof Map)) throw new ConfigError(location.selector, `${location.path}: the top level must be a map`);
      for (const [k, v] of flat) properties.set(k, v);
      trees.push(bindDocument(doc, warnings));
    }
  }
  return { files, trees, properties, warnings };
}
