/**
 * M2M token benchmark: the verifier (the production bundle, as `npm start` runs it) runs as a child process pinned to core 0 (`taskset -c 0`)
 * on the generated demo trust framework; autocannon on this process (pinned to core 1) keeps
 * 32 keep-alive connections busy, every request carrying a fresh client assertion (new jti)
 * around a DOME-sized presentation (RS256 x5c credential + ES256 VP). Full validation runs on
 * every request: assertion signature, replay store, VP signature + holder binding, credential
 * x5c chain (cached verdict), RS256 credential signature, TIL issuer + mandator (cached),
 * revocation list (cached), and ES256 token signing.
 *
 *   npm run bench                      # 20 s after a 5 s warm-up
 *   BENCH_SECONDS=30 BENCH_CONNECTIONS=32 npm run bench
 *   BENCH_PREGENERATE=1 npm run bench    # assertions signed before the run (no generator crypto)
 *
 * Prints req/s, latency percentiles, non-2xx count and the server's RSS (current and peak).
 * Loopback only; the run is bounded in time and stops by itself.
 */
import autocannon from 'autocannon';
import { m2mBodies } from './m2m-body.ts';
import { startBenchServer } from './server.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

async function main(): Promise<void> {
  const server = await startBenchServer({ logLevel: LOG_LEVEL, nodeArgs: process.env.BENCH_NODE_ARGS, stdout: process.env.BENCH_SERVER_STDOUT });
  const { issuer, dataDir } = server;
  try {
    const { body } = await m2mBodies(issuer, dataDir);
    // BENCH_PREGENERATE=1 signs every assertion before the run, so that the load generator does
    // no crypto while measuring (isolates the server's latency from the generator's jitter).
    const pregenerated: string[] = [];
    if (process.env.BENCH_PREGENERATE === '1') {
      const count = Math.ceil((SECONDS + WARMUP) * 3000);
      for (let i = 0; i < count; i++) pregenerated.push(body());
    }
    let next = 0;
    const nextBody = () => (next < pregenerated.length ? pregenerated[next++]! : body());
    const sample = body();
    // The keep-alive connection of the start-up health check idled while the bodies were signed,
    // past the server's keep-alive timeout (5 s): a POST that lands on it as the server closes it
    // fails ("other side closed") and is sent once more, with a fresh body, on a new connection.
    const sendProbe = (form: string) => fetch(`${issuer}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    const probe = await sendProbe(sample).catch(() => sendProbe(body()));
    if (!probe.ok) throw new Error(`probe request failed: ${probe.status} ${await probe.text()}`);

    const run = (duration: number) =>
      autocannon({
        url: `${issuer}/oidc/token`,
        connections: CONNECTIONS,
        duration,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: nextBody() }) }],
      });
    await run(WARMUP);
    const r = await run(SECONDS);
    const mem = server.rss();
    // Likewise the probe's connection, idle for the whole run.
    const scrape = async () => (await fetch(`${issuer}/metrics`)).text();
    const metrics = await scrape().catch(scrape);
    const gauge = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(metrics)?.[1] ?? NaN);
    const mib = (bytes: number) => Math.round(bytes / 104857.6) / 10;
    const eventLoopLagMs = { p50: gauge('verifier_nodejs_eventloop_lag_p50_seconds') * 1000, p99: gauge('verifier_nodejs_eventloop_lag_p99_seconds') * 1000, max: gauge('verifier_nodejs_eventloop_lag_max_seconds') * 1000 };
    const result = {
      scenario: 'M2M client_credentials, LEARCredentialMachine VP in client assertion, full validation',
      pinned: server.pinned,
      connections: CONNECTIONS,
      seconds: SECONDS,
      bodyBytes: sample.length,
      requests: r.requests.total,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      serverEventLoopLagMs: eventLoopLagMs,
      serverRssMiB: mem.rssMiB,
      serverPeakRssMiB: mem.peakMiB,
      serverHeapMiB: { total: mib(gauge('verifier_nodejs_heap_size_total_bytes')), used: mib(gauge('verifier_nodejs_heap_size_used_bytes')), external: mib(gauge('verifier_nodejs_external_memory_bytes')) },
      logLevel: LOG_LEVEL,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? `${e.message}${e.cause ? ` (${String((e.cause as Error).message ?? e.cause)})` : ""}` : String(e)}\n`);
  process.exit(1);
});
