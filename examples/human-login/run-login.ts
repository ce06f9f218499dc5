/**
 * One command: `npm run example:login`. Starts the verifier on http://localhost:8080 (embedded
 * defaults, demo trust framework under ./data/demo, as `npm start`; a verifier already answering
 * there is used instead) and the demo relying party on http://localhost:3000, then waits. Open
 * http://localhost:3000, log in, answer the QR code with the CLI wallet (or a wallet), and the
 * RP's page shows the verified ID-token claims and the LEAR powers.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadP256PrivateKey } from '@dome-verifier/client';
import { loadConfig } from '@dome-verifier/core/config';
import { buildApp, createMetrics, createRuntime } from '@dome-verifier/server';
import { DEMO_RP_URL, type DemoSummary } from '@dome-verifier/dev-issuer';
import { startLoginRp } from './rp.ts';

export interface LoginExampleOptions {
  /** Verifier data directory (identity key, demo trust framework); default VERIFIER_DATA_DIR or ./data. */
  dataDir?: string;
  verifierPort?: number;
  rpPort?: number;
  host?: string;
  /** The verifier's public URL; default http://localhost:<verifierPort>. */
  issuer?: string;
}

export interface LoginExample {
  issuer: string;
  dataDir: string;
  /** Where the RP listens (its registered public URL is http://localhost:3000). */
  rpUrl: string;
  /** True when this process started the verifier (false: one was already running at `issuer`). */
  startedVerifier: boolean;
  close(): Promise<void>;
}

async function answers(issuer: string): Promise<boolean> {
  try {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

export async function startLoginExample(o: LoginExampleOptions = {}): Promise<LoginExample> {
  const host = o.host ?? '127.0.0.1';
  const verifierPort = o.verifierPort ?? 8080;
  const issuer = o.issuer ?? `http://localhost:${verifierPort}`;
  const dataDir = resolve(o.dataDir ?? process.env.VERIFIER_DATA_DIR ?? './data');
  const closers: Array<() => Promise<unknown>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c();
  };
  try {
    const startedVerifier = !(await answers(issuer));
    if (startedVerifier) {
      const config = loadConfig({ env: { VERIFIER_BACKEND_URL: issuer, VERIFIER_DATA_DIR: dataDir, PORT: String(verifierPort), HOST: host } });
      const runtime = await createRuntime(config);
      closers.push(() => runtime.close());
      const verifier = await buildApp(runtime, { metrics: createMetrics() });
      closers.push(() => verifier.close());
      await verifier.listen({ host, port: verifierPort });
    }
    const demo = JSON.parse(readFileSync(join(dataDir, 'demo', 'demo.json'), 'utf8')) as DemoSummary;
    const key = loadP256PrivateKey(readFileSync(demo.rp.keyPath, 'utf8'));
    const rp = await startLoginRp({ issuer, key, publicUrl: DEMO_RP_URL, host, port: o.rpPort ?? 3000 });
    closers.push(() => new Promise<void>((r) => rp.server.close(() => r())));
    const address = rp.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return { issuer, dataDir, rpUrl: `http://${host}:${port}`, startedVerifier, close };
  } catch (e) {
    await close();
    throw e;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startLoginExample().then(
    (ex) => {
      process.stdout.write(
        [
          ex.startedVerifier ? `verifier listening at ${ex.issuer} (demo trust framework in ${join(ex.dataDir, 'demo')})` : `using the verifier already running at ${ex.issuer}`,
          `relying party listening at ${DEMO_RP_URL}`,
          '',
          `1. open ${DEMO_RP_URL} and click "Log in with your wallet": the verifier's login page shows a QR code`,
          '2. in another terminal, issue an employee credential once and answer the QR code with the CLI wallet:',
          '     npm run cli -- issue --demo --kind employee --out data/employee.jwt',
          '     npm run cli -- wallet "<login page URL>" --key data/employee.jwt.key.jwk --credential data/employee.jwt',
          `3. the browser moves on to ${DEMO_RP_URL}/callback: the ID-token claims and the LEAR powers`,
          '',
          'Ctrl-C stops both.',
          '',
        ].join('\n'),
      );
      const stop = () => void ex.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      process.stderr.write(`example:login failed: ${code === 'EADDRINUSE' ? 'port 3000 is in use (stop what listens there)' : e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
