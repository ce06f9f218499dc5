import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createDemoTrustFramework, type DemoTrustFramework } from '@dome-verifier/dev-issuer';
import { CLIENT_ASSERTION_TYPE } from '@dome-verifier/client';
import { decodeJwt, runCli } from '../testing.ts';

/** What the fake verifier answers next on /oidc/token. */
type Reply = 'token' | 'invalid_client' | 'wrong_iss';

let server: Server;
let base = '';
let dataDir = '';
let demo: DemoTrustFramework;
let signingKey: CryptoKey;
let publicJwk: Record<string, unknown>;
let reply: Reply = 'token';
let lastForm: URLSearchParams | undefined;

before(async () => {
  const pair = await generateKeyPair('ES256');
  signingKey = pair.privateKey;
  publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'verifier-key', alg: 'ES256' };
  server = createServer((req, res) => {
    const send = (status: number, body: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
    req.on('end', () => {
      if (req.method === 'GET' && req.url === '/oidc/jwks') return send(200, { keys: [publicJwk] });
      if (req.method !== 'POST' || req.url !== '/oidc/token') return send(404, { error: 'not_found' });
      const form = new URLSearchParams(raw);
      lastForm = form;
      const ok = req.headers['content-type'] === 'application/x-www-form-urlencoded' && form.get('grant_type') === 'client_credentials'
        && form.get('client_assertion_type') === CLIENT_ASSERTION_TYPE && (form.get('client_assertion') ?? '').split('.').length === 3;
      if (!ok) return send(400, { error: 'invalid_request', error_description: 'form fields missing' });
      if (reply === 'invalid_client') return send(401, { error: 'invalid_client', error_description: `bad assertion ${form.get('client_assertion')}` });
      void new SignJWT({ client_id: form.get('client_id'), scope: form.get('scope') ?? 'machine learcredential' })
        .setProtectedHeader({ alg: 'ES256', kid: 'verifier-key', typ: 'JWT' })
        .setIssuer(reply === 'wrong_iss' ? 'http://elsewhere.invalid' : base).setSubject(String(form.get('client_id'))).setIssuedAt().setExpirationTime('1h')
        .sign(signingKey)
        .then((accessToken) => send(200, { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dataDir = await mkdtemp(join(tmpdir(), 'dv-token-'));
  demo = await createDemoTrustFramework({ dir: join(dataDir, 'demo'), issuerUrl: base });
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test('token --demo posts client_credentials + VP client assertion and prints the token response', async () => {
  reply = 'token';
  const r = await runCli(['token', '--demo', dataDir]);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json();
  assert.equal(out.token_type, 'Bearer');
  assert.equal(typeof out.access_token, 'string');
  assert.equal(lastForm?.get('client_id'), demo.machine.did, 'client_id defaults to the did of the demo key');
  const assertion = decodeJwt(lastForm?.get('client_assertion') ?? '');
  assert.equal(assertion.header.kid, demo.machine.did, 'kid dialect by default');
  assert.equal(assertion.payload.aud, base, 'issuer URL taken from demo.json');
  assert.equal(assertion.payload.iss, demo.machine.did);
});

test('token with --key/--credential, --dialect jwk, --scope and VERIFIER_URL uses them', async () => {
  reply = 'token';
  const r = await runCli(['token', '--key', demo.machine.keyPath, '--credential', demo.machine.credentialPath, '--dialect', 'jwk', '--scope', 'machine', '--client-id', 'my-client'],
    { VERIFIER_URL: `${base}/` });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(lastForm?.get('scope'), 'machine');
  assert.equal(lastForm?.get('client_id'), 'my-client');
  const assertion = decodeJwt(lastForm?.get('client_assertion') ?? '');
  assert.equal(assertion.header.kid, undefined);
  assert.equal((assertion.header.jwk as { crv?: string } | undefined)?.crv, 'P-256');
  assert.equal(assertion.payload.aud, base, 'trailing slash of the verifier URL dropped');
});

test('token: a 401 {"error":"invalid_client"} exits 1 with the code on stderr, no token, no assertion echoed', async () => {
  reply = 'invalid_client';
  const r = await runCli(['token', '--demo', dataDir]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: invalid_client — /m);
  assert.ok(!r.stderr.includes(lastForm?.get('client_assertion') ?? '?'), 'the assertion is not echoed');
  assert.ok(!r.stderr.includes('eyJ'), 'no JWT in the error output');
});

test('token --verify checks the access token against /oidc/jwks and prints header and claims', async () => {
  reply = 'token';
  const r = await runCli(['token', '--demo', dataDir, '--issuer', base, '--verify']);
  assert.equal(r.code, 0, r.stderr);
  const out = r.json() as { token_response: { access_token: string }; verified: { header: Record<string, unknown>; claims: Record<string, unknown> } };
  assert.equal(typeof out.token_response.access_token, 'string');
  assert.equal(out.verified.header.kid, 'verifier-key');
  assert.equal(out.verified.claims.iss, base);
  assert.equal(out.verified.claims.sub, demo.machine.did);
});

test('token --verify fails (exit 1) when the access token iss is not the verifier URL', async () => {
  reply = 'wrong_iss';
  const r = await runCli(['token', '--demo', dataDir, '--verify']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: access token verification failed: [^\n]*iss/m);
});

test('token without key and credential (and no --demo) is a usage error', async () => {
  const r = await runCli(['token', '--issuer', base]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: --key <file> and --credential <file> are required/);
  const missing = await runCli(['token', '--demo', join(dataDir, 'nothing-here')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^error: no demo in /);
});
