/**
 * Slow-socket measurement: the production bundle (pinned as in `npm run bench`) receives N
 * sockets that each send the headers of a 17 KB `POST /oidc/token` and then drip the body one
 * byte every 2 s (BENCH_MODE=drip, default) or send nothing more (BENCH_MODE=stall). Prints how
 * many sockets the server still holds after 5 s, 10 s, 20 s … and when the last one was closed,
 * and the latency of `GET /health` (new connection every 500 ms) meanwhile.
 *
 *   npm run bench:slow                       # 2,000 sockets, at most 40 s
 *   BENCH_SOCKETS=2000 BENCH_SECONDS=40 BENCH_MODE=stall npm run bench:slow
 *   BENCH_SERVER_ENV='SERVER_MANAGEMENT_PORT=9464' BENCH_HEALTH_PORT=9464 npm run bench:slow
 *
 * Loopback only; bounded in sockets and time, every socket is destroyed at the end.
 */
import { connect, type Socket } from 'node:net';
import { startBenchServer } from './server.ts';
import { probeInChild } from './probe.ts';

const SOCKETS = Number(process.env.BENCH_SOCKETS ?? 2000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 40);
const MODE = process.env.BENCH_MODE ?? 'drip';

async function main(): Promise<void> {
  const env = Object.fromEntries((process.env.BENCH_SERVER_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => kv.split('=', 2) as [string, string]));
  const server = await startBenchServer({ logLevel: process.env.BENCH_LOG_LEVEL ?? 'info', stdout: process.env.BENCH_SERVER_STDOUT, env });
  const url = new URL(server.issuer);
  const sockets: Socket[] = [];
  const closedAt: number[] = [];
  const t0 = performance.now();
  let refusedAtConnect = 0;
  try {
    for (let i = 0; i < SOCKETS; i++) {
      const s = connect({ host: url.hostname, port: Number(url.port) });
      s.on('error', () => undefined);
      s.on('data', () => undefined);
      s.once('close', () => closedAt.push(performance.now() - t0));
      s.once('connect', () => s.write(`POST /oidc/token HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 17000\r\n\r\ngrant_type=`));
      sockets.push(s);
      if (i % 200 === 199) await new Promise((r) => setTimeout(r, 50)); // let the accept queue drain
    }
    const drip = MODE === 'drip' ? setInterval(() => { for (const s of sockets) if (!s.destroyed) s.write('a'); }, 2000) : undefined;
    const probes = probeInChild(process.env.BENCH_HEALTH_PORT ? `http://127.0.0.1:${process.env.BENCH_HEALTH_PORT}/health` : `${server.issuer}/health`, SECONDS - 6);
    const held: Record<string, number> = {};
    for (const at of [5, 10, 20, 30, 40, 60, 90, 120, 150].filter((s) => s <= SECONDS)) {
      await new Promise((r) => setTimeout(r, at * 1000 - (performance.now() - t0)));
      held[`${at}s`] = sockets.length - closedAt.length;
      if (closedAt.length === sockets.length) break;
    }
    if (drip) clearInterval(drip);
    const health = await probes;
    refusedAtConnect = closedAt.filter((t) => t < 1000).length;
    const allClosed = closedAt.length === sockets.length;
    const result = {
      scenario: `${SOCKETS} sockets send the headers of a 17 KB POST /oidc/token, then ${MODE === 'drip' ? 'drip 1 byte / 2 s' : 'nothing'}`,
      pinned: server.pinned,
      serverEnv: env,
      heldOpen: held,
      closedWithin1s: refusedAtConnect,
      lastClosedAfterS: allClosed ? Math.round(Math.max(...closedAt) / 100) / 10 : `still ${sockets.length - closedAt.length} open after ${SECONDS} s`,
      health,
      serverRssMiB: server.rss().rssMiB,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    for (const s of sockets) s.destroy();
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
