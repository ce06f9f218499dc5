/**
 * `npm run bench:compare`: our verifier against node-oidc-provider (bench/peer/) and the crypto
 * floor, on one machine in one go. Both servers run side by side as child processes pinned to
 * core 0 (`taskset -c 0`, production mode, the node flags of `npm start`); this process — the
 * load generator (autocannon) and the body signer — runs on core 1.
 *
 * Two grants of ours are measured against the same peer (BENCH_TARGETS, default `m2m,vp_token`):
 * the DOME M2M grant (`/oidc/token`, client_credentials + a client assertion carrying the
 * presentation) and the FIWARE `vp_token` grant (`/services/bench-service/token`, a bound VP JWT
 * with the same LEARCredentialMachine; bench/compare/fiware.ts).
 *
 * Each round: the crypto floor (bench/compare/floor.ts, pinned to core 0), then for each
 * connection count one window per grant of ours and one on the peer, interleaved (ours M2M, ours
 * vp_token, peer; the next round peer, ours vp_token, ours M2M, so that a drift of the machine's
 * load does not favour one side). Each window: a warm-up,
 * then the measured window, each with its own pool of bodies signed before it starts (fresh
 * `jti`s, DOME-sized; each body is used once, the pool's cap stops a connection before it would
 * reuse one; a window that nearly exhausts its pool is measured again with more bodies, at most
 * twice, then fails the run). Every answer must be 200.
 *
 * Writes bench/results/<timestamp>.json and regenerates docs/benchmarks.md (+ docs/benchmarks/*.svg).
 *
 *   npm run bench:compare
 *   BENCH_ROUNDS=5 BENCH_SECONDS=20 BENCH_CONNECTIONS=1,8,32 npm run bench:compare
 *   BENCH_SMOKE=1 npm run bench:compare   # 1 round, 1.5 s windows, 1 and 8 connections
 *
 * Knobs: BENCH_TARGETS (comma list of m2m, vp_token), BENCH_ROUNDS, BENCH_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS (comma list),
 * BENCH_FLOOR_MS, BENCH_LOG_LEVEL (our server's, default info), BENCH_SMOKE=1, BENCH_RESULTS_DIR,
 * BENCH_DOCS_OUT (the markdown file; the SVGs go to <its dir>/benchmarks/).
 * Exits non-zero if any request was not answered 200.
 */
import type { Result } from 'autocannon';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { m2mMaterial } from '../m2m-body.ts';
import { startBenchServer } from '../server.ts';
import { bodySource, m2mShape, postBodies, type BodySource } from './bodies.ts';
import type { FloorInput, FloorResult } from './floor.ts';
import { benchServices, startBenchTrustList, VP_CREDENTIAL_TYPE, VP_SERVICE, vpShape } from './fiware.ts';
import { startPeer } from './peer.ts';
import { renderDocs } from './render.ts';
import { GRANT_SERVER, GRANTS, summarize, type Grant, type RunResult, type ServerName, type WindowResult } from './summary.ts';

function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return n;
}

const SMOKE = process.env.BENCH_SMOKE === '1';
const ROUNDS = Math.floor(envNumber('BENCH_ROUNDS', SMOKE ? 1 : 3));
const SECONDS = envNumber('BENCH_SECONDS', SMOKE ? 1.5 : 10);
const WARMUP = envNumber('BENCH_WARMUP_SECONDS', SMOKE ? 0.5 : 3);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? (SMOKE ? '1,8' : '1,8,32')).split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1 || n > 1024) throw new Error(`BENCH_CONNECTIONS must list connection counts (1..1024), got "${s}"`);
  return n;
});
const TARGETS: Grant[] = (process.env.BENCH_TARGETS ?? GRANTS.join(',')).split(',').map((s) => {
  const g = s.trim();
  if (!(GRANTS as readonly string[]).includes(g)) throw new Error(`BENCH_TARGETS must list grants of ${GRANTS.join(', ')}, got "${s}"`);
  return g as Grant;
});
if (TARGETS.length === 0 || new Set(TARGETS).size !== TARGETS.length) throw new Error('BENCH_TARGETS must list each grant at most once');
const FLOOR_MS = envNumber('BENCH_FLOOR_MS', SMOKE ? 150 : 1000);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const RESULTS_DIR = process.env.BENCH_RESULTS_DIR ?? 'bench/results';
const DOCS_OUT = process.env.BENCH_DOCS_OUT ?? 'docs/benchmarks.md';
/** A pool holds this many times the bodies the best rate measured at its connection count would send … */
const POOL_MARGIN = 1.5;
/** … and at least this many times the bodies the server's crypto floor allows (the smoke's
 * floor is measured in 150 ms, while a test suite may run beside it: a wider margin). */
