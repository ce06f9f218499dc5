/**
 * Issue #10 §7 in a real browser (headless Chromium): the login page's same-device button opens
 * the configured DOME wallet the way that wallet expects it (`verifier.frontend.walletKind`):
 * the wallet PWA at `{wallet}/protocol/callback?authorization_request=<urlencoded openid4vp URL>`
 * (dome-wallet-pwa.md §1.1), the deployed wallet at its URL with the openid4vp query. The PWA
 * origin is served by the browser itself (a routed page); from there it reads the link as the
 * PWA does and fetches the request object cross-origin, as the PWA's HttpClient would — which
 * only works when the verifier answers with CORS.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type Browser } from 'playwright-core';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type World } from '../support/world.ts';
import { pwaRequestUri, pwaSameDeviceLink, pwaVerifyRequestObject } from '../support/pwa-request.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH, chromiumSkipReason } from './chromium.ts';

const PWA = 'https://wallet.eudistack.example';
const DEPLOYED = 'https://wallet.dome-marketplace.eu';
const CB = 'http://127.0.0.1:9/callback';

describe('the same-device link of the login page (headless Chromium)', { skip: chromiumSkipReason() }, () => {
  let browser: Browser;
  const rp = newMachine();
  const worlds: World[] = [];
  const world = async (env: Record<string, string>) => {
    const w = await createWorld({
      listen: true,
      env,
      clients: [trustedServiceEntry({ clientId: rp.did, url: 'http://127.0.0.1:9', issuerUrl: 'http://127.0.0.1', grantTypes: ['authorization_code'], redirectUris: [CB] })],
    });
    worlds.push(w);
    return w;
  };
  before(async () => {
    // The routed PWA page counts as a public origin and our verifier listens on loopback:
    // Chromium's Local Network Access permission (a prompt) would block the fetch, which a
    // verifier on a public address never meets.
    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks,PrivateNetworkAccessRespectPreflightResults'], timeout: 15_000 });
  });
  after(async () => {
    await browser?.close();
    for (const w of worlds) await w.close();
  });

  const authorizeUrl = (w: World, scope: string) =>
    `${w.issuer}/oidc/authorize?${new URLSearchParams({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope, state: `st-${crypto.randomUUID()}` }).toString()}`;

  test('walletKind pwa: the button opens {wallet}/protocol/callback?authorization_request=…, and from its origin the PWA reads the request object and posts to response_uri cross-origin', async () => {
    const w = await world({ VERIFIER_FRONTEND_URLS_WALLET: PWA, VERIFIER_FRONTEND_WALLETKIND: 'pwa' });
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    try {
      // The PWA's origin, served by the browser: an empty page the test script runs in.
      await context.route(`${PWA}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>wallet</title>' }));
      const page = await context.newPage();
      await page.goto(authorizeUrl(w, 'openid learcredential.employee'));
      assert.equal(new URL(page.url()).pathname, '/login');
      const authRequest = new URL(page.url()).searchParams.get('authRequest')!;
      const href = await page.locator('#dv-wallet').getAttribute('href');
      assert.equal(href, `${PWA}/protocol/callback?authorization_request=${encodeURIComponent(authRequest)}`);

      const [wallet] = await Promise.all([context.waitForEvent('page'), page.locator('#dv-wallet').click()]);
      await wallet.waitForLoadState();
      assert.equal(wallet.url(), href, 'the PWA opened on its protocol callback route');
      const openid4vp = pwaSameDeviceLink(wallet.url());
      assert.equal(openid4vp, authRequest);
      const { requestUri } = pwaRequestUri(openid4vp);
      const fetched = await wallet.evaluate(async (u) => {
        try {
          const r = await fetch(u);
          return { status: r.status, body: await r.text() };
        } catch (e) {
          return { status: 0, body: String(e) };
        }
      }, requestUri!);
      assert.equal(fetched.status, 200, `the PWA's cross-origin GET: ${fetched.body}`);
      const request = await pwaVerifyRequestObject(fetched.body);
      assert.deepEqual((request.claims.dcql_query as { credentials: { id: string }[] }).credentials.map((c) => c.id), ['lear_employee_jwt_vc', 'lear_employee_sd_jwt']);
      // The answer's POST from the PWA origin is readable too (an empty presentation: 400, not 401, not status 0).
      const posted = await wallet.evaluate(async ([uri, state]) => {
        try {
          const r = await fetch(uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ state, vp_token: 'e30=' }).toString() });
          return r.status;
        } catch {
          return 0;
        }
      }, [String(request.claims.response_uri), String(request.claims.state)] as const);
      assert.equal(posted, 400);
    } finally {
      await context.close();
    }
  });

  test('walletKind default (wallet-api): the deployed wallet keeps its link, the openid4vp query on the wallet URL', async () => {
    const w = await world({ VERIFIER_FRONTEND_URLS_WALLET: DEPLOYED });
    const context = await browser.newContext();
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await page.goto(authorizeUrl(w, 'openid learcredential'));
      const authRequest = new URL(page.url()).searchParams.get('authRequest')!;
      assert.equal(await page.locator('#dv-wallet').getAttribute('href'), `${DEPLOYED}${authRequest.slice('openid4vp://'.length)}`);
    } finally {
      await context.close();
    }
  });
});
