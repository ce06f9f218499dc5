/**
 * H2M login benchmark (`npm run bench:login`): the verifier bundle pinned to core 0 on the demo
 * trust framework; this process (core 1) plays the demo RP, the wallet and the browser.
 *
 * 1. Server CPU time per complete login — authorize → request object → wallet response
 *    (LEARCredentialEmployee presentation, full validation) → status poll → code exchange
 *    (client assertion) — measured from /proc over BENCH_LOGINS sequential logins; wall-clock
 *    latency percentiles of the whole sequence are printed too.
 * 2. Memory per pending login session: RSS growth of the server after BENCH_PENDING
 *    authorization requests that are never answered (login session + one-shot request object).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJws } from '@dome-verifier/core';
import { answerAuthorizationRequest, loadP256PrivateKey } from '@dome-verifier/client';
import { createDemoTrustFramework, generateP256, issueLearCredential } from '@dome-verifier/dev-issuer';
import { startBenchServer } from './server.ts';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 300);
const PENDING = Number(process.env.BENCH_PENDING ?? 20_000);
const REDIRECT = 'http://localhost:3000/callback';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  const server = await startBenchServer({ logLevel: process.env.BENCH_LOG_LEVEL ?? 'info' });
  const { issuer } = server;
  try {
    const demo = await createDemoTrustFramework({ dir: join(server.dataDir, 'demo'), issuerUrl: issuer });
    const rpKey = loadP256PrivateKey(readFileSync(demo.rp.keyPath, 'utf8'));
    const user = generateP256();
    const employee = issueLearCredential({
      kind: 'employee',
      seal: demo.seal,
      chain: demo.chain,
      organizationIdentifier: demo.organizationIdentifier,
      mandatee: { id: user.did, firstName: 'Bench', lastName: 'User', email: 'bench@example.org' },
      validFrom: new Date(Date.now() - 3_600_000),
      validUntil: new Date(Date.now() + 86_400_000),
    }).jwt;

    const authorizeUrl = (state: string) =>
      `${issuer}/oidc/authorize?${new URLSearchParams({ client_id: demo.rp.did, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid learcredential', state, nonce: `n-${state}` })}`;

    async function login(i: number): Promise<void> {
      const state = `bench-${i}-${Date.now()}`;
      const authz = await fetch(authorizeUrl(state), { redirect: 'manual' });
      const location = authz.headers.get('location')!;
      const cookie = authz.headers.get('set-cookie')!.split(';')[0]!;
      const answer = await answerAuthorizationRequest(location, { key: user.privateKey, credential: employee });
      if (answer.status !== 200) throw new Error(`wallet answer ${answer.status}: ${answer.body}`);
      const status = (await (await fetch(`${issuer}/api/login/status?state=${encodeURIComponent(state)}`, { headers: { cookie } })).json()) as { redirect_to?: string };
      const code = new URL(status.redirect_to!).searchParams.get('code')!;
      const iat = Math.floor(Date.now() / 1000);
      const assertion = signJws({ alg: 'ES256', kid: demo.rp.did }, { iss: demo.rp.did, sub: demo.rp.did, aud: issuer, iat, exp: iat + 60, jti: crypto.randomUUID() }, rpKey.privateKey);
      const token = await fetch(`${issuer}/oidc/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, client_id: demo.rp.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }),
      });
      if (token.status !== 200) throw new Error(`code exchange ${token.status}: ${await token.text()}`);
    }

    for (let i = 0; i < 20; i++) await login(-i - 1); // warm-up
    const cpu0 = server.cpuMs();
    const walls: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      const t0 = performance.now();
      await login(i);
      walls.push(performance.now() - t0);
    }
    const cpuPerLogin = (server.cpuMs() - cpu0) / LOGINS;
    walls.sort((a, b) => a - b);

    // Pending sessions: authorization requests that nobody answers.
    await new Promise((r) => setTimeout(r, 1000));
    const before = server.rss().rssMiB;
    for (let i = 0; i < PENDING; i += 50) {
      await Promise.all(Array.from({ length: Math.min(50, PENDING - i) }, (_, j) => fetch(authorizeUrl(`pending-${i + j}`), { redirect: 'manual' }).then((r) => r.arrayBuffer())));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const after = server.rss().rssMiB;

    process.stdout.write(
      `${JSON.stringify(
        {
          scenario: 'H2M login: authorize → request object → wallet VP (LEARCredentialEmployee, full validation) → status → code exchange',
          pinned: server.pinned,
          logins: LOGINS,
          serverCpuMsPerLogin: Math.round(cpuPerLogin * 100) / 100,
          wallMsPerLogin: { p50: Math.round(pct(walls, 50) * 10) / 10, p99: Math.round(pct(walls, 99) * 10) / 10 },
          pendingSessions: PENDING,
          rssBeforeMiB: before,
          rssAfterMiB: after,
          bytesPerPendingSession: Math.round(((after - before) * 1024 * 1024) / PENDING),
        },
        null,
        2,
      )}\n`,
    );
  } finally {
    server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