const FLOOR_MARGIN = SMOKE ? 2 : 1.3;
/** Client assertions and VP JWTs live this long (our verifier accepts up to 300 s for an assertion, 600 s for a bound VP). */
/** What the DOME M2M client gives its assertions (IN2's issuer: exp = iat + 120 s); the VP JWTs of the vp_token grant the same. */
const ASSERTION_LIFETIME = 120;
if (WARMUP + SECONDS > 100) throw new Error('BENCH_WARMUP_SECONDS + BENCH_SECONDS must stay under 100 s: the pregenerated assertions expire');


interface Target {
  readonly name: ServerName;
  readonly url: string;
  readonly pid: number;
  readonly bodies: BodySource;
  cpuMs(): number;
  /** Best req/s of a measured window per connection count (sizes the next pools). */
  readonly best: Map<number, number>;
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });

/** One request with a fresh body; a keep-alive connection the server closed while we were busy gets one retry. */
async function probe(t: { url: string; bodies: BodySource }, what: string): Promise<{ body: string; token: string }> {
  let body = t.bodies.one();
  const res = await post(t.url, body).catch(() => post(t.url, (body = t.bodies.one())));
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${what}: the probe request was answered ${res.status}: ${text.slice(0, 500)}`);
  return { body, token: (JSON.parse(text) as { access_token: string }).access_token };
}

const claimsOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;

async function measureWindow(t: Target, connections: number, round: number, floors: readonly FloorResult[]): Promise<WindowResult> {
  // How many bodies to sign: no server answers faster than the signatures it must compute, so its
  // crypto floor in operations per CPU-second (the rate of a core of its own, however busy the
  // machine is while the floor is measured), with a margin, bounds its rate; or a rate measured at
  // this connection count in an earlier round, with a margin, if higher. Should a window still
  // nearly exhaust its pool (cut short, never reusing a body: the pool's cap stops it), it is
  // measured again with twice the bodies, up to twice, and then fails the run.
  const known = t.best.get(connections) ?? 0;
  const floorRate = Math.max(...floors.map((f) => 1e6 / (t.name === 'ours' ? f.rawCached : t.name === 'ours-vp' ? f.vpRaw! : f.peerRaw).cpuUs));
  let estimate = Math.max(known * POOL_MARGIN, floorRate * FLOOR_MARGIN);
  for (let attempt = 1; ; attempt++) {
    const warmPool = t.bodies.pool(Math.ceil(estimate * WARMUP) + 2 * connections);
    const warm = await postBodies(t.url, connections, WARMUP, warmPool);
    if (warm.non2xx > 0 || warm.errors > 0) process.stderr.write(`bench:compare: ${t.name} warm-up (${connections} connections): ${warm.non2xx} non-2xx, ${warm.errors} errors\n`);
    const pool = t.bodies.pool(Math.ceil(estimate * SECONDS) + 2 * connections + 100);
    const cpu0 = t.cpuMs();
    const r = await postBodies(t.url, connections, SECONDS, pool);
    const cpu1 = t.cpuMs();
    if (r.requests.total < 0.9 * (pool.size - connections)) return windowResult(t, connections, round, r, cpu1 - cpu0, pool, known);
    const what = `${t.name}, ${connections} connections: the window sent ${r.requests.total} of ${pool.size} pregenerated bodies (rate above the estimate of ${Math.round(estimate)} req/s)`;
    if (attempt === 3) throw new Error(`${what}; it would have reused bodies`);
    process.stderr.write(`bench:compare: ${what}; measuring it again with twice the bodies\n`);
    estimate *= 2;
  }
}

function windowResult(t: Target, connections: number, round: number, r: Result, cpuMs: number, pool: ReturnType<BodySource['pool']>, known: number): WindowResult {
  const reqPerSec = r.requests.total / r.duration;
  t.best.set(connections, Math.max(known, reqPerSec));
  const statusCodes = Object.fromEntries(Object.entries(r.statusCodeStats).map(([code, s]) => [code, s.count]));
  const ok = statusCodes['200'] ?? 0;
  const w: WindowResult = {
    server: t.name,
    round,
    connections,
    seconds: r.duration,
    requests: r.requests.total,
    reqPerSec: Math.round(reqPerSec),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    ok,
    non200: r.requests.total - ok,
    errors: r.errors,
    statusCodes,
    cpuUsPerRequest: r.requests.total > 0 ? Math.round((cpuMs * 1000) / r.requests.total) : NaN,
    bodiesSigned: pool.size,
    bodiesUsed: pool.taken,
  };
  const fail = w.non200 + w.errors > 0 ? `  FAILED: ${w.non200} non-200 ${JSON.stringify(statusCodes)}, ${w.errors} errors` : '';
  process.stdout.write(`round ${round}  ${t.name.padEnd(7)} c=${String(connections).padStart(2)}  ${String(w.reqPerSec).padStart(5)} req/s  p50 ${w.latencyMs.p50} ms  p99 ${w.latencyMs.p99} ms  cpu ${w.cpuUsPerRequest} µs/req${fail}\n`);
  return w;
}

function measureFloorPinned(input: string): FloorResult {
  const pinned = cpus().length > 1;
  const args = ['--import', 'tsx', 'bench/compare/floor.ts', input, String(FLOOR_MS)];
  const res = pinned
    ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { encoding: 'utf8', env: { ...process.env, UV_THREADPOOL_SIZE: '1' } })
    : spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`the floor measurement failed: ${res.stderr}`);
  return JSON.parse(res.stdout) as FloorResult;
}

function floorLine(f: FloorResult): string {
  const vp = f.vpRaw && f.vpRawUncached && f.vpParse ? `; vp_token grant: raw ${f.vpRaw.cpuUs} (no x5c chain cache ${f.vpRawUncached.cpuUs}), parse-inclusive ${f.vpParse.cpuUs}` : '';
  return `M2M: raw ${f.rawCached.cpuUs} (no credential cache ${f.rawUncached.cpuUs}), parse-inclusive ${f.parseCached.cpuUs} (no credential cache ${f.parseUncached.cpuUs}); the peer's job ${f.peerRaw.cpuUs}${vp}`;
}

