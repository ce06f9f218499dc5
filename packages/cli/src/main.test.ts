import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from './testing.ts';

const bin = fileURLToPath(new URL('../bin/dome-verifier.js', import.meta.url));

test('bin/dome-verifier.js launches the TypeScript CLI (keygen prints JSON, exit 0)', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [bin, 'keygen']);
  assert.match(String(JSON.parse(stdout).did), /^did:key:zDn/);
});

test('bin/dome-verifier.js exits 1 with a one-line error on an unknown command', async () => {
  await assert.rejects(promisify(execFile)(process.execPath, [bin, 'frobnicate']), (e: { code?: number; stderr?: string }) => {
    assert.equal(e.code, 1);
    assert.match(String(e.stderr), /^error: unknown command 'frobnicate'\n$/);
    return true;
  });
});

test('--version and --help exit 0 on stdout', async () => {
  const v = await runCli(['--version']);
  assert.equal(v.code, 0);
  assert.match(v.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = await runCli(['token', '--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /--dialect/);
});
