/**
 * A health prober for the benchmarks: `GET <url>` on a new connection every `everyMs` (as a
 * kubelet probe does), recording each answer's latency; a probe without an answer within
 * `timeoutMs` counts as failed.
 */
import { get } from 'node:http';

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
