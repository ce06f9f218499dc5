/**
 * Fault injection, replicas (issue #9 section 5 and item 5): two verifier processes
 * (packages/server/src/main.ts) share one private redis-server and one trust world. The wallet's
 * answer goes to replica A while the Trusted Issuers List hangs, so A is reliably
 * mid-verification holding the login's answer lease; A is SIGKILLed. The wallet retries the
 * same answer on replica B: refused with a retryable answer while the lease runs, accepted once
 * it lapses (`verifier.backend.login.answerLeaseSeconds`, 2 s here). Nothing is lost: the
 * browser (on B) gets exactly one code, it redeems once.
 * Needs `redis-server` on PATH: skipped without it, failed under `CI=true`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVpJwt } from '@dome-verifier/client';
import { signJws } from '@dome-verifier/core';
import { issueLearCredential, tirIssuerDocument, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { ISSUER_DID, newMachine, ORG, pki, TYPES } from '../support/world.ts';
import { createTrustServiceStub, type TrustServiceStub } from '../support/trust-service-stub.ts';
import { freePort, redisServerSkip, startRedis, startReplica, type RedisProcess, type Replica } from './processes.ts';

const CB = 'https://rp.example/callback';
const TIL = '/v4/issuers/';
const LEASE_SECONDS = 2;

describe('fault injection: the replica answering a wallet is killed mid-verification', async () => {
  const skip = await redisServerSkip();
  test("the wallet's retry on the other replica completes the login once the answer lease lapses; exactly one code, redeemed once", { skip, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dv-replicas-'));
    let redis: RedisProcess | undefined;
    let stub: TrustServiceStub | undefined;
    let A: Replica | undefined;
    let B: Replica | undefined;
    try {
      const p = await pki();
      const rp = newMachine();
      const user = newMachine();
      redis = await startRedis();
      stub = await createTrustServiceStub();
      const now = Date.now();
      stub.serve(`${TIL}${ISSUER_DID}`, { body: JSON.stringify(tirIssuerDocument(ISSUER_DID, TYPES, { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 365 * 86_400_000).toISOString() })), contentType: 'application/json' });
      writeFileSync(join(dir, 'tsl.yaml'), `clients:\n  - ${JSON.stringify(trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] }))}\n`);
      writeFileSync(join(dir, 'revoked.yaml'), 'revoked_credentials: []\n');
      writeFileSync(join(dir, 'anchors.pem'), p.root.certificatePem);
      const portA = await freePort();
      const issuer = `http://127.0.0.1:${portA}`;
      const env = {
        VERIFIER_BACKEND_URL: issuer, // both replicas serve one issuer behind a (here absent) load balancer
        VERIFIER_BACKEND_IDENTITY_PRIVATEKEY: '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_NAME: 'DOME',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL: stub.url(TIL),
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDSERVICESLISTURL: join(dir, 'tsl.yaml'),
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_REVOKEDCREDENTIALLISTURL: join(dir, 'revoked.yaml'),
        VERIFIER_BACKEND_X509_TRUSTANCHORS: join(dir, 'anchors.pem'),
        VERIFIER_BACKEND_OUTBOUND_TIMEOUTMS: '10000', // A waits on the hanging TIL until it is killed
        VERIFIER_BACKEND_STORE_TYPE: 'redis',
        VERIFIER_BACKEND_STORE_REDISURL: redis.url,
        VERIFIER_BACKEND_STORE_KEYPREFIX: 'dv-replicas:',
        VERIFIER_BACKEND_LOGIN_ANSWERLEASESECONDS: String(LEASE_SECONDS),
        VERIFIER_DATA_DIR: join(dir, 'data'),
      };
      [A, B] = await Promise.all([startReplica(env, portA), startReplica(env)]);
      const b = B;

      // The RP starts the login on A; the wallet fetches the request object from A.
      const verifier = randomBytes(32).toString('base64url');
      const authorize = await fetch(`${A.url}/oidc/authorize?${new URLSearchParams({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 'rp-state', nonce: 'n-1', code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' })}`, { redirect: 'manual' });
      assert.equal(authorize.status, 302, await authorize.text());
      const cookie = authorize.headers.get('set-cookie')!.split(';')[0]!;
      const authRequest = new URL(authorize.headers.get('location')!, issuer).searchParams.get('authRequest')!;
      const requestPath = new URL(new URL(authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('request_uri')!).pathname;
      const ro = await fetch(`${A.url}${requestPath}`);
      assert.equal(ro.status, 200);
      const claims = JSON.parse(Buffer.from((await ro.text()).split('.')[1]!, 'base64url').toString()) as { state: string; nonce: string };
      const employee = issueLearCredential({ kind: 'employee', seal: p.seal, chain: [p.intermediate], organizationIdentifier: ORG, mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' }, validFrom: new Date(now - 3_600_000), validUntil: new Date(now + 86_400_000) }).jwt;
      const vp = await createVpJwt({ credentials: [employee], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: claims.nonce });
      const form = new URLSearchParams({ state: claims.state, vp_token: Buffer.from(vp).toString('base64url') }).toString();
      const answer = (replica: Replica) => fetch(`${replica.url}/oid4vp/auth-response`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });

      // A takes the answer and blocks on the hanging TIL: it holds the lease, mid-verification.
      stub.setMode(TIL, 'hang');
      const asked = stub.requests(TIL);
      const onA = answer(A).then((r) => r.status, () => 'connection lost');
      for (let i = 0; stub.requests(TIL) === asked; i++) {
        assert.ok(i < 1000, 'replica A never reached the Trusted Issuers List');
        await new Promise((r) => setTimeout(r, 10));
      }
      await A.kill();
      const killedAt = Date.now();
      assert.equal(await onA, 'connection lost', 'the killed replica answered nothing');
      stub.setMode(TIL, 'ok');

      // The wallet retries on B until it is accepted: only retryable refusals meanwhile.
      const refusals: string[] = [];
      let accepted = false;
      while (!accepted && Date.now() - killedAt < LEASE_SECONDS * 1000 * 5) {
        const res = await answer(B);
        const body = await res.text();
        if (res.status === 200) accepted = true;
        else {
          refusals.push(`${res.status} ${body}`);
          assert.ok(res.status === 409 || res.status === 503, `a retry while the lease runs is refused as retryable, not ${res.status} ${body}`);
          assert.ok(res.headers.get('retry-after'), 'the refusal says when to retry');
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      assert.ok(accepted, `the retry on B completes the login once A's lease lapsed (refusals: ${refusals.slice(-3).join(' | ')})`);

      // The browser (on B) learns exactly one code, and it redeems exactly once.
      const status = async () => (await (await fetch(`${b.url}/api/login/status?state=rp-state`, { headers: { cookie } })).json()) as { status: string; redirect_to?: string };
      const first = await status();
      assert.equal(first.status, 'complete', JSON.stringify(first));
      const code = new URL(first.redirect_to!).searchParams.get('code')!;
      assert.ok(code);
      assert.equal(new URL((await status()).redirect_to!).searchParams.get('code'), code, 'one code per login');
      const exchange = () => {
        const iat = Math.floor(Date.now() / 1000);
        const assertion = signJws({ alg: 'ES256', kid: rp.did }, { iss: rp.did, sub: rp.did, aud: issuer, iat, exp: iat + 60, jti: crypto.randomUUID() }, rp.privateKey);
        return fetch(`${b.url}/oidc/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CB, code_verifier: verifier, client_id: rp.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion }) });
      };
      const tokens = await exchange();
      const tokenBody = (await tokens.json()) as Record<string, unknown>;
      assert.equal(tokens.status, 200, JSON.stringify(tokenBody));
      assert.equal(typeof tokenBody.access_token, 'string');
      const again = await exchange();
      assert.equal(again.status, 400);
      assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant');
    } catch (e) {
      if (B) process.stderr.write(`replica B output:\n${B.output()}\n`);
      throw e;
    } finally {
      await A?.kill();
      await B?.kill();
      await stub?.close();
      await redis?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
