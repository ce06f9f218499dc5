/**
 * One command: `npm run example`. Starts the verifier (demo trust framework in a temporary
 * folder), the product-offering API, and a machine client, all on 127.0.0.1, and prints each
 * step. The demo machine's credential grants only Onboarding/Execute, so creating an offering
 * is refused (403 insufficient_scope); the demo issuer then issues it a credential with the
 * ProductOffering/Create power, and the same call succeeds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '@dome-verifier/core/config';
import { buildApp, createMetrics, createRuntime } from '@dome-verifier/server';
import { issueLearCredential } from '@dome-verifier/dev-issuer';
import { createProductOfferingApi } from './api.ts';
import { callProductOfferingApi, type CallResult } from './machine-client.ts';

export interface DemoReport {
  issuer: string;
  apiUrl: string;
  withOnboardingPower: CallResult[];
  withProductOfferingPower: CallResult[];
}

export async function runDemo(log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): Promise<DemoReport> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dome-example-'));
  const verifierPort = await freePort();
  const issuer = `http://127.0.0.1:${verifierPort}`;
  const config = loadConfig({ env: { VERIFIER_BACKEND_URL: issuer, VERIFIER_DATA_DIR: dataDir, PORT: String(verifierPort), HOST: '127.0.0.1' } });
  const runtime = await createRuntime(config);
  const verifier = await buildApp(runtime, { metrics: createMetrics() });
  await verifier.listen({ host: '127.0.0.1', port: verifierPort });
  log(`1. verifier listening at ${issuer} (demo trust framework in ${dataDir})`);

  const api = await createProductOfferingApi({ issuer, audience: issuer });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const apiUrl = `http://127.0.0.1:${(api.server.address() as AddressInfo).port}`;
  log(`2. product-offering API listening at ${apiUrl}, protected by @dome-verifier/resource-server`);

  try {
    const demo = runtime.demo!;
    const key = readFileSync(demo.machine.keyPath, 'utf8');
    const show = (results: CallResult[]) => {
      for (const r of results) log(`   ${r.step.padEnd(20)} → ${r.status} ${JSON.stringify(r.body)}`);
    };

    log(`3. machine ${demo.machine.did} calls the API with its LEARCredentialMachine (power Onboarding/Execute)`);
    const withOnboardingPower = await callProductOfferingApi({ issuer, apiUrl, key, credential: readFileSync(demo.machine.credentialPath, 'utf8').trim(), offeringName: 'Refused offering' });
    show(withOnboardingPower);

    log('4. the demo issuer issues the machine a LEARCredentialMachine with the power ProductOffering/Create');
    const credential = issueLearCredential({
      kind: 'machine',
      seal: demo.seal,
      chain: demo.chain,
      organizationIdentifier: demo.organizationIdentifier,
      mandatee: { id: demo.machine.did },
      powers: [{ function: 'Onboarding', action: 'Execute' }, { function: 'ProductOffering', action: ['Create', 'Update'] }],
      validFrom: new Date(Date.now() - 60_000),
      validUntil: new Date(Date.now() + 86_400_000),
    }).jwt;

    log('5. the machine calls the API again with the new credential');
    const withProductOfferingPower = await callProductOfferingApi({ issuer, apiUrl, key, credential, offeringName: 'Edge compute, 8 vCPU' });
    show(withProductOfferingPower);
    return { issuer, apiUrl, withOnboardingPower, withProductOfferingPower };
  } finally {
    await api.close();
    await verifier.close();
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runDemo().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`example failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
