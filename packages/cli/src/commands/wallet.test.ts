import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { keyObjectToDidKey } from '@dome-verifier/did-key';
import { LEAR_EMPLOYEE_SCOPE } from '@dome-verifier/client';
import { decodeJwt, runCli } from '../testing.ts';

/** Minimal fake verifier: one-shot request objects on GET, records the direct_post form. */
let server: Server;
let base = '';
let verifierKey: KeyObject;
let verifierDid = '';
const served = new Map<string, string>();
let lastForm: URLSearchParams | undefined;
let reply = { status: 200, body: '' };

let dir = '';
let keyFile = '';
let credentialFile = '';
let holderDid = '';
let holderJwkD = '';

before(async () => {
  verifierKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  verifierDid = keyObjectToDidKey(verifierKey);
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      const path = req.url ?? '';
      if (req.method === 'GET' && served.has(path)) {
        const jwt = served.get(path)!;
        served.delete(path);
        return void res.writeHead(200, { 'content-type': 'text/plain;charset=UTF-8' }).end(jwt);
      }
      if (req.method === 'POST' && path === '/oid4vp/auth-response') {
        lastForm = new URLSearchParams(raw);
        return void res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"title":"","message":"","path":""}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  dir = await mkdtemp(join(tmpdir(), 'dv-wallet-'));
  const holderKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  holderDid = keyObjectToDidKey(holderKey);
  const jwk = holderKey.export({ format: 'jwk' });
  holderJwkD = String(jwk.d);
  keyFile = join(dir, 'holder.jwk');
  await writeFile(keyFile, JSON.stringify(jwk), { mode: 0o600 });
  const issuerKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
  const vc = await new SignJWT({ sub: holderDid, vc: { id: randomUUID(), type: ['LEARCredentialEmployee', 'VerifiableCredential'] } })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT' })
    .sign(issuerKey);
  credentialFile = join(dir, 'employee.b64');
  await writeFile(credentialFile, `${Buffer.from(vc).toString('base64')}\n`);
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function issue(header: Record<string, unknown> = {}): Promise<{ url: string; state: string; nonce: string }> {
  const id = randomUUID();
  const state = `st-${randomUUID()}`;
  const nonce = randomUUID();
  const jwt = await new SignJWT({
    iss: verifierDid, aud: verifierDid, client_id: verifierDid, client_id_scheme: 'did:key', nonce, state,
    response_uri: `${base}/oid4vp/auth-response`, scope: LEAR_EMPLOYEE_SCOPE, response_type: 'vp_token', response_mode: 'direct_post',
  })
    .setProtectedHeader({ kid: verifierDid, typ: 'oauth-authz-req+jwt', alg: 'ES256', ...header })
    .setIssuedAt()
    .setExpirationTime('10d')
    .sign(verifierKey);
  served.set(`/oid4vp/auth-request/${id}`, jwt);
  const url = `openid4vp://?client_id=${encodeURIComponent(verifierDid)}&request_uri=${encodeURIComponent(`${base}/oid4vp/auth-request/${id}`)}`;
  return { url, state, nonce };
}

function postedVp(): Record<string, unknown> {
  return decodeJwt(Buffer.from(lastForm?.get('vp_token') ?? '', 'base64url').toString('utf8')).payload;
}

test('wallet answers the request and prints {status, body, client_id, response_uri} — no key, no VP', async () => {
  reply = { status: 200, body: '' };
  const { url, state, nonce } = await issue();
  const r = await runCli(['wallet', url, '--key', keyFile, '--credential', credentialFile]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json(), { status: 200, body: '', client_id: verifierDid, response_uri: `${base}/oid4vp/auth-response` });
  assert.equal(lastForm?.get('state'), state);
  const vp = postedVp();
  assert.equal(vp.nonce, nonce);
  assert.equal(vp.aud, 'https://self-issued.me/v2');
  assert.equal(vp.iss, holderDid);
  const out = r.stdout + r.stderr;
  assert.ok(!out.includes(lastForm?.get('vp_token') ?? '?'), 'the vp_token is not printed');
  assert.ok(!out.includes('eyJ'), 'no JWT printed');
  assert.ok(!out.includes(holderJwkD), 'the private key is not printed');
});

test('wallet --audience sets the VP aud', async () => {
  reply = { status: 200, body: '' };
  const { url } = await issue();
  const r = await runCli(['wallet', url, '--key', keyFile, '--credential', credentialFile, '--audience', verifierDid]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(postedVp().aud, verifierDid);
});

test('wallet exits 1 when the verifier answers non-2xx, still printing status and body', async () => {
  reply = { status: 401, body: '{"title":"Invalid VP Token","message":"VP Token used in H2M flow is invalid","path":""}' };
  const { url } = await issue();
  const r = await runCli(['wallet', url, '--key', keyFile, '--credential', credentialFile]);
  assert.equal(r.code, 1);
  const out = r.json();
  assert.equal(out.status, 401);
  assert.match(String(out.body), /Invalid VP Token/);
  assert.match(r.stderr, /^error: verifier answered HTTP 401\n$/m);
});

test('wallet exits 1 with "error: <code> — <message>" on a request the DOME wallet refuses', async () => {
  lastForm = undefined;
  const { url } = await issue({ typ: 'JWT' });
  const r = await runCli(['wallet', url, '--key', keyFile, '--credential', credentialFile]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: request_object_invalid — header typ must be exactly "oauth-authz-req\+jwt"[^\n]*\n$/m);
  assert.equal(lastForm, undefined, 'nothing posted');

  const bad = await runCli(['wallet', 'https://example.invalid/?foo=bar', '--key', keyFile, '--credential', credentialFile]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^error: bad_url — the URL has no client_id\n$/);
});

test('wallet: unusable key file is bad_key (material not echoed); missing options are usage errors', async () => {
  const junk = join(dir, 'junk.key');
  await writeFile(junk, 'c0ffee-not-a-key');
  const { url } = await issue();
  const r = await runCli(['wallet', url, '--key', junk, '--credential', credentialFile]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: bad_key — /m);
  assert.ok(!r.stderr.includes('c0ffee'));

  const missing = await runCli(['wallet', url, '--credential', credentialFile]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /required option '--key <file>'/);

  const nofile = await runCli(['wallet', url, '--key', join(dir, 'nope'), '--credential', credentialFile]);
  assert.equal(nofile.code, 1);
  assert.match(nofile.stderr, /^error: cannot read the key file .*ENOENT\n$/);
});
