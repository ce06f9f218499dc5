/**
 * The BAE marketplace's login in headless Chromium (spec §8.4): the browser opens the marketplace,
 * which redirects it to the verifier's `/api/v2/loginQR` with a request object by reference
 * (`<BAE>/auth/vc/request.jwt`, kid = BAE's DID, aud = the verifier); our login page shows the QR
 * code; the page opens FIWARE's `/ws?state=` (as VCVerifier's bundled page does) and receives
 * `session`; a wallet written from the spec answers the page's `openid4vp://` request at
 * `/api/v1/authentication_response`; the socket receives `authenticated` with the redirect and
 * the browser lands on BAE's callback; BAE's backend redeems the code with a DID-signed client
 * assertion (`passport-vc.js` requestTokenWithClientSign) and refreshes with the same assertion.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { signJws } from '@dome-verifier/core';
import { newMachine } from '../support/world.ts';
import { createH2mWorld, LOGIN_SCOPE, type H2mWorld } from '../flows/fiware-h2m/fiware-h2m-world.ts';
import { chromiumSkipReason, launchChromium, withPage } from './chromium.ts';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('BAE marketplace login through /api/v2/loginQR (headless Chromium)', { skip: chromiumSkipReason() }, () => {
  let h: H2mWorld;
  let bae: Server;
  let baeOrigin: string;
  let browser: Browser;
  const baeKey = newMachine();
  const tokens: Array<{ status: number; json: Record<string, unknown> }> = [];
  const now = () => Math.floor(h.w.clock.now() / 1000);
  const assertion = () => signJws({ alg: 'ES256', kid: baeKey.did }, { iss: baeKey.did, sub: baeKey.did, aud: h.w.issuer, exp: now() + 30 }, baeKey.privateKey);

  async function tokenRequest(form: Record<string, string>) {
    const res = await fetch(`${h.w.issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  before(async () => {
    // The marketplace: login start, its request object, its callback (which exchanges the code).
    const pending = new Map<string, string>();
    bae = createServer((req, res) => {
      const url = new URL(req.url ?? '/', baeOrigin);
      if (url.pathname === '/login') {
        const state = randomUUID();
        const nonce = randomUUID();
        pending.set(state, nonce);
        const q = new URLSearchParams({ state, client_id: 'bae', response_type: 'code', request_uri: `${baeOrigin}/auth/vc/request.jwt?state=${state}`, scope: LOGIN_SCOPE, nonce });
        res.writeHead(302, { location: `${h.w.issuer}/api/v2/loginQR?${q.toString()}` }).end();
      } else if (url.pathname === '/auth/vc/request.jwt') {
        const state = url.searchParams.get('state')!;
        const jwt = signJws(
          { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: baeKey.did },
          { iss: baeKey.did, aud: h.w.issuer, client_id: 'bae', response_type: 'code', redirect_uri: `${baeOrigin}/auth/vc/callback`, scope: LOGIN_SCOPE, state, nonce: pending.get(state), exp: now() + 30 },
          baeKey.privateKey,
        );
        res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jwt);
      } else if (url.pathname === '/auth/vc/callback') {
        void (async () => {
          const code = url.searchParams.get('code') ?? '';
          const exchanged = await tokenRequest({ grant_type: 'authorization_code', code, client_id: baeKey.did, client_assertion_type: JWT_BEARER, client_assertion: assertion() });
          tokens.push(exchanged);
          if (exchanged.status === 200) tokens.push(await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(exchanged.json.refresh_token), client_id: baeKey.did, client_assertion_type: JWT_BEARER, client_assertion: assertion() }));
          res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>BAE</title><link rel="icon" href="data:,"><h1>Logged in</h1>');
        })();
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => bae.listen(0, '127.0.0.1', resolve));
    baeOrigin = `http://127.0.0.1:${(bae.address() as AddressInfo).port}`;
    h = await createH2mWorld({ bae: baeKey, baeCallback: `${baeOrigin}/auth/vc/callback` });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await new Promise((resolve) => bae?.close(resolve));
    await h?.close();
  });

  test('the browser logs in at the marketplace: QR page, /ws session and authenticated, wallet 200 {}, callback, code exchange by DID assertion, refresh', async () => {
    await withPage(browser, async (page) => {
      const res = await page.goto(`${baeOrigin}/login`);
      assert.equal(res?.status(), 200, `the QR page answered ${res?.status()} at ${page.url()}`);
      const pageUrl = new URL(page.url());
      assert.equal(pageUrl.origin, h.w.issuer);
      assert.equal(pageUrl.pathname, '/api/v2/loginQR');
      await page.locator('.qr-box svg').waitFor({ state: 'visible' });
      const state = pageUrl.searchParams.get('state')!;

      // FIWARE's page client: a WebSocket on /ws?state= (the login cookie goes with it); the
      // messages are reported to the test as they arrive (the page navigates away afterwards).
      const wsMessages: string[] = [];
      await page.exposeFunction('reportFiwareMessage', (m: string) => wsMessages.push(m));
      const wsUrl = `${h.w.issuer.replace('http', 'ws')}/ws?state=${encodeURIComponent(state)}`;
      // Page-side code as a string (the project has no DOM types; see playwright-dom-types.d.ts).
      await page.evaluate(`new WebSocket(${JSON.stringify(wsUrl)}).onmessage = (m) => void reportFiwareMessage(String(m.data))`);
      for (let i = 0; i < 100 && wsMessages.length === 0; i++) await new Promise((r) => setTimeout(r, 50));

      const authRequest = await page.locator('a[href^="openid4vp://"]').first().getAttribute('href');
      assert.ok(authRequest);
      const answer = await h.wallet(authRequest);
      assert.equal(answer.status, 200, JSON.stringify(answer.json));
      assert.deepEqual(answer.json, {});
      await page.waitForURL(/\/auth\/vc\/callback\?/, { timeout: 10_000 });
      assert.equal(await page.locator('h1').textContent(), 'Logged in');
      const callback = new URL(page.url());
      assert.equal(callback.searchParams.get('state'), state);

      assert.deepEqual(JSON.parse(wsMessages[0] ?? '{}'), { type: 'session' });
      {
        assert.equal(wsMessages.length, 2, JSON.stringify(wsMessages));
        const done = JSON.parse(wsMessages[1]!) as { type: string; redirectUrl: string };
        assert.equal(done.type, 'authenticated');
        assert.equal(done.redirectUrl, page.url(), 'the socket names the same redirect the page followed');
      }
      assert.equal(tokens.length, 2, JSON.stringify(tokens));
      assert.equal(tokens[0]!.status, 200, JSON.stringify(tokens[0]!.json));
      const claims = JSON.parse(Buffer.from(String(tokens[0]!.json.access_token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
      assert.deepEqual(claims.aud, ['bae']);
      assert.equal(claims.sub, h.user.did);
      assert.equal(tokens[1]!.status, 200, JSON.stringify(tokens[1]!.json));
      assert.notEqual(tokens[1]!.json.refresh_token, tokens[0]!.json.refresh_token);
    });
  });
});
