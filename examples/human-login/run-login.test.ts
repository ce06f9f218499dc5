/**
 * `npm run example:login` end to end: verifier + the SDK relying party; a browser (fetch with a
 * cookie jar) starts the login at the RP, the CLI wallet answers the login page URL with an
 * employee credential issued by `cli issue --demo`, and the RP's callback page shows the
 * verified ID-token claims and the LEAR powers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { runCli } from '../../packages/cli/src/testing.ts';
import { startLoginExample, type LoginExample } from './run-login.ts';

let dataDir = '';
let ex: LoginExample;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'dome-example-login-'));
  const verifierPort = await freePort();
  ex = await startLoginExample({ dataDir, verifierPort, issuer: `http://127.0.0.1:${verifierPort}`, rpPort: 0 });
});

after(async () => {
  await ex.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Follows one hop without redirect handling; returns the Location and any cookie set. */
async function hop(url: string, cookie = ''): Promise<{ status: number; location: string; cookie: string; body: string }> {
  const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: res.status, location: res.headers.get('location') ?? '', cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!, body: await res.text() };
}

test('example:login — the RP logs the employee in through the verifier and shows the ID-token claims and LEAR powers', async () => {
  assert.equal(ex.startedVerifier, true);
  const home = await hop(`${ex.rpUrl}/`);
  assert.equal(home.status, 200);
  assert.match(home.body, /href="\/login"/);

  // Browser: RP /login → verifier /oidc/authorize (signed request object) → verifier /login page.
  const start = await hop(`${ex.rpUrl}/login`);
  assert.equal(start.status, 302);
  const rpCookie = start.cookie;
  assert.ok(new URL(start.location).searchParams.get('request'), 'a signed request object by value');
  const authorize = await hop(start.location);
  assert.equal(authorize.status, 302, authorize.body);
  const loginPageUrl = new URL(authorize.location, ex.issuer).href;
  const loginPage = await hop(loginPageUrl, authorize.cookie);
  assert.equal(loginPage.status, 200);

  // The README's CLI steps: an employee credential from the demo issuer, then the CLI wallet.
  const env = { VERIFIER_DATA_DIR: dataDir };
  const out = join(dataDir, 'employee.jwt');
  const issued = await runCli(['issue', '--demo', '--kind', 'employee', '--out', out], env);
  assert.equal(issued.code, 0, issued.stderr);
  const wallet = await runCli(['wallet', loginPageUrl, '--key', `${out}.key.jwk`, '--credential', out], env);
  assert.equal(wallet.code, 0, wallet.stderr);

  // The login page learns the redirect (as its script does) and the browser follows it to the RP.
  const state = new URL(loginPageUrl).searchParams.get('state')!;
  const status = await fetch(`${ex.issuer}/api/login/status?state=${encodeURIComponent(state)}`, { headers: { cookie: authorize.cookie } });
  const { status: loginStatus, redirect_to: redirectTo } = (await status.json()) as { status: string; redirect_to: string };
  assert.equal(loginStatus, 'complete');
  const callback = new URL(redirectTo);
  assert.equal(`${callback.origin}${callback.pathname}`, 'http://localhost:3000/callback');
  const rpPage = await hop(`${ex.rpUrl}${callback.pathname}${callback.search}`, rpCookie);
  assert.equal(rpPage.status, 200, rpPage.body);
  assert.match(rpPage.body, /<h1>Logged in<\/h1>/);
  assert.match(rpPage.body, /<th>sub<\/th><td>did:key:z/);
  assert.match(rpPage.body, /<th>iss<\/th>/);
  assert.match(rpPage.body, /<th>email<\/th><td>[^<]+@/);
  assert.match(rpPage.body, /<li><code>Onboarding<\/code>: <code>Execute<\/code><\/li>/);
  assert.match(rpPage.body, /<code>ProductOffering<\/code>: <code>Create<\/code>, <code>Update<\/code>, <code>Delete<\/code>/);

  // The callback is single-use: the same URL again finds no login in progress.
  const again = await hop(`${ex.rpUrl}${callback.pathname}${callback.search}`, rpCookie);
  assert.equal(again.status, 400);
});
