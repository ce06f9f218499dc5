import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadP256PrivateKey } from '@dome-verifier/client';
import { decodeJwt, runCli } from '../testing.ts';

let dataDir = '';
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dv-issue-'));
});

test('issue --demo into a tmp dataDir: JWT header has x5c, iss is did:elsi:VATES-D0000001, sub is the subject', async () => {
  const subject = String((await runCli(['keygen'])).json().did);
  const r = await runCli(['issue', '--demo', dataDir, '--subject', subject]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(dataDir, 'demo', 'demo.json')), 'the demo trust framework is created under <dataDir>/demo');
  const out = r.json();
  const { header, payload } = decodeJwt(String(out.jwt));
  assert.ok(Array.isArray(header.x5c) && header.x5c.length === 2, 'x5c = seal + intermediate');
  assert.equal(payload.iss, 'did:elsi:VATES-D0000001');
  assert.equal(payload.sub, subject);
  assert.deepEqual((payload.vc as { type: string[] }).type, ['LEARCredentialMachine', 'VerifiableCredential']);
  assert.equal(out.issuer, 'did:elsi:VATES-D0000001');
  assert.equal(out.subject, subject);
  assert.equal(out.id, payload.jti);
});

test('issue --out without --subject writes the JWT and a fresh 0600 subject key <out>.key.jwk, prints no jwt', async () => {
  const out = join(dataDir, 'machine.jwt');
  const r = await runCli(['issue', '--demo', '--out', out, '--days', '30', '--power', 'Onboarding:Execute'], { VERIFIER_DATA_DIR: dataDir });
  assert.equal(r.code, 0, r.stderr);
  const printed = r.json();
  assert.equal(printed.jwt, undefined);
  const key = loadP256PrivateKey(await readFile(`${out}.key.jwk`, 'utf8'));
  assert.equal((await stat(`${out}.key.jwk`)).mode & 0o777, 0o600);
  const { payload } = decodeJwt(await readFile(out, 'utf8'));
  assert.equal(payload.sub, key.did);
  assert.equal(printed.subject, key.did);
  const days = (Number(payload.exp) - Math.floor(Date.now() / 1000)) / 86_400;
  assert.ok(days > 29.9 && days <= 30, `validity ${days} days`);
});

test('issue --kind employee --shape v3 carries the given names and powers', async () => {
  const subject = String((await runCli(['keygen'])).json().did);
  const r = await runCli(['issue', '--demo', dataDir, '--kind', 'employee', '--shape', 'v3', '--subject', subject,
    '--first-name', 'Ana', '--last-name', 'García', '--email', 'ana@example.org', '--power', 'ProductOffering:Create,Update']);
  assert.equal(r.code, 0, r.stderr);
  const { payload } = decodeJwt(String(r.json().jwt));
  const mandate = (payload.vc as { credentialSubject: { mandate: Record<string, unknown> } }).credentialSubject.mandate;
  assert.deepEqual(mandate.mandatee, { id: subject, employeeId: 'E-0001', email: 'ana@example.org', firstName: 'Ana', lastName: 'García' });
  assert.deepEqual(mandate.power, [{ action: ['Create', 'Update'], domain: 'DOME', function: 'ProductOffering', type: 'Domain' }]);
});

test('issue refuses bad input with a one-line error and exit 1', async () => {
  for (const args of [
    ['issue'], // no --demo
    ['issue', '--demo', dataDir, '--subject', 'did:web:example.org'],
    ['issue', '--demo', dataDir, '--kind', 'machine', '--shape', 'v3'],
    ['issue', '--demo', dataDir, '--first-name', 'Ana'],
    ['issue', '--demo', dataDir, '--power', 'nocolon'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 1, args.join(' '));
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: [^\n]+\n$/, args.join(' '));
  }
});

test('issue --format w3c-v2: a VCDM 2.0 credential — typ vc+jwt, claims at the root, learcredential.*.w3c.4/.3, cnf.jwk of the subject', async () => {
  const subject = String((await runCli(['keygen'])).json().did);
  for (const [kind, type] of [['employee', 'learcredential.employee.w3c.4'], ['machine', 'learcredential.machine.w3c.3']] as const) {
    const r = await runCli(['issue', '--demo', dataDir, '--subject', subject, '--kind', kind, '--format', 'w3c-v2']);
    assert.equal(r.code, 0, r.stderr);
    const { header, payload } = decodeJwt(String(r.json().jwt));
    assert.equal(header.typ, 'vc+jwt');
    assert.equal(payload.vc, undefined);
    assert.deepEqual(payload.type, ['VerifiableCredential', type]);
    assert.equal((payload.cnf as { jwk: { x: string } }).jwk.x, (await import('@dome-verifier/did-key')).didKeyToJwk(subject).x);
    assert.equal(r.json().format, 'w3c-v2');
  }
});

test('issue --format sd-jwt: an SD-JWT VC (dc+sd-jwt, trailing ~) bound to the subject key', async () => {
  const subject = String((await runCli(['keygen'])).json().did);
  const r = await runCli(['issue', '--demo', dataDir, '--subject', subject, '--kind', 'employee', '--format', 'sd-jwt']);
  assert.equal(r.code, 0, r.stderr);
  const sdJwt = String(r.json().sdJwt);
  assert.ok(sdJwt.endsWith('~'));
  const { header, payload } = decodeJwt(sdJwt.split('~')[0]!);
  assert.equal(header.typ, 'dc+sd-jwt');
  assert.equal(payload.vct, 'learcredential.employee.sd.1');
});

test('issue --shape with a non-legacy --format is refused', async () => {
  const r = await runCli(['issue', '--demo', dataDir, '--format', 'w3c-v2', '--shape', 'v2']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /--shape applies to --format legacy only/);
});
