/**
 * A health prober for the benchmarks: `GET <url>` on a new connection every `everyMs` (as a
 * kubelet probe does), recording each answer's latency; a probe without an answer within
 * `timeoutMs` counts as failed. `probeInChild` runs it in its own process.
 */
import { get } from 'node:http';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Prober {
  stop(): { probes: number; failed: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const pct = (sorted: number[], p: number) => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

export function startProber(url: string, everyMs = 500, timeoutMs = 10_000): Prober {
  const times: number[] = [];
  let failed = 0;
  let inFlight = 0;
  const probe = () => {
    const t0 = performance.now();
    inFlight++;
    let done = false;
    const finish = (ok: boolean) => {
      if (done) return;
      done = true;
      inFlight--;
      if (ok) times.push(performance.now() - t0);
      else failed++;
    };
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => finish(res.statusCode === 200));
    });
    req.on('timeout', () => {
      req.destroy();
      finish(false);
    });
    req.on('error', () => finish(false));
  };
  const timer = setInterval(probe, everyMs);
  return {
    stop() {
      clearInterval(timer);
      failed += inFlight;
      const sorted = [...times].sort((a, b) => a - b);
      const r = (n: number) => Math.round(n * 10) / 10;
      return { probes: sorted.length + failed, failed, p50Ms: r(pct(sorted, 50)), p99Ms: r(pct(sorted, 99)), maxMs: r(sorted.at(-1) ?? NaN) };
    },
  };
}

export { pct };

/**
 * The same prober in a child process, so that the load generator's busy event loop does not
 * delay the probes: runs for `seconds`, then resolves with its figures.
 */
export function probeInChild(url: string, seconds: number, everyMs = 500): Promise<ReturnType<Prober['stop']>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), url, String(seconds), String(everyMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as ReturnType<Prober['stop']>);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [url, seconds, everyMs] = process.argv.slice(2);
  const prober = startProber(url!, Number(everyMs));
  setTimeout(() => {
    process.stdout.write(JSON.stringify(prober.stop()));
    process.exit(0);
  }, Number(seconds) * 1000);
}
