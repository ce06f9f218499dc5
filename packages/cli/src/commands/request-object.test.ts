import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importJWK, jwtVerify } from 'jose';
import { createDemoTrustFramework, type DemoTrustFramework } from '@dome-verifier/dev-issuer';
import { loadP256PrivateKey, pkceChallenge } from '@dome-verifier/client';
import { decodeJwt, runCli } from '../testing.ts';

const VERIFIER = 'https://verifier.test';
const REDIRECT = 'http://localhost:3000/callback';

let dataDir = '';
let demo: DemoTrustFramework;

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'dv-reqobj-'));
  demo = await createDemoTrustFramework({ dir: join(dataDir, 'demo'), issuerUrl: VERIFIER });
});
after(() => rm(dataDir, { recursive: true, force: true }));

const base = () => ['request-object', '--client-id', demo.rp.did, '--key', demo.rp.keyPath, '--redirect-uri', REDIRECT, '--issuer', VERIFIER];

test('request-object prints a request object that verifies with the client key and carries the claims', async () => {
  const challenge = pkceChallenge('a'.repeat(43));
  const r = await runCli([...base(), '--state', 'st-1', '--nonce', 'no-1', '--code-challenge', challenge, '--lifetime', '120']);
  assert.equal(r.code, 0, r.stderr);
  const jwt = r.stdout.trim();
  assert.equal(r.stdout, `${jwt}\n`, 'only the JWT on stdout');

  const { publicJwk } = loadP256PrivateKey(await readFile(demo.rp.keyPath, 'utf8'));
  const { payload, protectedHeader } = await jwtVerify(jwt, await importJWK({ ...publicJwk }, 'ES256'), {
    typ: 'oauth-authz-req+jwt',
    issuer: demo.rp.did,
    audience: VERIFIER,
    algorithms: ['ES256'],
  });
  assert.equal(protectedHeader.kid, demo.rp.did);
  assert.equal(payload.client_id, demo.rp.did);
  assert.equal(payload.response_type, 'code');
  assert.equal(payload.redirect_uri, REDIRECT);
  assert.equal(payload.scope, 'openid learcredential');
  assert.equal(payload.state, 'st-1');
  assert.equal(payload.nonce, 'no-1');
  assert.equal(payload.code_challenge, challenge);
  assert.equal(payload.code_challenge_method, 'S256');
  assert.equal(payload.exp! - payload.iat!, 120);
  assert.equal(payload.nbf, payload.iat);
  assert.equal(typeof payload.jti, 'string');
});

test('request-object: random state and nonce by default, no PKCE unless asked; --out writes the file', async () => {
  const out = join(dataDir, 'ro.jwt');
  const r = await runCli([...base(), '--scope', 'openid_learcredential', '--out', out]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^wrote the request object of did:key:\S+ to /);
  const { payload } = decodeJwt(await readFile(out, 'utf8'));
  assert.equal(payload.scope, 'openid_learcredential');
  assert.ok(typeof payload.state === 'string' && payload.state.length >= 16);
  assert.ok(typeof payload.nonce === 'string' && payload.nonce.length >= 16);
  assert.equal(payload.code_challenge, undefined);
  assert.equal(Number(payload.exp) - Number(payload.iat), 300);
});

test('request-object output passes the verifier request-object steps (inspect --demo)', async () => {
  const ro = (await runCli(base())).stdout.trim();
  const r = await runCli(['inspect', ro, '--demo', dataDir]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^kind: request-object \(detected\)$/m);
  assert.match(r.stdout, /✓ authorize-client/);
  assert.match(r.stdout, /✓ request-object/);
});

test('request-object refuses a did:key client_id that is not the key, a lifetime over 60 minutes, and missing options', async () => {
  const mismatch = await runCli(['request-object', '--client-id', demo.machine.did, '--key', demo.rp.keyPath, '--redirect-uri', REDIRECT, '--issuer', VERIFIER]);
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /^error: --client-id is a did:key but not the one of --key/);
  const long = await runCli([...base(), '--lifetime', '7200']);
  assert.equal(long.code, 1);
  assert.match(long.stderr, /--lifetime/);
  const missing = await runCli(['request-object', '--client-id', demo.rp.did, '--key', demo.rp.keyPath]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /required option/);
  const noKey = await runCli([...base().slice(0, 3), '--key', join(dataDir, 'nope.jwk'), '--redirect-uri', REDIRECT, '--issuer', VERIFIER]);
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /^error: cannot read the key file .*ENOENT/);
  for (const r of [mismatch, long, missing, noKey]) assert.equal(r.stdout, '');
});
