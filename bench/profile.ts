/**
 * `npm run bench:profile`: the production bundle under `--cpu-prof`, pinned to core 0, driven on
 * core 1 by autocannon with the pregenerated bodies of `bench:compare` (each sent once), then a
 * summary of where the server's CPU went: self time by function and by source (our packages,
 * each dependency, node internals, garbage collection, idle).
 *
 *   npm run bench:profile                                  # M2M, 32 connections, 10 s
 *   BENCH_TARGET=vp_token BENCH_SECONDS=20 npm run bench:profile
 *   node --import tsx bench/profile.ts summarize <file.cpuprofile>
 *
 * Knobs: BENCH_TARGET (m2m | vp_token), BENCH_CONNECTIONS (one number, default 32),
 * BENCH_SECONDS (default 10, after BENCH_WARMUP_SECONDS, default 3), BENCH_LOG_LEVEL (default
 * info), BENCH_PROFILE_DIR (where the .cpuprofile is kept, default a temporary folder), BENCH_TOP
 * (rows, default 30), BENCH_PROFILE_INTERVAL_US (sampling interval, default 250),
 * BENCH_PROFILE=0 (the same load without the profiler: the CPU per request is then the server's own).
 * The profile covers the whole process, start-up included; the category table leaves start-up out.
 * Open the .cpuprofile in Chrome DevTools (Performance → Load profile) for the call tree.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { m2mMaterial } from './m2m-body.ts';
import { startBenchServer } from './server.ts';
import { bodySource, m2mShape, postBodies } from './compare/bodies.ts';
import { benchServices, startBenchTrustList, VP_SERVICE, vpShape } from './compare/fiware.ts';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code comes from: a dependency's name, `ours:<package>`, `node`, or a V8 pseudo-frame. */
function sourceOf(url: string, fn: string): string {
  if (url === '') return fn.startsWith('(') ? fn : `native ${fn}`;
  if (url.startsWith('node:')) return 'node';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const pkg = /packages\/([^/]+)\/src\/(.+)$/.exec(url);
  if (pkg) return `ours:${pkg[1]}`;
  return url.replace(/^file:\/\//, '').split('/').slice(-2).join('/');
}

/** Where a sample's time goes, by its whole stack: the first rule that matches wins. */
const CATEGORIES: ReadonlyArray<readonly [string, (f: ProfileNode['callFrame']) => boolean, 'leaf' | 'stack']> = [
  ['(start-up: module loading, runtime creation)', (f) => /internal\/modules|module_job|translators/.test(f.url) || f.functionName === 'createRuntime', 'stack'],
  ['crypto: signature verification', (f) => f.functionName === 'verifyOneShot', 'leaf'],
  ['crypto: signing', (f) => f.functionName === 'signOneShot', 'leaf'],
  ['crypto: hashing', (f) => f.url.endsWith('internal/crypto/hash'), 'leaf'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)', 'leaf'],
  ['logging (pino)', (f) => /node_modules\/(pino|sonic-boom|fast-redact|pino-std-serializers)\//.test(f.url), 'stack'],
  ['metrics (prom-client)', (f) => /node_modules\/prom-client\//.test(f.url), 'stack'],
  ['socket writes (syscalls)', (f) => /^(writev|writeString|writeBuffer|writevGeneric|writeGeneric)$/.test(f.functionName), 'stack'],
  ['JSON.parse of JWT parts', (f) => f.functionName === 'parseJsonObject', 'stack'],
  ['fastify', (f) => /node_modules\/(fastify|find-my-way|avvio|@fastify)\//.test(f.url), 'leaf'],
  ['node http, net, streams, events', (f) => /^node:(_http|net|internal\/streams|internal\/http|events|internal\/stream_base)/.test(f.url), 'leaf'],
  ['buffers, base64, strings', (f) => /^node:buffer|internal\/buffer/.test(f.url) || /^(base64Write|createUnsafeArrayBuffer|utf8Slice|latin1Slice|base64Slice|base64urlSlice|utf8Write|latin1Write)$/.test(f.functionName), 'leaf'],
  ['our code', (f) => /\/dist\/server\/|packages\/[^/]+\/src\//.test(f.url), 'leaf'],
  ['V8 runtime (program)', (f) => f.functionName === '(program)', 'leaf'],
];

function categories(p: Profile, byId: Map<number, ProfileNode>): string {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const per = new Map<string, number>();
  let counted = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    const stack: ProfileNode['callFrame'][] = [];
    for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame);
    if (stack[0]!.functionName === '(idle)') continue;
    let name = 'other';
    for (const [label, test, scope] of CATEGORIES) if ((scope === 'leaf' ? [stack[0]!] : stack).some(test)) { name = label; break; }
    per.set(name, (per.get(name) ?? 0) + dt);
    if (!name.startsWith('(start-up')) counted += dt;
  }
  return [...per].filter(([k]) => !k.startsWith('(start-up')).sort((a, b) => b[1] - a[1]).map(([k, us]) => `  ${((100 * us) / counted).toFixed(1).padStart(5)} %  ${k}`).join('\n');
}

export function summarize(path: string, top = 30): string {
  const p = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i] ?? 0;
    selfUs.set(p.samples[i]!, (selfUs.get(p.samples[i]!) ?? 0) + dt);
    total += dt;
  }
  const byFn = new Map<string, number>();
  const bySource = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { callFrame: f } = byId.get(id)!;
    const file = f.url.replace(/^file:\/\//, '').split('/').slice(-1)[0];
    const fnKey = `${f.functionName || '(anonymous)'} ${file ? `${file}:${f.lineNumber + 1}` : ''}`.trim();
    byFn.set(fnKey, (byFn.get(fnKey) ?? 0) + us);
    const s = sourceOf(f.url, f.functionName);
    bySource.set(s, (bySource.get(s) ?? 0) + us);
  }
  const idle = bySource.get('(idle)') ?? 0;
  const busy = total - idle;
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
  const rows = (m: Map<string, number>, n: number) =>
    [...m].filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, us]) => `  ${pct(us)}  ${k}`).join('\n');
  return [
    `profile ${path}: ${(total / 1e6).toFixed(1)} s sampled, busy ${((100 * busy) / total).toFixed(1)} % (shares below are of the busy time)`,
    'busy time by category (start-up left out):',
    categories(p, byId),
    'self time by source:',
    rows(bySource, 25),
    `self time by function (top ${top}):`,
    rows(byFn, top),
  ].join('\n');
}

