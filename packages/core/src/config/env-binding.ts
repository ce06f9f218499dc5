/**
 * Spring Boot relaxed binding of environment variables (SystemEnvironmentPropertySource): a
 * variable name is split on `_` and matched against the schema tree. At a map, one or more
 * tokens whose concatenation equals a child name (case and separators ignored) select that
 * child, so `…_PRIVATEKEY` and `…_PRIVATE_KEY` both bind `privateKey`; at a list, a numeric token
 * is the index (`VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME`). Only `VERIFIER_*` and `SERVER_*`
 * variables are considered, plus the plain aliases documented on some keys (`PORT`, `HOST`,
 * `LOG_LEVEL`, `VERIFIER_DATA_DIR`), which win over the relaxed form.
 */
import { CONFIG_TREE, type ConfigNode, type ObjectNode } from './schema.ts';
import { checkLists, formatKey, setRaw, type RawObject, type Segment } from './raw-tree.ts';

export interface EnvBinding {
  /** Values bound from env, keyed by schema names; lists are whole (they replace file lists). */
  readonly tree: RawObject;
  /** Key paths set from env, e.g. `verifier.backend.identity.privateKey` (never values). */
  readonly keys: readonly string[];
  readonly warnings: readonly string[];
}

/** Env vars with a `VERIFIER_`/`SERVER_` prefix that are options, not configuration keys. */
const NOT_KEYS = new Set(['VERIFIER_CONFIG']);

const PREFIX = /^(?:verifier|server)_/i;

/** Finds the schema path named by `tokens[i..]` under `node`, or undefined. */
function matchTokens(node: ConfigNode, tokens: readonly string[], i: number): Segment[] | undefined {
  if (node.kind === 'leaf') return i === tokens.length ? [] : undefined;
  if (i >= tokens.length) return undefined;
  if (node.kind === 'array') {
    const token = tokens[i]!;
    if (!/^\d{1,9}$/.test(token)) return undefined;
    const rest = matchTokens(node.element, tokens, i + 1);
    return rest && [Number(token), ...rest];
  }
  let candidate = '';
  for (let j = i; j < tokens.length; j++) {
    candidate += tokens[j]!.toLowerCase();
    const child = node.children.get(candidate);
    if (child === undefined) continue;
    const rest = matchTokens(child.node, tokens, j + 1);
    if (rest) return [child.name, ...rest];
  }
  return undefined;
}

/** Schema path of a relaxed env var name (`VERIFIER_BACKEND_URL` → `verifier.backend.url`), or undefined. */
export function envNameToPath(name: string, root: ObjectNode = CONFIG_TREE): Segment[] | undefined {
  const tokens = name.split('_').filter((t) => t !== '');
  return matchTokens(root, tokens, 0);
}

function collectAliases(node: ConfigNode, path: Segment[], out: Map<string, Segment[]>): Map<string, Segment[]> {
  if (node.kind === 'leaf') for (const alias of node.doc.aliases ?? []) out.set(alias, path);
  else if (node.kind === 'object') for (const { name, node: child } of node.children.values()) collectAliases(child, [...path, name], out);
  return out;
}

/**
 * Binds `env` onto the schema. Empty values are treated as unset. Unknown `VERIFIER_*`/`SERVER_*`
 * names become warnings (naming the variable, never its value).
 */
export function bindEnv(env: Readonly<Record<string, string | undefined>>, root: ObjectNode = CONFIG_TREE): EnvBinding {
  const tree: RawObject = {};
  const warnings: string[] = [];
  const setBy = new Map<string, { name: string; value: string }>();
  const aliases = collectAliases(root, [], new Map());

  const names = Object.keys(env)
    .filter((n) => PREFIX.test(n) && !NOT_KEYS.has(n.toUpperCase()) && !aliases.has(n))
    .sort();
  for (const name of names) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    const path = envNameToPath(name, root);
    if (path === undefined) {
      warnings.push(`unknown env var ${name} ignored`);
      continue;
    }
    const key = formatKey(path);
    const earlier = setBy.get(key);
    if (earlier !== undefined) {
      if (earlier.value !== value) warnings.push(`env vars ${earlier.name} and ${name} both set ${key}; ${earlier.name} is used`);
      continue;
    }
    setBy.set(key, { name, value });
    setRaw(tree, path, value);
  }
  checkLists(root, tree);

  for (const [alias, path] of aliases) {
    const value = env[alias]?.trim();
    if (value === undefined || value === '') continue;
    setRaw(tree, path, value);
    setBy.set(formatKey(path), { name: alias, value });
  }

  return { tree, keys: [...setBy.keys()], warnings };
}
