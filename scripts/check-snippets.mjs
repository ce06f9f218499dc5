#!/usr/bin/env node
// Type-checks every ```ts block of the package READMEs and docs/: each block is written to
// .snippets/ as its own module and compiled with the project's strict settings. A snippet
// that uses values it does not define must `declare` them, so the block stays honest.
// Snippets import our packages only by their published names and entry points (a package's
// `publishConfig.exports`, see scripts/pack-packages.mjs): a reader can `npm install` what they show.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const sources = [
  ...readdirSync('packages').map((p) => join('packages', p, 'README.md')).filter(existsSync),
  ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)),
  'README.md',
];
const published = new Map(); // package name → published subpaths
for (const dir of readdirSync('packages')) {
  const file = join('packages', dir, 'package.json');
  if (!existsSync(file)) continue;
  const m = JSON.parse(readFileSync(file, 'utf8'));
  if (m.publishConfig?.exports) published.set(m.name, Object.keys(m.publishConfig.exports));
}
const unpublished = [];
rmSync('.snippets', { recursive: true, force: true });
mkdirSync('.snippets', { recursive: true });
let n = 0;
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const name = `${file.replace(/[/.]/g, '_')}_${n++}.ts`;
    for (const [, spec] of m[1].matchAll(/from '(@dome-verifier\/[^']+)'/g)) {
      const [, pkg, sub] = /^(@dome-verifier\/[^/]+)(\/.*)?$/.exec(spec);
      if (!published.get(pkg)?.includes(sub ? `.${sub}` : '.')) unpublished.push(`${file}: '${spec}' is not a published entry point`);
    }
    writeFileSync(join('.snippets', name), `// from ${file}\nexport {};\n${m[1]}`);
  }
}
if (unpublished.length > 0) {
  console.error(unpublished.join('\n'));
  process.exit(1);
}
writeFileSync('.snippets/tsconfig.json', JSON.stringify({ extends: '../tsconfig.base.json', include: ['./*.ts'] }, null, 2));
try {
  execFileSync(process.execPath, ['node_modules/typescript/lib/tsc.js', '-p', '.snippets/tsconfig.json'], { stdio: 'inherit' });
  console.log(`${n} README/docs TypeScript snippets type-check`);
} catch {
  console.error('a README/docs TypeScript snippet does not type-check (files in .snippets/)');
  process.exit(1);
}
