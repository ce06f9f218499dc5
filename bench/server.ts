/**
 * Starts the production bundle of the verifier for a benchmark, with the node flags of `npm start`
 * (package.json `config.node_flags`): built first, pinned to core 0
 * (`taskset -c 0`) while the calling process moves to core 1, on a fresh data folder with the
 * generated demo trust framework, rate limits off unless BENCH_RATE_LIMIT=1. Loopback only.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export interface BenchServer {
  issuer: string;
  pid: number;
  dataDir: string;
  pinned: string;
  /** Resident and peak memory of the server (MiB). */
  rss(): { rssMiB: number; peakMiB: number };
  /** CPU time used by the server so far (ms, user + system). */
  cpuMs(): number;
  stop(): void;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** The node flags `npm start` runs the server with (package.json `config.node_flags`). */
export function startNodeFlags(): string[] {
  return (JSON.parse(readFileSync('package.json', 'utf8')) as { config: { node_flags: string } }).config.node_flags.split(' ').filter(Boolean);
}

/** Resident and peak memory (VmRSS, VmHWM) of process `pid`, MiB. */
export function procRss(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb('VmRSS') / 102.4) / 10, peakMiB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

/** CPU time process `pid` used so far (ms, utime + stime from /proc/<pid>/stat). */
export function procCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks (100 Hz)
}

/** Polls `url` until it answers 2xx (≈ 20 s at most); on failure calls `stop` and throws. */
export async function waitUntilUp(url: string, what: string, stop: () => void, exited: () => boolean = () => false): Promise<void> {
  try {
    for (let i = 0; ; i++) {
      if (exited()) throw new Error(`${what} exited during start-up`);
      try {
        if ((await fetch(url)).ok) return;
      } catch {
        /* starting */
      }
      if (i > 100) throw new Error(`${what} did not start`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (e) {
    stop();
    throw e;
  }
}

export async function startBenchServer(options: { logLevel: string; nodeArgs?: string; stdout?: string; env?: Record<string, string> }): Promise<BenchServer> {
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const dataDir = mkdtempSync(join(tmpdir(), 'dv-bench-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const pin = cpus().length > 1;
  // The node flags `npm start` uses (package.json config.node_flags), then the bench's own.
  const args = [...startNodeFlags(), ...(options.nodeArgs ?? '').split(' ').filter(Boolean), 'dist/server/main.mjs'];
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', VERIFIER_BACKEND_URL: issuer, VERIFIER_DATA_DIR: dataDir, LOG_LEVEL: options.logLevel, UV_THREADPOOL_SIZE: '1',
    // One address and one client id drive thousands of requests a second: with the production
    // rate limits the bench would measure the limiter (BENCH_RATE_LIMIT=1 keeps them on).
    ...(process.env.BENCH_RATE_LIMIT === '1' ? {} : { SERVER_RATELIMIT_ENABLED: 'false' }),
    ...options.env };
  const out = options.stdout ? openSync(options.stdout, 'w') : 'ignore';
  const stdio: ['ignore', typeof out, 'inherit'] = ['ignore', out, 'inherit'];
  // taskset execs node, so the child pid is the server's.
  const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env, stdio }) : spawn(process.execPath, args, { env, stdio });
  if (pin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  await waitUntilUp(`${issuer}/health`, 'the verifier', stop);
  const pid = child.pid!;
  return {
    issuer,
    pid,
    dataDir,
    pinned: pin ? 'server core 0, load core 1' : 'not pinned (1 CPU)',
    rss: () => procRss(pid),
    cpuMs: () => procCpuMs(pid),
    stop,
  };
}
