/**
 * `dome-verifier inspect` of an SD-JWT VC presentation (what the wallet PWA posts,
 * `<issuer-jwt>~<disclosures>~<kb-jwt>`) on the demo trust framework: the SD-JWT steps run
 * collect-all (core `inspectSdJwt`), every failure is shown with its error code, the exit code is
 * 1 when any failed; the KB-JWT nonce check needs `--nonce`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoTrustFramework, encodeDisclosure, generateP256, issueSdJwtVc, presentSdJwt, type DemoTrustFramework } from '@dome-verifier/dev-issuer';
import { runCli } from '../../packages/cli/src/testing.ts';

const AUD = 'did:key:zDnaeVerifierClientIdOfTheLogin';

describe('inspect explains SD-JWT VC presentations', () => {
  let dataDir = '';
  let demo: DemoTrustFramework;
  const holder = generateP256();
  let stored = '';

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'dv-inspect-sd-'));
    demo = await createDemoTrustFramework({ dir: join(dataDir, 'demo'), issuerUrl: 'https://verifier.test' });
    stored = issueSdJwtVc({
      seal: demo.seal, chain: demo.chain, organizationIdentifier: demo.organizationIdentifier, holderJwk: holder.publicJwk,
      mandatee: { id: holder.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' },
      validFrom: new Date(Date.now() - 3_600_000), validUntil: new Date(Date.now() + 86_400_000),
    }).sdJwt;
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const present = (sdJwt = stored, nonce = 'n-1') => presentSdJwt({ sdJwt, holderKey: holder.privateKey, clientId: AUD, nonce });

  test('a valid presentation (given on the command line or in a file) passes every SD-JWT step and exits 0', async () => {
    const file = join(dataDir, 'presentation.txt');
    await writeFile(file, `${present()}\n`);
    for (const input of [present(), file]) {
      const r = await runCli(['inspect', input, '--demo', dataDir, '--audience', AUD, '--nonce', 'n-1']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      assert.match(r.stdout, /^kind: sd-jwt \(detected\)$/m);
      for (const step of ['sd-jwt-issuer-signature', 'sd-jwt-disclosures', 'sd-jwt-kb-signature', 'sd-jwt-kb-nonce', 'sd-jwt-kb-sd-hash']) assert.match(r.stdout, new RegExp(`^ {2}✓ ${step}$`, 'm'), step);
      assert.match(r.stdout, /^VALID: /m);
      assert.doesNotMatch(r.stdout, /✗/);
    }
  });

  const inspectJson = async (presentation: string) => {
    const r = await runCli(['inspect', presentation, '--demo', dataDir, '--audience', AUD, '--nonce', 'n-1', '--json']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const report = r.json() as { valid: boolean; checks: { step: string; status: string; code?: string }[] };
    assert.equal(report.valid, false);
    return { report, failed: report.checks.filter((c) => c.status === 'failed').map((c) => `${c.step} ${c.code}`) };
  };

  test('a tampered disclosure fails sd-jwt-disclosures (ERR_SD_JWT_DISCLOSURE); the steps that need its claims are not claimed as passed; exit 1', async () => {
    const parts = stored.split('~');
    const forged = encodeDisclosure('mandatee', { id: holder.did, firstName: 'Mallory', lastName: 'X', email: 'mallory@example.org' });
    const { report, failed } = await inspectJson(present([parts[0], forged, ...parts.slice(2)].join('~')));
    assert.deepEqual(failed, ['sd-jwt-disclosures ERR_SD_JWT_DISCLOSURE']);
    assert.equal(report.checks.find((c) => c.step === 'sd-jwt-issuer-signature')?.status, 'passed');
    assert.equal(report.checks.find((c) => c.step === 'sd-jwt-holder-key')?.status, 'unknown');
  });

  test('a KB-JWT for another verifier and another login: both the aud and the nonce failure are reported (collect-all), exit 1', async () => {
    const kb = presentSdJwt({ sdJwt: stored, holderKey: holder.privateKey, clientId: 'did:key:zDnaeSomeOtherVerifier', nonce: 'other-login' });
    const { failed } = await inspectJson(kb);
    assert.equal(failed.length, 2, failed.join(', '));
    assert.match(failed[0]!, /^sd-jwt-kb-audience ERR_/);
    assert.match(failed[1]!, /^sd-jwt-kb-nonce ERR_/);
  });

  test('without --nonce the KB-JWT nonce check is listed as skipped, not passed', async () => {
    const r = await runCli(['inspect', present(), '--demo', dataDir, '--audience', AUD]);
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /^ {2}- sd-jwt-kb-nonce +skipped: no --nonce/m);
    assert.doesNotMatch(r.stdout, /✓ sd-jwt-kb-nonce/);
  });

  test('a presentation without a KB-JWT fails sd-jwt-kb-signature', async () => {
    const r = await runCli(['inspect', stored, '--demo', dataDir, '--audience', AUD, '--nonce', 'n-1']);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /^ {2}✗ sd-jwt-[a-z-]+ +ERR_SD_JWT_[A-Z_]+ /m);
    assert.match(r.stdout, /^INVALID: \d+ of \d+ SD-JWT checks failed$/m);
  });
});
