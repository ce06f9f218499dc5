import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoTrustFramework, type DemoTrustFramework } from '@dome-verifier/dev-issuer';
import { createMachineTokenRequest } from '@dome-verifier/client';
import { runCli } from '../testing.ts';

const VERIFIER = 'https://verifier.test';

let dataDir = '';
let demo: DemoTrustFramework;
let assertion = '';

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dv-inspect-'));
  demo = await createDemoTrustFramework({ dir: join(dataDir, 'demo'), issuerUrl: VERIFIER });
  const request = await createMachineTokenRequest({
    issuer: VERIFIER,
    key: await readFile(demo.machine.keyPath, 'utf8'),
    credential: await readFile(demo.machine.credentialPath, 'utf8'),
    assertionLifetimeSeconds: 300,
  });
  assertion = request.clientAssertion;
});
after(() => rm(dataDir, { recursive: true, force: true }));

test('inspect: a valid client assertion exits 0 and prints one ✓ line per check', async () => {
  const r = await runCli(['inspect', assertion, '--demo', dataDir]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /^kind: client-assertion \(detected\)$/m);
  assert.match(r.stdout, /^ {2}iss +did:key:/m);
  for (const step of ['parse-client-assertion', 'find-client', 'assertion-signature', 'vp-token', 'holder-binding', 'vc-signature', 'mandator-trusted']) {
    assert.match(r.stdout, new RegExp(`^ {2}✓ ${step}$`, 'm'), step);
  }
  assert.match(r.stdout, /^ {2}- assertion-replay +skipped: /m);
  assert.match(r.stdout, /^VALID: all 18 checks passed$/m);
  assert.doesNotMatch(r.stdout, /✗/);
  const key = JSON.parse(await readFile(demo.machine.keyPath, 'utf8')) as { d: string };
  assert.ok(!r.stdout.includes(key.d) && !r.stderr.includes(key.d), 'no private key material');
});

test('inspect: a tampered assertion exits 1 with ✗ step, code and message', async () => {
  const [h, p, s] = assertion.split('.') as [string, string, string];
  const flipped = `${h}.${p}.${s.startsWith('A') ? 'B' : 'A'}${s.slice(1)}`;
  const r = await runCli(['inspect', flipped, '--demo', dataDir]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^ {2}✗ assertion-signature +ERR_ASSERTION_SIGNATURE +the client assertion signature does not verify$/m);
  assert.match(r.stdout, /^ {2}✓ vc-signature$/m, 'the other checks still ran');
  assert.match(r.stdout, /^INVALID: 1 failed, 0 not run, 17 passed \(of 18 checks\)$/m);
  assert.equal(r.stderr, '');
});

test('inspect --at: checks as of another time (the assertion has expired by then)', async () => {
  const r = await runCli(['inspect', assertion, '--demo', dataDir, '--at', new Date(Date.now() + 3_600_000).toISOString()]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /✗ assertion-claims +ERR_ASSERTION_EXPIRED/);
});

test('inspect --json prints the report; file and base64 input are accepted', async () => {
  const file = join(dataDir, 'assertion.txt');
  await writeFile(file, `${assertion.slice(0, 100)}\n${assertion.slice(100)}\n`);
  const r = await runCli(['inspect', file, '--demo', dataDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const report = r.json() as { kind: string; valid: boolean; checks: Array<{ step: string; ok: boolean; status: string }>; claims: Record<string, unknown> };
  assert.equal(report.kind, 'client-assertion');
  assert.equal(report.valid, true);
  assert.ok(report.checks.every((c) => c.ok && c.status === 'passed'));
  assert.equal(report.claims.iss, demo.machine.did);

  const b64 = await runCli(['inspect', Buffer.from(assertion).toString('base64'), '--demo', dataDir, '--json']);
  assert.equal(b64.code, 0, b64.stderr);
});

test('inspect --demo before the JWT (commander hands the JWT to --demo) still works', async () => {
  const r = await runCli(['inspect', '--demo', assertion], { VERIFIER_DATA_DIR: dataDir });
  assert.equal(r.code, 0, r.stderr);
});

test('inspect --kind vc on the demo credential file', async () => {
  const credential = await runCli(['inspect', demo.machine.credentialPath, '--demo', dataDir, '--kind', 'vc']);
  assert.equal(credential.code, 0, credential.stdout);
  assert.match(credential.stdout, /^kind: vc$/m);
  assert.match(credential.stdout, /✓ parse-credential/);
});

test('inspect: usage, input and configuration errors exit 2', async () => {
  const cases: Array<[string[], RegExp]> = [
    [['inspect'], /missing required argument/],
    [['inspect', assertion, '--demo', dataDir, '--kind', 'cookie'], /argument 'cookie' is invalid/],
    [['inspect', assertion, '--demo', dataDir, '--bogus'], /unknown option '--bogus'/],
    [['inspect', 'not-a-jwt', '--demo', dataDir], /^error: the input is neither a compact JWT/m],
    [['inspect', assertion, '--demo', dataDir, '--at', 'tomorrow'], /^error: --at must be an ISO-8601 date-time/m],
    [['inspect', 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.AA', '--demo', dataDir], /^error: cannot tell which kind of JWT/m],
    [['inspect', assertion, '--config', join(dataDir, 'missing.yaml')], /^error: configuration: /m],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
    assert.ok(!r.stderr.includes(assertion), 'the input is not echoed');
  }
});

test('inspect: an access token not signed by this verifier shows the failing step with its code', async () => {
  const { generateKeyPairSync } = await import('node:crypto');
  const { SignJWT } = await import('jose');
  const now = Math.floor(Date.now() / 1000);
  const foreign = await new SignJWT({ iss: VERIFIER, aud: VERIFIER, sub: 'did:key:zDnaeX', client_id: VERIFIER, scope: 'machine learcredential', vc: {}, iat: now, exp: now + 600, jti: 'j' })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .sign(generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey);
  const r = await runCli(['inspect', foreign, '--demo', dataDir, '--kind', 'access-token']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^ {2}✗ access-token-signature +ERR_ACCESS_TOKEN_SIGNATURE +the access token signature does not verify/m);
});
