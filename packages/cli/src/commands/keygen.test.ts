import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadP256PrivateKey } from '@dome-verifier/client';
import { runCli } from '../testing.ts';

const tmp = () => mkdtemp(join(tmpdir(), 'dv-keygen-'));

test('keygen --out writes a 0600 JWK file whose key matches the printed did', async () => {
  const file = join(await tmp(), 'machine.jwk');
  const r = await runCli(['keygen', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.match(String(out.did), /^did:key:zDn/);
  assert.equal(out.privateJwk, undefined, 'the private key is not printed when written to a file');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  const text = await readFile(file, 'utf8');
  assert.equal(JSON.parse(text).kty, 'EC');
  const loaded = loadP256PrivateKey(text);
  assert.equal(loaded.did, out.did);
  assert.deepEqual(loaded.publicJwk, out.publicJwk);
});

test('keygen --format hex writes the 64-hex scalar of the printed did', async () => {
  const file = join(await tmp(), 'machine.hex');
  const r = await runCli(['keygen', '--format', 'hex', '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  const text = (await readFile(file, 'utf8')).trim();
  assert.match(text, /^[0-9a-f]{64}$/);
  assert.equal(loadP256PrivateKey(text).did, r.json().did);
});

test('keygen without --out prints the private JWK as privateJwk', async () => {
  const r = await runCli(['keygen']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.equal(loadP256PrivateKey(out.privateJwk as Record<string, unknown>).did, out.did);
});

test('keygen refuses to overwrite an existing key file without --force', async () => {
  const file = join(await tmp(), 'existing.jwk');
  await writeFile(file, 'keep me');
  const r = await runCli(['keygen', '--out', file]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: .*already exists/);
  assert.equal(await readFile(file, 'utf8'), 'keep me');
  assert.equal((await runCli(['keygen', '--out', file, '--force'])).code, 0);
});
