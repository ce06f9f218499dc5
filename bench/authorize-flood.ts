/**
 * Unauthenticated `/oidc/authorize` flood (issue #9 item 8): the production bundle on the demo
 * trust framework (bench/server.ts: built, pinned to core 0, fresh data folder, loopback), then
 * autocannon sends `GET /oidc/authorize` for the demo relying party for FLOOD_SECONDS (default
 * 60) on FLOOD_CONNECTIONS (default 16) keep-alive connections. Meanwhile one M2M token request
 * is sent every 500 ms, to see whether machine clients are still served during the flood.
 *
 *   node --import tsx bench/authorize-flood.ts                 # one source address (127.0.0.1)
 *   FLOOD_SPOOF_XFF=1 node --import tsx bench/authorize-flood.ts   # a fresh X-Forwarded-For per request
 *
 * FLOOD_SPOOF_XFF=1 gives every request its own X-Forwarded-For address, as a botnet (or a
 * spoofing client, when the proxy is trusted) would: the per-IP cap no longer applies and the
 * global cap does. Prints requests/s, the status codes, RSS before and after, the pending logins
 * reported by the server (`verifier_login_pending`, when it has it; else the number of 302s) and
 * the M2M outcomes. Bounded in time; stops the server at the end.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { signJws } from '@dome-verifier/core';
import { loadP256PrivateKey, createVpJwt } from '@dome-verifier/client';
import { startBenchServer } from './server.ts';

const SECONDS = Number(process.env.FLOOD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.FLOOD_CONNECTIONS ?? 16);
const SPOOF = process.env.FLOOD_SPOOF_XFF === '1';
const REDIS_URL = process.env.FLOOD_REDIS_URL;
if (REDIS_URL) {
  process.env.VERIFIER_BACKEND_STORE_TYPE = 'redis';
  process.env.VERIFIER_BACKEND_STORE_REDISURL = REDIS_URL;
  process.env.VERIFIER_BACKEND_STORE_KEYPREFIX = `flood-${randomBytes(4).toString('hex')}:`;
}
const redisUsedMiB = async () => {
  if (!REDIS_URL) return undefined;
  const r = new Redis(REDIS_URL);
  try {
    const info = await r.info('memory');
    return Math.round(Number(/used_memory:(\d+)/.exec(info)?.[1]) / 104857.6) / 10;
  } finally {
    r.disconnect();
  }
};

async function main(): Promise<void> {
  const server = await startBenchServer({ logLevel: process.env.FLOOD_LOG_LEVEL ?? 'info', stdout: process.env.FLOOD_SERVER_STDOUT });
  const { issuer, dataDir } = server;
  try {
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8')) as { machine: { did: string; keyPath: string; credentialPath: string }; rp: { did: string } };
    const key = loadP256PrivateKey(readFileSync(demo.machine.keyPath, 'utf8'));
    const credential = readFileSync(demo.machine.credentialPath, 'utf8').trim();
    const vpToken = Buffer.from(await createVpJwt({ credentials: [credential], holderKey: key.privateKey, holderDid: key.did, lifetimeSeconds: 3600 })).toString('base64');
    const machineId = demo.machine.did;
    let n = 0;
    const tokenBody = () => {
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signJws({ alg: 'ES256', typ: 'JWT', kid: machineId }, { iss: machineId, sub: machineId, aud: issuer, iat, exp: iat + 60, jti: `flood-${process.pid}-${n++}`, vp_token: vpToken }, key.privateKey);
      return `grant_type=client_credentials&client_id=${encodeURIComponent(machineId)}&client_assertion_type=${encodeURIComponent('urn:ietf:params:oauth:client-assertion-type:jwt-bearer')}&client_assertion=${assertion}`;
    };
    const m2m = new Map<string, number>();
    const tokenOnce = async () => {
      try {
        const res = await fetch(`${issuer}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: tokenBody(), signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        m2m.set(String(res.status), (m2m.get(String(res.status)) ?? 0) + 1);
      } catch (e) {
        const k = e instanceof Error ? e.name : 'error';
        m2m.set(k, (m2m.get(k) ?? 0) + 1);
      }
    };
    await tokenOnce();
    if (m2m.get('200') !== 1) throw new Error(`the M2M probe failed before the flood: ${JSON.stringify(Object.fromEntries(m2m))}`);
    m2m.clear();

    const query = new URLSearchParams({ client_id: demo.rp.did, redirect_uri: 'http://localhost:3000/callback', response_type: 'code', scope: 'openid learcredential', state: 'flood', nonce: 'n' });
    const before = server.rss();
    const redisBefore = await redisUsedMiB();
    const prober = setInterval(() => void tokenOnce(), 500);
    let ip = 0;
    const r = await autocannon({
      url: `${issuer}/oidc/authorize?${query.toString()}`,
      connections: CONNECTIONS,
      duration: SECONDS,
      requests: [
        {
          method: 'GET',
          ...(SPOOF ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: { ...(req.headers as object), 'x-forwarded-for': `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip++ & 255}` } }) } : {}),
        },
      ],
    });
    clearInterval(prober);
    await tokenOnce();
    const after = server.rss();
    const redisAfter = await redisUsedMiB();
    const metrics = await (await fetch(`${issuer}/metrics`)).text();
    const pending = /^verifier_login_pending ([0-9.e+-]+)$/m.exec(metrics)?.[1];
    const health = await fetch(`${issuer}/health`);
    const statusCodes = Object.fromEntries(Object.entries((r as unknown as { statusCodeStats: Record<string, { count: number }> }).statusCodeStats).map(([k, v]) => [k, v.count]));
    const result = {
      scenario: `GET /oidc/authorize flood (demo RP), ${SPOOF ? 'a fresh X-Forwarded-For per request' : 'one source address'}, ${REDIS_URL ? 'Redis store' : 'memory store'}`,
      pinned: server.pinned,
      connections: CONNECTIONS,
      seconds: SECONDS,
      requests: r.requests.total,
      reqPerSec: Math.round(r.requests.average),
      latencyMs: { p50: r.latency.p50, p99: r.latency.p99, max: r.latency.max },
      statusCodes,
      errors: r.errors + r.timeouts,
      pendingLogins: pending === undefined ? `${statusCodes['302'] ?? 0} (302 answers; every one stored a login)` : Number(pending),
      rssMiB: { before: before.rssMiB, after: after.rssMiB, peak: after.peakMiB },
      ...(REDIS_URL ? { redisUsedMiB: { before: redisBefore, after: redisAfter } } : {}),
      m2mDuringFlood: Object.fromEntries(m2m),
      healthAfter: { status: health.status, body: await health.text() },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`flood failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
