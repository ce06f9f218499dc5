#!/usr/bin/env node
// Runs every *.test.ts under packages/*/src and test/ with node's test runner (tsx loader).
// Node 20's `--test` does not expand glob patterns, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const roots = ['packages', 'test', 'examples'].filter((d) => { try { return statSync(d).isDirectory(); } catch { return false; } });
const files = roots.flatMap((r) => find(r)).sort();
const extra = process.argv.slice(2);
const res = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...extra, ...files], { stdio: 'inherit' });
process.exit(res.status ?? 1);
