#!/usr/bin/env node
// Builds and packs the npm-published packages (@dome-verifier/did-key, client, resource-server).
//
// In the workspace their `exports` point at the TypeScript source (tests, tsx and the server
// bundle use it without a build step); `publishConfig` holds the published entry points in
// `dist/`. npm does not apply `publishConfig.exports` itself (pnpm and yarn do), so this script:
//   1. compiles each package with its tsconfig.build.json (tsc: JavaScript + .d.ts in
//      packages/<name>/dist, relative `.ts` imports rewritten to `.js`), dependencies first;
//   2. stages the package in a temporary directory: dist/, README.md, LICENSE and the published
//      package.json (publishConfig's exports/main/types applied; no scripts, no devDependencies);
//   3. runs `npm pack` on the staged directory into --out (default dist/packages).
// Publish the tarballs it writes: `npm publish dist/packages/dome-verifier-client-<version>.tgz`.
// `npm pack -w packages/<name>` refuses (the package's prepack): it would ship the source exports.
//
// Usage: node scripts/pack-packages.mjs [--out <dir>] [--json] [name…]   (names: did-key client resource-server)
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The published packages, in build order (a package's workspace dependencies come before it). */
export const PUBLISHED = ['did-key', 'client', 'resource-server'];
const SCOPE = '@dome-verifier/';

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function manifestOf(name) {
  return readJson(join(root, 'packages', name, 'package.json'));
}

/** The workspace packages `name` depends on (directory names), transitively, dependencies first. */
export function buildOrder(names) {
  const order = [];
  const visit = (name) => {
    if (order.includes(name)) return;
    const deps = Object.keys(manifestOf(name).dependencies ?? {}).filter((d) => d.startsWith(SCOPE));
    for (const dep of deps) {
      const dir = dep.slice(SCOPE.length);
      if (!PUBLISHED.includes(dir)) throw new Error(`${SCOPE}${name} depends on ${dep}, which is not published`);
      visit(dir);
    }
    order.push(name);
  };
  for (const name of names) visit(name);
  return order;
}

/** Compiles packages/<name> to packages/<name>/dist (JavaScript + .d.ts). */
export function buildPackage(name) {
  const dir = join(root, 'packages', name);
  rmSync(join(dir, 'dist'), { recursive: true, force: true });
  const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json')], { cwd: dir, stdio: 'inherit' });
}

/** The package.json as published: publishConfig's entry points applied, development-only fields dropped. */
export function publishedManifest(manifest) {
  const { publishConfig = {}, scripts: _scripts, devDependencies: _dev, ...rest } = manifest;
  const { exports, main, types, ...registryConfig } = publishConfig;
  if (exports === undefined) throw new Error(`${manifest.name}: publishConfig.exports is missing`);
  const out = { ...rest, exports };
  if (main !== undefined) out.main = main;
  if (types !== undefined) out.types = types;
  if (Object.keys(registryConfig).length > 0) out.publishConfig = registryConfig;
  for (const [dep, range] of Object.entries(out.dependencies ?? {})) {
    if (dep.startsWith(SCOPE) && !/^[~^]?\d+\.\d+\.\d+/.test(range)) throw new Error(`${manifest.name}: ${dep} must be a semver range, not "${range}"`);
  }
  return out;
}

/** Stages packages/<name> (already built) and packs it into outDir; returns npm pack's JSON entry. */
export function packPackage(name, outDir) {
  const dir = join(root, 'packages', name);
  const stage = mkdtempSync(join(tmpdir(), `dv-pack-${name}-`));
  try {
    writeFileSync(join(stage, 'package.json'), `${JSON.stringify(publishedManifest(manifestOf(name)), null, 2)}\n`);
    cpSync(join(dir, 'dist'), join(stage, 'dist'), { recursive: true });
    cpSync(join(dir, 'README.md'), join(stage, 'README.md'));
    for (const license of [join(dir, 'LICENSE'), join(root, 'LICENSE')]) {
      if (existsSync(license)) {
        cpSync(license, join(stage, 'LICENSE'));
        break;
      }
    }
    const out = execFileSync('npm', ['pack', stage, '--json', '--pack-destination', outDir], {
      cwd: stage,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, npm_config_loglevel: 'error' },
    });
    const [entry] = JSON.parse(out);
    return { ...entry, tarball: join(outDir, entry.filename) };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

/** Builds and packs `names` (and their workspace dependencies) into outDir. */
export function packPackages({ names = PUBLISHED, outDir = join(root, 'dist', 'packages') } = {}) {
  mkdirSync(outDir, { recursive: true });
  const order = buildOrder(names);
  for (const name of order) buildPackage(name);
  return order.map((name) => packPackage(name, outDir));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.includes('--refuse-in-place')) {
    console.error(
      'This package is published from a staged copy (its workspace exports point at the TypeScript source).\n' +
        'Run `npm run pack:packages` at the repository root and publish the tarball it writes to dist/packages/.',
    );
    process.exit(1);
  }
  let outDir;
  const names = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--out') outDir = resolve(args[++i]);
    else if (!args[i].startsWith('--')) names.push(args[i]);
  }
  const json = args.includes('--json');
  for (const n of names) if (!PUBLISHED.includes(n)) throw new Error(`unknown package "${n}" (expected one of ${PUBLISHED.join(', ')})`);
  const packed = packPackages({ names: names.length > 0 ? names : PUBLISHED, outDir });
  if (json) process.stdout.write(`${JSON.stringify(packed, null, 2)}\n`);
  else for (const p of packed) console.log(`${p.id}  ${p.tarball}  (${p.files.length} files, ${p.size} bytes)`);
}
