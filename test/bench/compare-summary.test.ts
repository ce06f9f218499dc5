/**
 * The summary of a `npm run bench:compare` result (bench/compare/summary.ts): each grant of ours is
 * compared with the peer window of the same round and connection count, against its own floor;
 * results written before the vp_token grant was measured still summarize (M2M only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarize, type RunResult, type ServerName, type WindowResult } from '../../bench/compare/summary.ts';

const figure = (cpuUs: number) => ({ perSec: Math.round(1e6 / cpuUs), cpuUs });
const window = (server: ServerName, round: number, reqPerSec: number, p99: number, cpuUsPerRequest: number): WindowResult => ({
  server, round, connections: 32, seconds: 1, requests: reqPerSec, reqPerSec, latencyMs: { p50: 1, p90: 1, p99, max: p99 }, ok: reqPerSec, non200: 0, errors: 0, statusCodes: { 200: reqPerSec }, cpuUsPerRequest, bodiesSigned: reqPerSec * 2, bodiesUsed: reqPerSec,
});
const run = (targets: RunResult['config']['targets'], windows: WindowResult[], vpFloor: boolean): RunResult => ({
  version: 1,
  timestamp: '2026-12-02T00:00:00.000Z',
  machine: { cpuModel: 'x', cpus: 2, node: 'v22', openssl: '3', kernel: '6', memoryGiB: 8, loadAverageBefore: [0, 0, 0], loadAverageAfter: [0, 0, 0], pinning: 'p' },
  config: { rounds: 2, seconds: 1, warmupSeconds: 1, connections: [32], floorMs: 1, logLevel: 'info', smoke: false, ...(targets ? { targets } : {}) },
  versions: { verifier: '0', commit: 'c', peer: 'oidc-provider 8.8.1' },
  sizes: { oursBodyBytes: 1, peerBodyBytes: 1, oursTokenBytes: 1, peerTokenBytes: 1 },
  floors: [1, 2].map((round) => ({ round, rawCached: figure(200), rawUncached: figure(600), parseCached: figure(250), parseUncached: figure(650), peerRaw: figure(100), ...(vpFloor ? { vpRaw: figure(130), vpRawUncached: figure(550), vpParse: figure(200) } : {}) })),
  windows,
  memory: { ours: { rssMiB: 100, peakMiB: 120 }, peer: { rssMiB: 100, peakMiB: 130 } },
});

test('the vp_token grant is compared with the peer window of the same round, against its own parse-inclusive floor', () => {
  const s = summarize(
    run(['m2m', 'vp_token'], [window('ours', 1, 3000, 10, 500), window('ours-vp', 1, 2000, 20, 400), window('peer', 1, 1000, 50, 1000), window('peer', 2, 500, 40, 1000), window('ours-vp', 2, 1500, 10, 250), window('ours', 2, 1000, 10, 500)], true),
  );
  assert.deepEqual(s.grants, ['m2m', 'vp_token']);
  // Round 1: 2000 / 1000 = 2; round 2: 1500 / 500 = 3; the median of the two.
  assert.equal(s.ratios.vp_token![32]!.throughput, 2.5);
  assert.equal(s.ratios.vp_token![32]!.p99, 3.25); // (50/20 + 40/10) / 2
  assert.equal(s.ratios.vp_token![32]!.floor, 0.65); // (200/400 + 200/250) / 2
  assert.equal(s.ratios.m2m![32]!.throughput, 2.5); // the median of 3000 / 1000 and 1000 / 500
  assert.equal(s.cells['ours-vp']![32]!.reqPerSec, 1750);
  assert.deepEqual(s.floor.vpParse, figure(200));
  const vpTargets = s.targets.filter((t) => t.grant === 'vp_token');
  assert.deepEqual(vpTargets.map((t) => [t.value, t.met]), [['2.5×', true], ['3.25×', true], ['65 %', false]]);
});

test('a result from before the vp_token grant (no config.targets) summarizes as the M2M grant alone', () => {
  const s = summarize(run(undefined, [window('ours', 1, 3000, 10, 500), window('peer', 1, 1000, 50, 1000), window('peer', 2, 500, 40, 1000), window('ours', 2, 1000, 10, 500)], false));
  assert.deepEqual(s.grants, ['m2m']);
  assert.equal(s.ratios.vp_token, undefined);
  assert.equal(s.cells['ours-vp'], undefined);
  assert.equal(s.floor.vpParse, undefined);
  assert.deepEqual(s.targets.map((t) => t.grant), ['m2m', 'm2m', 'm2m', null]);
});
