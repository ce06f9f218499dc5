/**
 * The CI run of the bounded fuzzer (`npm run fuzz` runs the same engine with more cases): a
 * fixed seed, a few hundred cases against the real verifier on the memory store, and a smaller
 * run on Redis when REDIS_URL is set. Fails on any 5xx other than a documented 503, any hang,
 * any non-OAuth error body, any token/code/login handed out for a security-relevant mutation,
 * and any unmutated base request that does not succeed (every endpoint is exercised unmutated).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withRedis } from '@dome-verifier/store-redis/testing';
import { formatSummary, runFuzz, type Summary } from './run.ts';

const SEED = 20_261_202;

function assertClean(s: Summary): void {
  assert.deepEqual(s.failures.map((f) => `case ${f.case} ${f.endpoint}: ${f.problem} [${f.mutations.join(' | ')}] — ${f.replay}`), [], formatSummary(s));
  for (const [name, e] of Object.entries(s.endpoints)) assert.ok(e.controlsOk >= 1, `${name}: no unmutated base request succeeded`);
  for (const name of ['token:client_credentials', 'token:authorization_code', 'oid4vp:auth-response']) {
    assert.ok((s.endpoints[name]?.relevant ?? 0) > 0, `${name}: no security-relevant mutation was tried`);
  }
}

test('1000 fuzz cases on the memory store: no 5xx but documented 503s, no hang, OAuth error bodies, nothing issued for a security-relevant mutation', { timeout: 120_000 }, async () => {
  assertClean(await runFuzz({ seed: SEED, cases: 1000, store: 'memory', timeoutMs: 10_000 }));
});

withRedis('the fuzzer on the Redis store', (url) => {
  test('300 fuzz cases on Redis: the same oracle', { timeout: 120_000 }, async () => {
    assertClean(await runFuzz({ seed: SEED + 1, cases: 300, store: 'redis', redisUrl: url, timeoutMs: 10_000 }));
  });
});
