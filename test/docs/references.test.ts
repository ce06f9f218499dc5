/**
 * The project's docs stand on their own: every `*.md` file named in docs/, the READMEs, the
 * examples and the sources of the published packages (their comments ship in the .d.ts files)
 * exists in the repository — no references to a specification set that is not shipped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const root = new URL('../../', import.meta.url).pathname;
const SKIP = new Set(['node_modules', '.git', 'dist', 'data']);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

test('every .md file the docs, READMEs and source comments name is in the repository', () => {
  const files = walk(root);
  const present = new Set(files.filter((f) => f.endsWith('.md')).map((f) => basename(f)));
  const userVisible = (rel: string) =>
    /^(README\.md|docs\/|examples\/|packages\/[^/]+\/README\.md|packages\/(client|resource-server|did-key)\/(src|examples)\/)/.test(rel) && !rel.endsWith('.test.ts');
  const missing: string[] = [];
  for (const file of files) {
    if (!/\.(md|ts)$/.test(file) || !userVisible(relative(root, file))) continue;
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/([A-Za-z0-9_-]+\.md)\b/g)) {
      if (!present.has(m[1]!)) missing.push(`${relative(root, file)}: ${m[1]}`);
    }
  }
  assert.deepEqual([...new Set(missing)], []);
});
