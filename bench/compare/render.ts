/**
 * Renders docs/benchmarks.md and its charts (docs/benchmarks/*.svg, hand-written SVG) from a
 * `npm run bench:compare` result. `main.ts` calls it after a run; to re-render from the latest
 * (or a given) result without measuring again:
 *
 *   node --import tsx bench/compare/render.ts [bench/results/<timestamp>.json]
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FloorFigure } from './floor.ts';
import { GRANT_LABEL, GRANT_SERVER, summarize, TARGET_CONNECTIONS, type RunResult, type ServerName } from './summary.ts';

interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => (Number.isFinite(n) ? (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(Math.round(n * 10) / 10)) : '–');

/** The smallest 1/2/5 × 10^k at or above `max`. */
function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 2.5, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

/** A grouped bar chart: one group per connection count, one bar per series. */
export function barChart(o: { title: string; unit: string; groups: readonly string[]; series: readonly Series[] }): string {
  const W = 640;
  const H = 340;
  const left = 64;
  const right = 16;
  const top = 44;
  const bottom = 56;
  const plotW = W - left - right;
  const plotH = H - top - bottom;
  const max = niceMax(Math.max(...o.series.flatMap((s) => s.values.filter(Number.isFinite))));
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(o.title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const v = (max * i) / 5;
    out.push(`<line x1="${left}" x2="${W - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${i === 0 ? '#444' : '#ddd'}"/>`);
    out.push(`<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" fill="#444">${fmt(v)}</text>`);
  }
  out.push(`<text x="16" y="${top + plotH / 2}" transform="rotate(-90 16 ${top + plotH / 2})" text-anchor="middle" fill="#444">${escapeXml(o.unit)}</text>`);
  const groupW = plotW / o.groups.length;
  const barW = Math.min(56, (groupW * 0.7) / o.series.length);
  o.groups.forEach((g, gi) => {
    const x0 = left + gi * groupW + (groupW - barW * o.series.length) / 2;
    o.series.forEach((s, si) => {
      const v = s.values[gi] ?? NaN;
      if (!Number.isFinite(v)) return;
      const x = x0 + si * barW;
      out.push(`<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${s.color}"><title>${escapeXml(`${s.name}, ${g}: ${fmt(v)} ${o.unit}`)}</title></rect>`);
      out.push(`<text x="${(x + (barW - 4) / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" text-anchor="middle" fill="#222">${fmt(v)}</text>`);
    });
    out.push(`<text x="${(left + gi * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 18}" text-anchor="middle" fill="#222">${escapeXml(g)}</text>`);
  });
  // Legend entries side by side, each as wide as its label (≈ 6.5 px a character at 12 px).
  let legendX = left;
  o.series.forEach((s) => {
    const x = legendX;
    legendX += 18 + Math.ceil(s.name.length * 6.5) + 24;
    out.push(`<rect x="${x}" y="${H - 22}" width="12" height="12" fill="${s.color}"/>`);
    out.push(`<text x="${x + 18}" y="${H - 12}" fill="#222">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

const OURS_COLOR = '#1f6feb';
const OURS_VP_COLOR = '#16a34a';
const PEER_COLOR = '#d97706';
const mark = (met: boolean | null) => (met === null ? 'not measured' : met ? '**met**' : '**not met**');

/** Writes the markdown page and its two charts; returns the paths written. */
export function renderDocs(run: RunResult, resultPath: string, docsOut: string): string[] {
  const s = summarize(run);
  const conns = run.config.connections;
  const chartDir = join(dirname(docsOut), 'benchmarks');
  mkdirSync(chartDir, { recursive: true });
  const peerName = run.versions.peer;
  const withVp = s.grants.includes('vp_token');
  const servers: ServerName[] = [...s.grants.map((g) => GRANT_SERVER[g]), 'peer'];
  const serverLabel: Record<ServerName, string> = {
    ours: withVp ? 'DOME Verifier, M2M' : `DOME Verifier ${run.versions.verifier}`,
    'ours-vp': 'DOME Verifier, vp_token',
    peer: `node-${peerName}`,
  };
  const serverColor: Record<ServerName, string> = { ours: OURS_COLOR, 'ours-vp': OURS_VP_COLOR, peer: PEER_COLOR };
  const series = (pick: (server: ServerName, c: number) => number): Series[] => servers.map((srv) => ({ name: serverLabel[srv], color: serverColor[srv], values: conns.map((c) => pick(srv, c)) }));
  const groups = conns.map((c) => `${c} connection${c === 1 ? '' : 's'}`);
  const throughputSvg = join(chartDir, 'throughput.svg');
  const latencySvg = join(chartDir, 'latency-p99.svg');
  writeFileSync(throughputSvg, barChart({ title: `${withVp ? 'Token' : 'M2M token'} requests per second (median of rounds, one core)`, unit: 'req/s', groups, series: series((srv, c) => s.cells[srv]![c]!.reqPerSec) }));
  writeFileSync(latencySvg, barChart({ title: 'p99 latency (median of rounds; lower is better)', unit: 'ms', groups, series: series((srv, c) => s.cells[srv]![c]!.p99) }));
  const rel = (p: string) => relative(dirname(docsOut), p).split('\\').join('/');
  const m = run.machine;
  const cfg = run.config;
  const lines: string[] = [];
  const add = (...l: string[]) => lines.push(...l);
  add(
    `# Benchmarks: ${withVp ? 'M2M and FIWARE vp_token token endpoints' : 'M2M token endpoint'} against node-oidc-provider`,
    '',
    `<!-- Generated by \`npm run bench:compare\` (bench/compare/render.ts) from ${basename(resultPath)}; do not edit by hand. -->`,
    '',
    'Our verifier and [node-oidc-provider](https://github.com/panva/node-oidc-provider) answer',
    'the same kind of machine-to-machine token request on the same core, measured in one run,',
    'interleaved. Absolute figures depend on the machine and on what else runs on it; the ratios',
    'between the two servers, measured window by window side by side, are what this page is for.',
    ...(withVp
      ? [
          'Two grants of ours are measured against the same peer windows: the DOME M2M grant',
          '(`/oidc/token`, `client_credentials` with a client assertion carrying the presentation) and the',
          'FIWARE `vp_token` grant (`/services/{id}/token`, docs/fiware.md), both with the same',
          'LEARCredentialMachine.',
        ]
      : []),
    '',
    '```sh',
    'npm run bench:compare                         # 3 rounds, 10 s windows, 1 / 8 / 32 connections',
    'BENCH_ROUNDS=5 BENCH_SECONDS=20 npm run bench:compare',
    'BENCH_SMOKE=1 npm run bench:compare           # 1 round, 1.5 s windows, 1 / 8 connections',
    'BENCH_TARGETS=m2m npm run bench:compare       # our M2M grant only (default m2m,vp_token)',
    '```',
    '',
    'Knobs: `BENCH_TARGETS` (comma list of `m2m`, `vp_token`), `BENCH_ROUNDS`, `BENCH_SECONDS`, `BENCH_WARMUP_SECONDS`, `BENCH_CONNECTIONS` (comma list),',
    '`BENCH_FLOOR_MS`, `BENCH_LOG_LEVEL` (our server, default `info`), `BENCH_SMOKE=1`,',
    '`BENCH_RESULTS_DIR` (default `bench/results`), `BENCH_DOCS_OUT` (default `docs/benchmarks.md`;',
    'the charts go to `benchmarks/` next to it). The command exits non-zero if any answer was not',
    '200, and then leaves this page as it was. `node --import tsx bench/compare/render.ts [result.json]`',
    're-renders this page from the latest (or a given) result without measuring.',
    '',
    `## Results (${cfg.rounds} round${cfg.rounds === 1 ? '' : 's'}, ${cfg.seconds} s windows)`,
    '',
    ...(Math.max(...m.loadAverageBefore.slice(0, 1), ...m.loadAverageAfter.slice(0, 1)) > m.cpus
      ? [
          `> The machine was busy during this run (1-minute load average ${m.loadAverageBefore[0]} before, ${m.loadAverageAfter[0]} after, on ${m.cpus} CPUs):`,
          '> the absolute req/s and latencies are well below what the same machine gives idle. Compare the',
          '> ratios, and the CPU-time figures, which move much less with the load.',
          '',
        ]
      : []),
    `![requests per second](${rel(throughputSvg)})`,
    '',
    `![p99 latency](${rel(latencySvg)})`,
    '',
    'Medians over the rounds (req/s: min–max in brackets). CPU per request is the server\'s user +',
    'system time (`/proc/<pid>/stat`) over the window divided by its requests.',
    '',
    '| Connections | Server | req/s | p50 | p99 | server CPU per request |',
    '|---:|---|---:|---:|---:|---:|',
  );
  const m2mPrefix = withVp ? 'M2M, ' : '';
  const rowLabel: Record<ServerName, string> = { ours: withVp ? 'DOME Verifier, M2M' : 'DOME Verifier', 'ours-vp': 'DOME Verifier, FIWARE vp_token', peer: `node-${peerName}` };
  for (const c of conns) {
    for (const srv of servers) {
      const cell = s.cells[srv]![c]!;
      add(`| ${c} | ${rowLabel[srv]} | ${fmt(cell.reqPerSec)} (${fmt(cell.reqPerSecMin)}–${fmt(cell.reqPerSecMax)}) | ${cell.p50} ms | ${cell.p99} ms | ${fmt(cell.cpuUsPerRequest)} µs |`);
    }
  }
  add(
    '',
    '### Ratios',
    '',
    'Each ratio is taken per round between our window and the peer\'s window of the same round and',
    'connection count, then the median over the rounds is shown. The floor of each grant is its own',
    '(below): M2M parse-inclusive with the credential cached, vp_token parse-inclusive with the x5c',
    'chain cached.',
    '',
    '| Grant | Connections | req/s, ours / peer | p99, peer / ours | server CPU per request, peer / ours | ours / parse-inclusive floor (CPU per request) | req/s, ours / floor req/s (wall clock) |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...s.grants.flatMap((g) =>
      conns.map((c) => {
        const r = s.ratios[g]![c]!;
        return `| ${GRANT_LABEL[g]} | ${c} | ${r.throughput}× | ${r.p99}× | ${r.cpu}× | ${Math.round(r.floor * 100)} % | ${Math.round(r.floorWall * 100)} % |`;
      }),
    ),
    '',
    `### Targets (issue #12${withVp ? '; the same for the vp_token grant, issue #13' : ''}; at ${TARGET_CONNECTIONS} connections)`,
    '',
    '| Target | Goal | This run | |',
    '|---|---|---:|---|',
    ...s.targets.map((t) => `| ${t.name} | ${t.goal} | ${t.value} | ${mark(t.met)} |`),
    '',
    '### Crypto floor (one core, median of the rounds)',
    '',
    '| Floor | CPU per request | requests per CPU-second | wall-clock requests/s |',
    '|---|---:|---:|---:|',
    ...(([
      [`${m2mPrefix}raw node:crypto, credential cached (2 ES256 verifies + 1 ES256 sign)`, s.floor.rawCached],
      [`${m2mPrefix}raw node:crypto, no credential cache (+ x5c chain + RS256 verify)`, s.floor.rawUncached],
      [`${m2mPrefix}parse-inclusive, credential cached`, s.floor.parseCached],
      [`${m2mPrefix}parse-inclusive, no credential cache`, s.floor.parseUncached],
      ["the peer's job, raw node:crypto (1 ES256 verify + 1 ES256 sign)", s.floor.peerRaw],
      ['FIWARE vp_token grant, raw node:crypto, x5c chain cached (ES256 verify of the VP + RS256 verify of the credential + 1 ES256 sign)', s.floor.vpRaw],
      ['FIWARE vp_token grant, raw node:crypto, no x5c chain cache (+ x5c chain)', s.floor.vpRawUncached],
      ['FIWARE vp_token grant, parse-inclusive, x5c chain cached', s.floor.vpParse],
    ] satisfies Array<[string, FloorFigure | undefined]>) as Array<[string, FloorFigure | undefined]>).flatMap(([name, f]) => (f ? [`| ${name} | ${fmt(f.cpuUs)} µs | ${fmt(1e6 / f.cpuUs)} | ${fmt(f.perSec)} |`] : [])),
    '',
    '### Memory and sizes',
    '',
    `RSS at the end of the run (peak): ours ${run.memory.ours.rssMiB} MiB (${run.memory.ours.peakMiB} MiB), peer ${run.memory.peer.rssMiB} MiB (${run.memory.peer.peakMiB} MiB).`,
    `Request bodies: ours ${run.sizes.oursBodyBytes.toLocaleString('en-US')} B${run.sizes.vpBodyBytes ? ` (vp_token grant ${run.sizes.vpBodyBytes.toLocaleString('en-US')} B)` : ''}, peer ${run.sizes.peerBodyBytes.toLocaleString('en-US')} B; access tokens: ours ${run.sizes.oursTokenBytes.toLocaleString('en-US')} B${run.sizes.vpTokenBytes ? ` (vp_token grant ${run.sizes.vpTokenBytes.toLocaleString('en-US')} B)` : ''}, peer ${run.sizes.peerTokenBytes.toLocaleString('en-US')} B.`,
    `${s.answers.toLocaleString('en-US')} measured requests, ${s.failed} not answered 200.`,
    '',
    '### Machine',
    '',
    `${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGiB} GiB, Linux ${m.kernel}; Node ${m.node}, OpenSSL ${m.openssl}; ${m.pinning}.`,
    `Load average before the run ${m.loadAverageBefore.join(' / ')}, after ${m.loadAverageAfter.join(' / ')} (1 / 5 / 15 min).`,
    `Verifier ${run.versions.verifier} at ${run.versions.commit}, node-${peerName}; our log level \`${cfg.logLevel}\`; ${cfg.warmupSeconds} s warm-up per window; run ${run.timestamp}${cfg.smoke ? ' (smoke budget)' : ''}.`,
    '',
    '## Method',
    '',
    '- **Servers.** Our production bundle (`scripts/build.mjs`, as `npm start` runs it, via',
    '  `bench/server.ts`: demo trust framework, rate limits off, in-memory store) and',
    `  node-${peerName} (\`bench/peer/\`, its own package.json and lock file, installed with`,
    '  `npm ci --prefix bench/peer` on first use; never a dependency of the product) run side by',
    '  side as child processes, both pinned to core 0 (`taskset -c 0`), `UV_THREADPOOL_SIZE=1`,',
    '  the node flags of `npm start` (`package.json` `config.node_flags`), the peer with',
    '  `NODE_ENV=production`. The load generator (autocannon, in the bench process) and the body',
    '  signer run on core 1. Keep-alive connections; 1, 8 and 32 of them.',
    '- **The job.** Both do `client_credentials` with `private_key_jwt` (ES256) and issue an ES256',
    '  JWT access token. Ours runs the full DOME pipeline: client assertion signature and replay',
    '  check, the LEARCredentialMachine presentation (VP signature, holder binding), the credential',
    '  (x5c chain and RS256 signature — a cached verdict for a credential presented again, the',
    '  production default), trusted issuers and services lists, revocation (cached lookups), the',
    '  token with the credential in its `vc` claim. The peer has one client with an inline JWKS,',
    '  JWT access tokens through resource indicators (`accessTokenFormat: \'jwt\'`) carrying the',
    '  claims ours carries beyond the registered ones (`vc`, `scope`, …, through',
    '  `extraTokenClaims`), and its default replay detection of the assertion `jti` (its in-memory',
    '  adapter: an LRU of 1,000 entries shared with its other state). It verifies one signature and',
    '  signs one.',
    ...(withVp
      ? [
          '- **The vp_token grant.** The same server (same process, same core) also serves a FIWARE',
          '  service (`bench-service`, `bench/compare/fiware.ts`, in `verifier.fiware.services`): one',
          '  scope requiring a LEARCredentialMachine, its issuer trusted through an EBSI-shaped Trusted',
          '  Issuers List on loopback (served by the bench process; the verifier caches its answer for',
          '  `cache.trustedIssuersTtlSeconds`), `jwtInclusion.fullInclusion`, and the strict default',
          '  `allowUnboundVp: false`. Each request is what a Data Space Connector machine sends:',
          '  `grant_type=vp_token&scope=default&vp_token=<VP JWT>`, no client authentication; the VP JWT',
          '  (ES256, the machine\'s did:key) is bound — `aud` the service\'s token endpoint, a fresh',
          '  `nonce`, `iat`/`exp` — and carries the demo machine\'s LEARCredentialMachine (RS256 x5c,',
          '  did:elsi issuer): the credential DOME\'s participants present through FIWARE components, and',
          '  the same DOME-sized payload as the M2M grant, so the two grants differ in their protocol only.',
          '  The FIWARE pipeline verifies the VP signature and the credential\'s RS256 signature on every',
          '  request (its x5c chain is a cached verdict), checks the TIL, the revoked list, and reserves the',
          '  nonce in the store (used once). Its bodies are pregenerated and sent once, as the M2M ones.',
        ]
      : []),
    '- **Bodies.** DOME-sized: the assertion carries the machine\'s presentation (RS256 x5c',
    '  credential inside an ES256 VP, standard base64) in `vp_token`; the peer\'s assertion carries the',
    '  same claim, so both parse bodies of the same size. Every body has a fresh `jti` and is sent',
    '  once; assertions and VP JWTs are valid for 120 s, as the DOME M2M client makes them (IN2\'s',
    '  issuer: `exp` = `iat` + 120 s). Our replay store keeps each `jti` (and each VP `nonce`) until',
    '  its `exp` plus the 60 s clock skew, in a hash table off the V8 heap (≈ 35–65 bytes an entry):',
    '  the request rate × 180 s entries (≈ 360,000, ≈ 13–26 MB, at 2,000 requests/s).',
    '  Bodies are signed before each window (warm-up and measured window each have their own',
    '  pool), so the generator does no crypto while it measures. A pool holds 1.3× the bodies the',
    '  server\'s best crypto floor of the run allows (or 1.5× its best rate at that connection count, if',
    '  higher); its cap stops the window before a body could be reused, and a window that nearly',
    '  exhausts its pool is measured again with twice the bodies (at most twice, then the run fails).',
    '- **Interleaving.** Each round measures the floor, then for every connection count a window on',
    `  each server, one after the other (${withVp ? 'ours M2M, ours vp_token, peer in odd rounds, the reverse in even rounds' : 'ours first in odd rounds, the peer first in even rounds'}, so`,
    '  that a drift of the machine\'s load does not favour one side). Each window starts with its own',
    '  warm-up. Every answer must be 200; non-200 answers and connection errors are counted.',
    '- **Floor.** `bench/compare/floor.ts`, pinned to core 0, one operation at a time on the run\'s',
    '  own inputs, keys imported once, raw `node:crypto` (performance-anchors §7): *raw* is the',
    '  signature work only — ES256 verify of the assertion and of the VP, ES256 sign of the token,',
    '  and without the credential cache also the x5c chain (certificate parsing, issuer links and',
    '  signatures up to the trust anchor) and the RS256 verify of the credential; *parse-inclusive*',
    '  adds splitting, base64url-decoding and JSON-parsing the JWTs and building the token',
    '  (JSON + base64url). The vp_token grant has its own: ES256 verify of the VP, RS256 verify of the',
    '  credential with the leaf key of its (cached) x5c chain, ES256 sign of the token; without the',
    '  chain cache also the x5c chain; parse-inclusive adds decoding the VP and the VC JWTs and',
    '  building its token (`verifiableCredential` and `vc`). Both its wall-clock rate and its CPU time per request (`process.cpuUsage`)',
    '  are recorded. The share of the floor is the floor\'s CPU per request (parse-inclusive, credential',
    '  cached: the configuration the servers run in) over our server\'s CPU per request in the same',
    '  round: on a saturated core of its own that is the ratio of the throughputs, and unlike a',
    '  wall-clock rate measured in a one-second burst it does not swing with the load of a shared',
    '  machine. The wall-clock ratio is shown beside it.',
    '- **Latency** is autocannon\'s, whole milliseconds; at 1 connection both servers answer in about',
    '  a millisecond, so the p99 ratio there is coarse.',
    '',
    `Raw figures of every window: \`${resultPath}\`.`,
    '',
  );
  writeFileSync(docsOut, `${lines.join('\n')}`);
  return [docsOut, throughputSvg, latencySvg];
}

function latestResult(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  if (files.length === 0) throw new Error(`no results in ${dir}: run npm run bench:compare`);
  return join(dir, files.at(-1)!);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] ?? latestResult(process.env.BENCH_RESULTS_DIR ?? 'bench/results');
  const written = renderDocs(JSON.parse(readFileSync(file, 'utf8')) as RunResult, file, process.env.BENCH_DOCS_OUT ?? 'docs/benchmarks.md');
  process.stdout.write(`${written.join('\n')}\n`);
}
