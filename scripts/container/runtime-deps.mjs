#!/usr/bin/env node
// Copies what the server bundle (dist/server, scripts/build.mjs) needs at run time into
// <out>/node_modules: the third-party packages it imports (the dependencies of the bundled
// workspace packages that the bundle actually references; `tsx`, for one, is not) and,
// transitively, their dependencies, resolved the way Node resolves them (a package's own
// node_modules first, then each parent's). Used by the Containerfile's runtime stage: smaller than
// `npm ci --omit=dev` of the whole workspace (no CLI, no tsx/esbuild), and only packages the
// lockfile installed. Usage: node scripts/container/runtime-deps.mjs <out-dir>
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLED = ['did-key', 'core', 'store-redis', 'client', 'dev-issuer', 'server'];
const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: runtime-deps.mjs <out-dir>\n');
  process.exit(2);
}

const manifest = (dir) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
const bundle = readdirSync(join(ROOT, 'dist/server')).filter((f) => f.endsWith('.mjs')).map((f) => readFileSync(join(ROOT, 'dist/server', f), 'utf8')).join('\n');

const roots = new Set();
for (const pkg of BUNDLED) {
  for (const dep of Object.keys(manifest(join(ROOT, 'packages', pkg)).dependencies ?? {})) {
    if (dep.startsWith('@dome-verifier/')) continue;
    if (bundle.includes(`"${dep}"`) || bundle.includes(`"${dep}/`)) roots.add(dep);
  }
}

/** Node's lookup of `name` from the package in `fromDir`: its node_modules, then each parent's. */
function resolvePackage(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === ROOT || dirname(dir) === dir) return undefined;
  }
}

const found = new Set();
const queue = [...roots].map((name) => ({ name, from: ROOT, optional: false }));
while (queue.length > 0) {
  const { name, from, optional } = queue.shift();
  const dir = resolvePackage(name, from);
  if (dir === undefined) {
    if (optional) continue;
    throw new Error(`${name} (needed by ${relative(ROOT, from) || 'the bundle'}) is not installed: run npm ci first`);
  }
  if (found.has(dir)) continue;
  found.add(dir);
  const m = manifest(dir);
  for (const dep of Object.keys(m.dependencies ?? {})) queue.push({ name: dep, from: dir, optional: false });
  for (const dep of Object.keys(m.optionalDependencies ?? {})) queue.push({ name: dep, from: dir, optional: true });
  for (const [dep, meta] of Object.entries(m.peerDependencies ?? {})) queue.push({ name: dep, from: dir, optional: Boolean(m.peerDependenciesMeta?.[dep]?.optional) });
}

// Copy the outermost directories only (a nested node_modules comes along with its parent).
const dirs = [...found].sort();
const top = dirs.filter((d) => !dirs.some((p) => p !== d && d.startsWith(p + sep)));
for (const dir of top) cpSync(dir, join(out, relative(ROOT, dir)), { recursive: true, dereference: false });
process.stdout.write(`runtime dependencies: ${[...roots].sort().join(', ')} (${found.size} packages)\n`);