/** BENCH_PROFILE=0 measures the same load without the profiler (its CPU per request is then the server's own). */
const PROFILE = process.env.BENCH_PROFILE !== '0';
const INTERVAL = Number(process.env.BENCH_PROFILE_INTERVAL_US ?? 250);

async function run(): Promise<void> {
  const target = process.env.BENCH_TARGET ?? 'm2m';
  if (target !== 'm2m' && target !== 'vp_token') throw new Error(`BENCH_TARGET must be m2m or vp_token, got "${target}"`);
  const connections = Number(process.env.BENCH_CONNECTIONS ?? 32);
  const seconds = Number(process.env.BENCH_SECONDS ?? 10);
  const dir = process.env.BENCH_PROFILE_DIR ?? mkdtempSync(join(tmpdir(), 'dv-profile-'));
  mkdirSync(dir, { recursive: true });
  const trustList = target === 'vp_token' ? await startBenchTrustList() : undefined;
  const server = await startBenchServer({
    logLevel: process.env.BENCH_LOG_LEVEL ?? 'info',
    nodeArgs: PROFILE ? `--cpu-prof --cpu-prof-interval=${INTERVAL} --cpu-prof-dir=${dir}` : '',
    ...(trustList ? { env: { VERIFIER_FIWARE_SERVICES: JSON.stringify(benchServices(trustList.url)) } } : {}),
  });
  try {
    const material = await m2mMaterial(server.dataDir);
    const source =
      target === 'm2m'
        ? bodySource(m2mShape(material, server.issuer, material.key.privateKey, material.clientId, 300, `prof-${process.pid}`))
        : bodySource(vpShape(server.issuer, material, 300, `prof-${process.pid}`));
    const url = target === 'm2m' ? `${server.issuer}/oidc/token` : `${server.issuer}/services/${VP_SERVICE}/token`;
    const warmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
    const fire = (pool: ReturnType<typeof source.pool>, duration: number) => postBodies(url, connections, duration, pool);
    // Warm-up (JIT, caches), then the measured window.
    if (warmupSeconds > 0) await fire(source.pool(Math.ceil(warmupSeconds * 4000) + connections), warmupSeconds);
    const pool = source.pool(Math.ceil(seconds * 4000) + connections);
    const cpu0 = server.cpuMs();
    const r = await fire(pool, seconds);
    const cpuMs = server.cpuMs() - cpu0;
    const ok = r.statusCodeStats['200']?.count ?? 0;
    process.stdout.write(
      `${target}, ${connections} connections, ${r.duration.toFixed(1)} s: ${Math.round(r.requests.total / r.duration)} req/s, ${ok} of ${r.requests.total} answered 200, p99 ${r.latency.p99} ms, ` +
        `server CPU ${Math.round((cpuMs * 1000) / Math.max(1, r.requests.total))} µs per request${PROFILE ? ' (profiler on)' : ''}, RSS ${server.rss().peakMiB} MiB peak\n`,
    );
  } finally {
    server.stop();
    await trustList?.close();
  }
  if (!PROFILE) return;
  // The profile is written when the server exits.
  for (let i = 0; i < 300 && !readdirSync(dir).some((f) => f.endsWith('.cpuprofile')); i++) await new Promise((r) => setTimeout(r, 100));
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`the server wrote no profile to ${dir}`);
  process.stdout.write(`${summarize(join(dir, file), Number(process.env.BENCH_TOP ?? 30))}\n`);
}

if (process.argv[2] === 'summarize') {
  process.stdout.write(`${summarize(process.argv[3]!, Number(process.env.BENCH_TOP ?? 40))}\n`);
} else {
  run().catch((e: unknown) => {
    process.stderr.write(`bench:profile failed: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
