/**
 * H2M login benchmark (`npm run bench:login`): the verifier bundle pinned to core 0 on the demo
 * trust framework; this process (core 1) plays the demo RP, the wallet and the browser.
 *
 * 1. Server CPU time per complete login — authorize → request object → wallet response (full
 *    validation) → status poll → code exchange (client assertion) — measured from /proc over
 *    BENCH_LOGINS sequential logins for each format the login page serves: the deployed wallet
 *    with a legacy LEARCredentialEmployee VP (packages/client), and the wallet PWA
 *    (the packages/client PWA emulator, dome-wallet-pwa.md §4) with a VCDM 2.0 JWT VC and with an
 *    SD-JWT VC + KB-JWT; wall-clock latency percentiles of each sequence are printed too.
 * 2. Memory per pending login session: RSS growth of the server after BENCH_PENDING
 *    authorization requests that are never answered (login session + one-shot request object).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signJws } from '@dome-verifier/core';
import { answerAuthorizationRequest, loadP256PrivateKey, pwaAnswer, pwaFetchTransport } from '@dome-verifier/client';
import { createDemoTrustFramework, generateP256, issueLearCredential, issueSdJwtVc } from '@dome-verifier/dev-issuer';
import { startBenchServer } from './server.ts';

const LOGINS = Number(process.env.BENCH_LOGINS ?? 200);
const PENDING = Number(process.env.BENCH_PENDING ?? 20_000);
const REDIRECT = 'http://localhost:3000/callback';

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function main(): Promise<void> {
  // One address and one client start every login: the per-address / per-client pending-login caps
  // would measure the admission limit, not a login (as bench/server.ts turns rate limits off).
  const server = await startBenchServer({ logLevel: process.env.BENCH_LOG_LEVEL ?? 'info', env: { VERIFIER_BACKEND_LOGIN_MAXPENDINGPERIP: '10000000', VERIFIER_BACKEND_LOGIN_MAXPENDINGPERCLIENT: '10000000' } });
  const { issuer } = server;
  try {
    const demo = await createDemoTrustFramework({ dir: join(server.dataDir, 'demo'), issuerUrl: issuer });
    const rpKey = loadP256PrivateKey(readFileSync(demo.rp.keyPath, 'utf8'));
    const user = generateP256();
    const mandatee = { id: user.did, firstName: 'Bench', lastName: 'User', email: 'bench@example.org' };
    const validity = { validFrom: new Date(Date.now() - 3_600_000), validUntil: new Date(Date.now() + 86_400_000) };
    const issuing = { seal: demo.seal, chain: demo.chain, organizationIdentifier: demo.organizationIdentifier, mandatee, ...validity };
    const legacy = issueLearCredential({ kind: 'employee', ...issuing }).jwt;
    const w3cV2 = issueLearCredential({ kind: 'employee', format: 'w3c-v2', ...issuing }).jwt;
    const sdJwt = issueSdJwtVc({ ...issuing, holderJwk: user.publicJwk }).sdJwt;

    type Wallet = (location: string) => Promise<{ status?: number; body?: string }>;
    const pwa = (credential: string): Wallet => (location) =>
      pwaAnswer(new URL(location).searchParams.get('authRequest')!, {
        ...pwaFetchTransport(),
        credentials: [{ credentialEncoded: credential }],
        keys: [user.privateKey],
        now: () => Math.floor(Date.now() / 1000),
      });
    const formats: Array<{ name: string; wallet: Wallet }> = [
      { name: 'deployed wallet, legacy LEARCredentialEmployee VP JWT', wallet: (location) => answerAuthorizationRequest(location, { key: user.privateKey, credential: legacy }) },
      { name: 'PWA, VCDM 2.0 JWT VC (DCQL map)', wallet: pwa(w3cV2) },
      { name: 'PWA, SD-JWT VC + KB-JWT (DCQL map)', wallet: pwa(sdJwt) },
    ];

    const authorizeUrl = (state: string) =>
      `${issuer}/oidc/authorize?${new URLSearchParams({ client_id: demo.rp.did, redirect_uri: REDIRECT, response_type: 'code', scope: 'openid learcredential', state, nonce: `n-${state}` })}`;

    async function login(i: number, wallet: Wallet): Promise<void> {
      const state = `bench-${i}-${Date.now()}`;
      const authz = await fetch(authorizeUrl(state), { redirect: 'manual' });
      if (authz.status !== 302) throw new Error(`authorize ${authz.status}: ${await authz.text()}`);
      const location = authz.headers.get('location')!;
      const cookie = authz.headers.get('set-cookie')!.split(';')[0]!;
      const answer = await wallet(location);
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

    const perFormat: Array<Record<string, unknown>> = [];
    for (const [f, { name, wallet }] of formats.entries()) {
      for (let i = 0; i < 20; i++) await login(-(f * 100 + i + 1), wallet); // warm-up
      const cpu0 = server.cpuMs();
      const walls: number[] = [];
      for (let i = 0; i < LOGINS; i++) {
        const t0 = performance.now();
        await login(f * 1_000_000 + i, wallet);
        walls.push(performance.now() - t0);
      }
      const cpuPerLogin = (server.cpuMs() - cpu0) / LOGINS;
      walls.sort((a, b) => a - b);
      perFormat.push({
        format: name,
        serverCpuMsPerLogin: Math.round(cpuPerLogin * 100) / 100,
        wallMsPerLogin: { p50: Math.round(pct(walls, 50) * 10) / 10, p99: Math.round(pct(walls, 99) * 10) / 10 },
      });
    }

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
          scenario: 'H2M login: authorize → request object → wallet answer (full validation) → status → code exchange',
          pinned: server.pinned,
          loginsPerFormat: LOGINS,
          formats: perFormat,
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
