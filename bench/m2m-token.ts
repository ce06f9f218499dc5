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
 *
 * Prints req/s, latency percentiles, non-2xx count and the server's RSS (current and peak).
 * Loopback only; the run is bounded in time and stops by itself.
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import autocannon from 'autocannon';
import { signJws } from '@dome-verifier/core';
import { loadP256PrivateKey, createVpJwt } from '@dome-verifier/client';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function rss(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return { rssMiB: Math.round(kb('VmRSS') / 102.4) / 10, peakMiB: Math.round(kb('VmHWM') / 102.4) / 10 };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dv-bench-'));
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const pin = cpus().length > 1 ? ['taskset', ['-c', '0']] as const : undefined;
  execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  const args = [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), 'dist/server/main.mjs'];
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', VERIFIER_BACKEND_URL: issuer, VERIFIER_DATA_DIR: dataDir, LOG_LEVEL, UV_THREADPOOL_SIZE: '1' };
  const out = process.env.BENCH_SERVER_STDOUT ? openSync(process.env.BENCH_SERVER_STDOUT, 'w') : 'ignore';
  const stdio = ['ignore', out, 'inherit'] as const;
  const child = pin ? spawn(pin[0], [...pin[1], process.execPath, ...args], { env, stdio: [...stdio] }) : spawn(process.execPath, args, { env, stdio: [...stdio] });
  if (pin) execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });

  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${issuer}/health`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 100) throw new Error('the verifier did not start');
      await new Promise((r) => setTimeout(r, 200));
    }
    const serverPid = child.pid!; // taskset execs node: same pid

    const demo = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8')) as { machine: { did: string; keyPath: string; credentialPath: string } };
    const key = loadP256PrivateKey(readFileSync(demo.machine.keyPath, 'utf8'));
    const credential = readFileSync(demo.machine.credentialPath, 'utf8').trim();
    const vpJwt = await createVpJwt({ credentials: [credential], holderKey: key.privateKey, holderDid: key.did, lifetimeSeconds: 3600 });
    const vpToken = Buffer.from(vpJwt).toString('base64');
    const clientId = demo.machine.did;
    let n = 0;
    const prefix = `grant_type=client_credentials&client_id=${encodeURIComponent(clientId)}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=`;
    const body = () => {
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signJws({ alg: 'ES256', typ: 'JWT', kid: clientId }, { iss: clientId, sub: clientId, aud: issuer, iat, exp: iat + 60, jti: `bench-${process.pid}-${n++}`, vp_token: vpToken }, key.privateKey);
      return `${prefix}${assertion}`; // a compact JWS is URL-safe: no encoding needed
    };
    const sample = body();
    const probe = await fetch(`${issuer}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: sample });
    if (!probe.ok) throw new Error(`probe request failed: ${probe.status} ${await probe.text()}`);

    const run = (duration: number) =>
      autocannon({
        url: `${issuer}/oidc/token`,
        connections: CONNECTIONS,
        duration,
        requests: [{ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
      });
    await run(WARMUP);
    const r = await run(SECONDS);
    const mem = rss(serverPid);
    const result = {
      scenario: 'M2M client_credentials, LEARCredentialMachine VP in client assertion, full validation',
      pinned: pin ? 'server core 0, load core 1' : 'not pinned (1 CPU)',
      connections: CONNECTIONS,
      seconds: SECONDS,
      bodyBytes: sample.length,
      requests: r.requests.total,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      serverRssMiB: mem.rssMiB,
      serverPeakRssMiB: mem.peakMiB,
      logLevel: LOG_LEVEL,
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    if (r.non2xx > 0 || r.errors > 0) process.exitCode = 1;
  } finally {
    stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
