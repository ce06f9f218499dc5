/**
 * Smoke of `npm run bench:compare` (bench/compare/main.ts) on a tiny budget: one round, 1.5 s
 * windows, 1 and 8 connections, both grants of ours (M2M and the FIWARE vp_token grant), results
 * and docs written to a temporary folder. It checks that the command runs end to end against both
 * servers, prints its ratios and that every answer was 200 — never a performance figure (the
 * machine may be busy with anything).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../../bench/compare/summary.ts';

const root = new URL('../../', import.meta.url).pathname;

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/compare/main.ts'], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    // Bounded: a hang fails the test instead of holding the suite.
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

test('bench:compare runs our M2M and vp_token grants and the peer interleaved, prints the ratios of both, and every answer is 200', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'dv-bench-compare-smoke-'));
  const committedDocs = readFileSync(join(root, 'docs/benchmarks.md'), 'utf8');
  try {
    const docsOut = join(dir, 'docs', 'benchmarks.md');
    const r = await run({ BENCH_SMOKE: '1', BENCH_RESULTS_DIR: join(dir, 'results'), BENCH_DOCS_OUT: docsOut });
    assert.equal(r.code, 0, `bench:compare exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    for (const g of ['m2m', 'vp_token']) for (const c of [1, 8]) assert.match(r.stdout, new RegExp(`${g} +c= ?${c}  req/s ours/peer [0-9.]+×  p99 peer/ours [0-9.]+×  ours/floor \\(parse-inclusive\\) \\d+ %`), r.stdout);
    assert.match(r.stdout, /answers: [1-9][0-9,]*, not 200: 0\n/);

    const files = readdirSync(join(dir, 'results'));
    assert.equal(files.length, 1);
    const result = JSON.parse(readFileSync(join(dir, 'results', files[0]!), 'utf8')) as RunResult;
    // One window per server and connection count, each answered 200 throughout, each body sent once.
    assert.deepEqual(result.windows.map((w) => `${w.server}:${w.connections}`), ['ours:1', 'ours-vp:1', 'peer:1', 'ours:8', 'ours-vp:8', 'peer:8']);
    assert.deepEqual(result.config.targets, ['m2m', 'vp_token']);
    for (const w of result.windows) {
      assert.ok(w.requests > 0, `${w.server} c=${w.connections} answered no request`);
      assert.equal(w.ok, w.requests, `${w.server} c=${w.connections}: ${JSON.stringify(w.statusCodes)}`);
      assert.equal(w.non200 + w.errors, 0);
      assert.ok(w.bodiesUsed <= w.bodiesSigned);
    }
    assert.equal(result.floors.length, 1);
    assert.ok(result.floors[0]!.vpParse && result.floors[0]!.vpRaw, 'the vp_token grant has its own floor');
    assert.ok(result.machine.cpuModel.length > 0 && result.machine.loadAverageBefore.length === 3);

    const page = readFileSync(docsOut, 'utf8');
    assert.match(page, /\| 8 \| node-oidc-provider \d+\.\d+\.\d+ \|/);
    assert.match(page, /\| 8 \| DOME Verifier, FIWARE vp_token \|/);
    assert.match(page, /\| FIWARE vp_token \| 8 \| [0-9.]+× \|/);
    assert.match(page, /!\[requests per second\]\(benchmarks\/throughput\.svg\)/);
    for (const svg of ['throughput.svg', 'latency-p99.svg']) assert.match(readFileSync(join(dir, 'docs', 'benchmarks', svg), 'utf8'), /^<svg [^>]*>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
    // The smoke never rewrites the committed page.
    assert.equal(readFileSync(join(root, 'docs/benchmarks.md'), 'utf8'), committedDocs);
    assert.ok(existsSync(join(root, 'bench/peer/node_modules/oidc-provider')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