function gitCommit(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'packages', 'bench', 'package.json'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head}+changes` : head;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const loadAverageBefore = loadavg().map((n) => Math.round(n * 100) / 100);
  const pinned = cpus().length > 1;
  // The whole process (every thread) on core 1; the servers and the floor go to core 0.
  if (pinned) execFileSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const withVp = TARGETS.includes('vp_token');
  // The FIWARE service's Trusted Issuers List (loopback, in this process: the verifier caches its answer).
  const trustList = withVp ? await startBenchTrustList() : undefined;
  const ours = await startBenchServer({ logLevel: LOG_LEVEL, ...(trustList ? { env: { VERIFIER_FIWARE_SERVICES: JSON.stringify(benchServices(trustList.url)) } } : {}) }).catch(async (e: unknown) => {
    await trustList?.close();
    throw e;
  });
  const tmp = mkdtempSync(join(tmpdir(), 'dv-bench-compare-'));
  let peer: Awaited<ReturnType<typeof startPeer>> | undefined;
  try {
    const material = await m2mMaterial(ours.dataDir);
    const { clientId } = material;
    const shape = (aud: string, key: import('node:crypto').KeyObject, kid: string, name: string) => m2mShape(material, aud, key, kid, ASSERTION_LIFETIME, `cmp-${process.pid}-${name}`);
    const oursTarget: Target = { name: 'ours', url: `${ours.issuer}/oidc/token`, pid: ours.pid, bodies: bodySource(shape(ours.issuer, material.key.privateKey, clientId, 'ours')), cpuMs: ours.cpuMs, best: new Map() };
    const ourProbe = await probe(oursTarget, 'our verifier');
    const vpTarget: Target | undefined = withVp
      ? { name: 'ours-vp', url: `${ours.issuer}/services/${VP_SERVICE}/token`, pid: ours.pid, bodies: bodySource(vpShape(ours.issuer, material, ASSERTION_LIFETIME, `cmp-${process.pid}-vp`)), cpuMs: ours.cpuMs, best: new Map() }
      : undefined;
    const vpProbe = vpTarget ? await probe(vpTarget, 'our verifier (FIWARE vp_token grant)') : undefined;
    const vpTokenClaims = vpProbe ? claimsOf(vpProbe.token) : undefined;
    if (vpTarget && vpProbe) {
      // The strict path is measured: the same bound VP (same nonce) a second time is refused.
      const replay = await post(vpTarget.url, vpProbe.body);
      const replayText = await replay.text();
      if (replay.status !== 400) throw new Error(`our verifier answered a replayed vp_token ${replay.status}, expected 400: ${replayText.slice(0, 300)}`);
    }
    if (vpTokenClaims && typeof vpTokenClaims.verifiableCredential !== 'object') throw new Error('our vp_token access token carries no verifiableCredential claim');
    const tokenClaims = claimsOf(ourProbe.token);
    // The peer's tokens carry every claim ours carries beyond the registered ones (vc, scope, …).
    const registered = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'client_id']);
    const extraClaims = Object.fromEntries(Object.entries(tokenClaims).filter(([k]) => !registered.has(k)));
    if (typeof extraClaims.vc !== 'object') throw new Error('our access token carries no vc claim');
    peer = await startPeer({ clientId, extraClaims });
    const peerTarget: Target = { name: 'peer', url: peer.tokenUrl, pid: peer.pid, bodies: bodySource(shape(peer.issuer, peer.clientKey, peer.kid, 'peer')), cpuMs: peer.cpuMs, best: new Map() };
    const peerProbe = await probe(peerTarget, `the peer (oidc-provider ${peer.version})`);
    if (typeof claimsOf(peerProbe.token).vc !== 'object') throw new Error('the peer\'s access token carries no vc claim');
    const sizes = {
      oursBodyBytes: ourProbe.body.length,
      peerBodyBytes: peerProbe.body.length,
      oursTokenBytes: ourProbe.token.length,
      peerTokenBytes: peerProbe.token.length,
      ...(vpProbe ? { vpBodyBytes: vpProbe.body.length, vpTokenBytes: vpProbe.token.length } : {}),
    };
    process.stdout.write(
      `bench:compare: ${ROUNDS} round(s), ${SECONDS} s windows after ${WARMUP} s warm-up, connections ${CONNECTIONS.join(', ')}, grants ${TARGETS.join(', ')}; ours ${ours.issuer}, peer oidc-provider ${peer.version} ${peer.issuer}; ` +
        `bodies ${sizes.oursBodyBytes} / ${sizes.peerBodyBytes} B, tokens ${sizes.oursTokenBytes} / ${sizes.peerTokenBytes} B${vpProbe ? `, vp_token body ${sizes.vpBodyBytes} B, token ${sizes.vpTokenBytes} B` : ''}; load average ${loadAverageBefore.join(' ')}\n`,
    );

    const floorInput: FloorInput = {
      assertion: ourProbe.body.slice(ourProbe.body.indexOf('client_assertion=') + 'client_assertion='.length),
      clientJwk: material.key.publicJwk as unknown as Record<string, unknown>,
      trustAnchorsPem: material.trustAnchorsPem,
      tokenClaims,
      ...(vpProbe && vpTokenClaims ? { vpGrant: { vpJwt: vpProbe.body.slice(vpProbe.body.indexOf('vp_token=') + 'vp_token='.length), tokenClaims: vpTokenClaims } } : {}),
    };
    const floorPath = join(tmp, 'floor-input.json');
    writeFileSync(floorPath, JSON.stringify(floorInput));

    const floors: RunResult['floors'][number][] = [];
    const windows: WindowResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const floor = measureFloorPinned(floorPath);
      floors.push({ round, ...floor });
      process.stdout.write(`round ${round}  floor (µs CPU per request): ${floorLine(floor)}\n`);
      const oursInOrder = [TARGETS.includes('m2m') ? oursTarget : undefined, vpTarget].filter((t): t is Target => t !== undefined);
      const order = round % 2 === 1 ? [...oursInOrder, peerTarget] : [peerTarget, ...oursInOrder.reverse()];
      for (const c of CONNECTIONS) for (const t of order) windows.push(await measureWindow(t, c, round, floors));
    }

    const run: RunResult = {
      version: 1,
      timestamp: new Date().toISOString(),
      machine: {
        cpuModel: cpus()[0]?.model ?? 'unknown',
        cpus: cpus().length,
        node: process.version,
        openssl: process.versions.openssl ?? 'unknown',
        kernel: release(),
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        loadAverageBefore,
        loadAverageAfter: loadavg().map((n) => Math.round(n * 100) / 100),
        pinning: pinned ? 'servers and floor on core 0 (taskset -c 0), load generator on core 1' : 'not pinned (1 CPU)',
      },
      config: { rounds: ROUNDS, seconds: SECONDS, warmupSeconds: WARMUP, connections: CONNECTIONS, floorMs: FLOOR_MS, logLevel: LOG_LEVEL, smoke: SMOKE, targets: TARGETS },
      versions: { verifier: (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version, commit: gitCommit(), peer: `oidc-provider ${peer.version}` },
      sizes,
      ...(withVp ? { vpGrant: { service: VP_SERVICE, credentialType: VP_CREDENTIAL_TYPE, credential: 'the demo machine\'s LEARCredentialMachine (RS256, x5c, did:elsi issuer) in a bound ES256 VP JWT (aud, nonce, iat, exp)', vpLifetimeSeconds: ASSERTION_LIFETIME } } : {}),
      floors,
      windows,
      memory: { ours: ours.rss(), peer: peer.rss() },
    };
    const summary = summarize(run);
    mkdirSync(RESULTS_DIR, { recursive: true });
    const resultPath = join(RESULTS_DIR, `${run.timestamp.replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')}.json`);
    writeFileSync(resultPath, `${JSON.stringify(run, null, 2)}\n`);

    process.stdout.write('\nmedians (req/s | p50 | p99 | server CPU per request):\n');
    for (const c of CONNECTIONS) {
      for (const s of [...TARGETS.map((g) => GRANT_SERVER[g]), 'peer' as const]) {
        const cell = summary.cells[s]![c]!;
        process.stdout.write(`  ${s.padEnd(7)} c=${String(c).padStart(2)}  ${cell.reqPerSec} req/s (${cell.reqPerSecMin}–${cell.reqPerSecMax})  p50 ${cell.p50} ms  p99 ${cell.p99} ms  ${cell.cpuUsPerRequest} µs/req\n`);
      }
    }
    process.stdout.write(`  floor (µs CPU per request): ${floorLine(summary.floor)}\n`);
    process.stdout.write(`  RSS (peak): ours ${run.memory.ours.peakMiB} MiB, peer ${run.memory.peer.peakMiB} MiB\n`);
    process.stdout.write('ratios (median of the rounds):\n');
    for (const g of TARGETS) for (const c of CONNECTIONS) {
      const r = summary.ratios[g]![c]!;
      process.stdout.write(`  ${g.padEnd(8)} c=${String(c).padStart(2)}  req/s ours/peer ${r.throughput}×  p99 peer/ours ${r.p99}×  ours/floor (parse-inclusive) ${Math.round(r.floor * 100)} %  CPU per request peer/ours ${r.cpu}×  req/s ours / floor req/s ${Math.round(r.floorWall * 100)} %\n`);
    }
    for (const t of summary.targets) process.stdout.write(`  target ${t.name}: ${t.met === null ? 'not measured' : `${t.value} (goal ${t.goal}) ${t.met ? 'met' : 'NOT met'}`}\n`);
    process.stdout.write(`answers: ${summary.answers}, not 200: ${summary.failed}\n`);
    process.stdout.write(`results: ${resultPath}\n`);
    if (summary.failed > 0) {
      process.stderr.write(`bench:compare: ${summary.failed} request(s) were not answered 200; ${DOCS_OUT} left as it was\n`);
      process.exitCode = 1;
      return;
    }
    const written = renderDocs(run, resultPath, DOCS_OUT);
    process.stdout.write(`docs: ${written.join(', ')}\n`);
  } finally {
    peer?.stop();
    ours.stop();
    await trustList?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:compare failed: ${e instanceof Error ? `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ''}` : String(e)}\n`);
  process.exit(1);
});
