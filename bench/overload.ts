/**
 * Overload benchmark: the production bundle pinned to core 0 (as `npm run bench`), driven from
 * core 1 by autocannon with 1,500 keep-alive connections posting DOME-sized token requests
 * (fresh assertion each, 17 KB body) — far more than one core can verify. Meanwhile a prober
 * asks `GET /health` on a new connection every 500 ms. Prints the latency of the accepted (2xx)
 * requests, the refusals by status, the health latency and the server RSS.
 *
 *   npm run bench:overload                    # 15 s after a 3 s warm-up
 *   BENCH_CONNECTIONS=1500 BENCH_SECONDS=15 npm run bench:overload
 *   BENCH_SERVER_ENV='SERVER_MANAGEMENT_PORT=9464' BENCH_HEALTH_URL=http://127.0.0.1:9464/health npm run bench:overload
 *
 * Rate limiting is off for the run (bench/server.ts: every connection comes from 127.0.0.1 with
 * one client id), unless BENCH_RATE_LIMIT=1. Loopback only; bounded in time, stops by itself.
 */
import autocannon, { type Result } from 'autocannon';
import { m2mBodies } from './m2m-body.ts';
import { startBenchServer } from './server.ts';
import { probeInChild, pct } from './probe.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1500);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

/** Cumulative counts of the server's `/oidc/token` latency histogram, by upper bound (seconds). */
async function tokenLatencyBuckets(issuer: string): Promise<Map<number, number>> {
  const text = await (await fetch(`${issuer}/metrics`)).text();
  const out = new Map<number, number>();
  for (const m of text.matchAll(/^verifier_http_request_duration_seconds_bucket\{le="([^"]+)",route="\/oidc\/token",method="POST"\} (\d+)$/gm)) {
    out.set(m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2]));
  }
  return out;
}

/**
 * The server's own view (headers received → answer sent, refusals included) during the run: the
 * histogram bucket bound under which 50 % and 99 % of the requests fell ("≤ 1 s").
 */
function bucketPercentiles(before: Map<number, number>, after: Map<number, number>): Record<string, string> {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  const at = (p: number) => {
    const bound = bounds.find((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0) >= (p / 100) * total);
    return bound === undefined || bound === Infinity ? '> 5 s' : `≤ ${bound * 1000} ms`;
  };
  return { requests: String(total), p50: at(50), p99: at(99), p999: at(99.9) };
}

async function main(): Promise<void> {
  const env: Record<string, string> = {
    ...Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=', 2) as [string, string])),
  };
  const server = await startBenchServer({ logLevel: LOG_LEVEL, nodeArgs: process.env.BENCH_NODE_ARGS, stdout: process.env.BENCH_SERVER_STDOUT, env });
  const { issuer, dataDir } = server;
  try {
    const { body } = await m2mBodies(issuer, dataDir);
    const sample = body();
    const probe = await fetch(`${issuer}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: sample });
    if (!probe.ok) throw new Error(`probe request failed: ${probe.status} ${await probe.text()}`);

    const run = (duration: number, onResponse?: (status: number, ms: number) => void) =>
      new Promise<Result>((resolve, reject) => {
        const instance = autocannon(
          {
            url: `${issuer}/oidc/token`,
            connections: CONNECTIONS,
            duration,
            timeout: 30,
            requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
          },
          (e, r) => (e ? reject(e) : resolve(r)),
        );
        if (onResponse) instance.on('response', (_c, status, _b, ms) => onResponse(status, ms));
      });
    await run(WARMUP);
    const serverBefore = await tokenLatencyBuckets(issuer);
    const accepted: number[] = [];
    const refused = new Map<number, number>();
    const probes = probeInChild(process.env.BENCH_HEALTH_URL ?? `${issuer}/health`, SECONDS);
    const r = await run(SECONDS, (status, ms) => {
      if (status >= 200 && status < 300) accepted.push(ms);
      else refused.set(status, (refused.get(status) ?? 0) + 1);
    });
    const health = await probes;
    const serverSide = bucketPercentiles(serverBefore, await tokenLatencyBuckets(issuer));
    const mem = server.rss();
    accepted.sort((a, b) => a - b);
    const result = {
      scenario: 'overload: POST /oidc/token, full validation, far more connections than one core serves',
      pinned: server.pinned,
      connections: CONNECTIONS,
      seconds: SECONDS,
      bodyBytes: sample.length,
      accepted: { count: accepted.length, perSec: Math.round(accepted.length / SECONDS), p50Ms: pct(accepted, 50), p99Ms: pct(accepted, 99), maxMs: accepted.at(-1) },
      refused: Object.fromEntries(refused),
      serverSideTokenLatency: serverSide,
      connectionErrors: r.errors,
      timeouts: r.timeouts,
      health,
      serverRssMiB: mem.rssMiB,
      serverPeakRssMiB: mem.peakMiB,
      logLevel: LOG_LEVEL,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
