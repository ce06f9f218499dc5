#!/usr/bin/env node
// Type-checks every ```ts block of the package READMEs and docs/: each block is written to
// .snippets/ as its own module and compiled with the project's strict settings. A snippet
// that uses values it does not define must `declare` them, so the block stays honest.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';

const sources = [
  ...readdirSync('packages').map((p) => join('packages', p, 'README.md')).filter(existsSync),
  ...readdirSync('docs').filter((f) => f.endsWith('.md')).map((f) => join('docs', f)),
  'README.md',
];
rmSync('.snippets', { recursive: true, force: true });
mkdirSync('.snippets', { recursive: true });
let n = 0;
for (const file of sources) {
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
    const name = `${file.replace(/[/.]/g, '_')}_${n++}.ts`;
    writeFileSync(join('.snippets', name), `// from ${file}\nexport {};\n${m[1]}`);
  }
}
writeFileSync('.snippets/tsconfig.json', JSON.stringify({ extends: '../tsconfig.base.json', include: ['./*.ts'] }, null, 2));
try {
  execFileSync(process.execPath, ['node_modules/typescript/lib/tsc.js', '-p', '.snippets/tsconfig.json'], { stdio: 'inherit' });
  console.log(`${n} README/docs TypeScript snippets type-check`);
} catch {
  console.error('a README/docs TypeScript snippet does not type-check (files in .snippets/)');
  process.exit(1);
}
