/**
 * Human login in a real browser: headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core) opens a relying party on 127.0.0.1, is sent to the verifier's authorize
 * endpoint and lands on the real login page (QR code, EventSource); the test wallet answers the
 * `authRequest` of that page with a LEARCredentialEmployee; the page follows the SSE `redirect`
 * to the RP callback; the RP redeems the code and refreshes. Three RPs as DOME has them: the
 * marketplace (did:key, JAR by reference), a Keycloak identity broker (JWKS key with kid, plain
 * OIDC) and a public PKCE client. Also: a login completed before the page subscribed, the
 * polling fallback without EventSource, the Spanish page and an expired login.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { answerAuthorizationRequest } from '@dome-verifier/client';
import { loginCookieName } from '@dome-verifier/core';
import { generateP256, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type World } from '../support/world.ts';
import { chromiumSkipReason, launchChromium, withPage as withBrowserPage } from './chromium.ts';
import { startRp, type Flow, type Rp, type RpClient } from './rp-server.ts';

const SCREENSHOT = '/tmp/dome-login.png';
const KC_KID = 'kc-es256-current';

describe('browser login through the real login page (headless Chromium)', { skip: chromiumSkipReason() }, () => {
  let w: World;
  let rp: Rp;
  let browser: Browser;
  let employee: string;
  const user = newMachine();
  const marketplace = newMachine();
  const keycloakKey = generateP256();

  const CLIENTS: Record<'marketplace' | 'keycloak' | 'spa', RpClient> = {
    marketplace: { name: 'marketplace', clientId: marketplace.did, mode: 'jar', scope: 'openid learcredential', auth: { kind: 'did-key', key: marketplace.privateKey } },
    keycloak: { name: 'keycloak', clientId: 'keycloak-broker', mode: 'plain', scope: 'openid learcredential profile email', auth: { kind: 'jwks', key: keycloakKey.privateKey, kid: KC_KID } },
    spa: { name: 'spa', clientId: 'spa-public', mode: 'plain', scope: 'openid learcredential', auth: { kind: 'none' } },
  };

  before(async () => {
    rp = await startRp({ now: () => w.clock.now() });
    for (const c of Object.values(CLIENTS)) rp.register(c);
    // Keycloak's certs endpoint: the current signing key, an older one and an RSA-OAEP encryption key.
    const old = generateP256();
    const enc = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' });
    rp.setJwks([
      { ...old.publicJwk, kid: 'kc-es256-previous', alg: 'ES256', use: 'sig' },
      { ...keycloakKey.publicJwk, kid: KC_KID, alg: 'ES256', use: 'sig' },
      { ...enc, kid: 'kc-rsa-enc', alg: 'RSA-OAEP', use: 'enc' },
    ]);

    // (issuerUrl only makes the default jwkSetUrl, replaced or removed below.)
    const base = { url: rp.origin, issuerUrl: 'http://127.0.0.1', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [rp.callbackUrl], scopes: ['openid_learcredential'] };
    // A did:key client's key is its client_id: no jwkSetUrl needed.
    const { jwkSetUrl: _unused, ...marketplaceEntry } = trustedServiceEntry({ ...base, clientId: marketplace.did });
    const { jwkSetUrl: _none, ...spaEntry } = trustedServiceEntry({ ...base, clientId: 'spa-public' });
    w = await createWorld({
      listen: true,
      env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true', VERIFIER_BACKEND_REQUESTOBJECT_REQUIREAUD: 'true' },
      clients: [
        marketplaceEntry,
        { ...trustedServiceEntry({ ...base, clientId: 'keycloak-broker' }), jwkSetUrl: rp.jwksUrl },
        { ...spaEntry, clientAuthenticationMethods: ['none'], requireProofKey: true },
      ],
    });
    rp.issuer = w.issuer;
    employee = w.issue({ kind: 'employee', shape: 'v2', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await w?.close();
  });

  const withPage = <T>(fn: (page: Page, context: BrowserContext) => Promise<T>, o: { locale?: string; allow?: RegExp } = {}) =>
    withBrowserPage(browser, fn, { ...o, viewport: { width: 1000, height: 1100 } });

  /** Chromium opens the RP's /start and must land on the verifier's login page. */
  async function openLoginPage(page: Page, client: RpClient): Promise<{ flow: Flow; pageUrl: URL }> {
    const res = await page.goto(rp.startUrl(client.name));
    const pageUrl = new URL(page.url());
    assert.equal(res?.status(), 200, `login page answered ${res?.status()} at ${page.url()}`);
    assert.equal(pageUrl.origin, w.issuer);
    assert.equal(pageUrl.pathname, '/login');
    const flow = rp.lastFlow(client.name)!;
    assert.equal(pageUrl.searchParams.get('state'), flow.state, 'the page carries the RP state');
    assert.equal(pageUrl.searchParams.get('homeUri'), rp.origin);
    assert.match(pageUrl.searchParams.get('authRequest') ?? '', /^openid4vp:\/\/\?client_id=did%3Akey%3Az[^&]+&request_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foid4vp%2Fauth-request%2F[A-Za-z0-9_-]{43}$/);
    await page.locator('.qr-box svg').waitFor({ state: 'visible' });
    return { flow, pageUrl };
  }

  async function walletAnswers(pageUrl: string): Promise<void> {
    const answer = await answerAuthorizationRequest(pageUrl, { key: user.privateKey, credential: employee, now: () => w.clock.now() });
    assert.equal(answer.status, 200, `wallet POST answered ${answer.status}: ${answer.body}`);
  }

  /** The browser arrives at the RP callback with code, state and iss. */
  async function reachedCallback(page: Page, flow: Flow): Promise<string> {
    await page.waitForURL(/\/callback\?/, { timeout: 10_000 });
    assert.equal(await page.locator('h1').textContent(), 'RP callback');
    const cb = flow.callback;
    assert.ok(cb, 'the RP recorded the authorization response');
    assert.equal(cb.get('state'), flow.state);
    assert.equal(cb.get('iss'), w.issuer, 'RFC 9207 iss');
    assert.equal(cb.get('error'), null);
    const code = cb.get('code') ?? '';
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
    return code;
  }

  async function verifierJwks() {
    const res = await fetch(`${w.issuer}/oidc/jwks`);
    assert.equal(res.status, 200);
    return createLocalJWKSet((await res.json()) as { keys: [] });
  }

  async function verify(jwt: unknown, clientId: string): Promise<JWTPayload> {
    assert.equal(typeof jwt, 'string');
    const { payload, protectedHeader } = await jwtVerify(String(jwt), await verifierJwks(), { issuer: w.issuer, audience: clientId, algorithms: ['ES256'], currentDate: new Date(w.clock.now()) });
    assert.equal(protectedHeader.alg, 'ES256');
    return payload;
  }

  type Mandate = { mandator: Record<string, unknown>; mandatee: Record<string, unknown>; power: Array<Record<string, unknown>> };
  const mandateOf = (vc: unknown): Mandate => (vc as { credentialSubject: { mandate: Mandate } }).credentialSubject.mandate;

  /** The RP redeems the code, checks access and ID token, refreshes once and sees the old refresh token rejected. */
  async function redeemAndRefresh(flow: Flow, code: string): Promise<void> {
    const clientId = flow.client.clientId;
    const tokens = await rp.exchangeCode(flow, code);
    assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
    assert.equal(tokens.json.token_type, 'Bearer');
    assert.equal(tokens.json.expires_in, 3600);

    const at = await verify(tokens.json.access_token, clientId);
    assert.equal(at.sub, user.did);
    assert.equal(at.scope, 'openid learcredential');
    const mandate = mandateOf(at.vc);
    assert.equal(mandate.mandatee.firstName, 'Jane');
    assert.equal(mandate.mandatee.email, 'jane@example.org');
    assert.equal(typeof mandate.mandator.organizationIdentifier, 'string');
    assert.ok(Array.isArray(mandate.power) && mandate.power.length > 0, 'powers');

    const id = await verify(tokens.json.id_token, clientId);
    assert.equal(id.sub, user.did);
    assert.equal(id.nonce, flow.nonce);
    assert.equal(id.acr, '0');
    assert.equal(typeof id.auth_time, 'number');
    assert.equal(id.name, 'Jane Doe');
    assert.equal(id.given_name, 'Jane');
    assert.equal(id.family_name, 'Doe');
    assert.equal(id.email, 'jane@example.org');
    assert.equal(id.email_verified, true);
    assert.equal(typeof id.vc_json, 'string', 'vc_json is a JSON string (Keycloak mappers)');
    assert.equal(mandateOf(JSON.parse(String(id.vc_json))).mandatee.email, 'jane@example.org');

    const rt1 = String(tokens.json.refresh_token);
    assert.match(rt1, /^[A-Za-z0-9_-]{43}$/);
    const refreshed = await rp.refresh(flow, rt1);
    assert.equal(refreshed.status, 200, JSON.stringify(refreshed.json));
    const rt2 = String(refreshed.json.refresh_token);
    assert.notEqual(rt2, rt1, 'the refresh token rotates');
    assert.equal((await verify(refreshed.json.access_token, clientId)).sub, user.did);
    const id2 = await verify(refreshed.json.id_token, clientId);
    assert.equal(id2.email, 'jane@example.org');
    assert.equal(id2.nonce, flow.nonce);
    const reuse = await rp.refresh(flow, rt1);
    assert.equal(reuse.status, 400, JSON.stringify(reuse.json));
    assert.equal(reuse.json.error, 'invalid_grant');
  }

  test('the DOME marketplace (did:key, request object by reference) logs a user in through the login page', async () => {
    await withPage(async (page, context) => {
      const { flow, pageUrl } = await openLoginPage(page, CLIENTS.marketplace);
      assert.equal(flow.requestObjectFetches, 1, 'the verifier fetched the request_uri once');
      const binding = (await context.cookies(w.issuer)).filter((c) => c.name === loginCookieName(flow.state));
      assert.equal(binding.length, 1, 'one login binding cookie');
      assert.equal(binding[0]!.httpOnly, true);
      assert.equal(binding[0]!.sameSite, 'Lax');
      assert.equal(await page.evaluate('document.cookie'), '', 'the page script cannot read the binding');
      assert.equal(await page.locator('html').getAttribute('lang'), 'en');
      assert.equal(await page.locator('h1').textContent(), 'Log in with your wallet');
      assert.equal(await page.locator('svg.qr').count(), 1, 'one QR code');
      assert.match((await page.locator('#dv-time').textContent()) ?? '', /^[12]:\d\d$/);
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      await walletAnswers(pageUrl.toString());
      await redeemAndRefresh(flow, await reachedCallback(page, flow));
    });
  });

  test('a Keycloak-style broker (JWKS key with kid, plain OIDC, profile email) logs a user in', async () => {
    await withPage(async (page) => {
      const { flow, pageUrl } = await openLoginPage(page, CLIENTS.keycloak);
      await walletAnswers(pageUrl.toString());
      await redeemAndRefresh(flow, await reachedCallback(page, flow));
    });
  });

  test('a public client (no client authentication, PKCE S256) logs a user in', async () => {
    await withPage(async (page) => {
      const { flow, pageUrl } = await openLoginPage(page, CLIENTS.spa);
      await walletAnswers(pageUrl.toString());
      await redeemAndRefresh(flow, await reachedCallback(page, flow));
    });
  });

  test('a login completed before the page subscribes is still delivered over the event stream', async () => {
    await withPage(async (page) => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let requested!: () => void;
      const eventsRequested = new Promise<void>((r) => (requested = r));
      const statusRequests: string[] = [];
      // Hold the page's EventSource request until the wallet has answered.
      await page.route('**/api/login/events?**', async (route) => {
        requested();
        await released;
        await route.continue();
      });
      await page.route('**/api/login/status?**', async (route) => {
        statusRequests.push(route.request().url());
        await route.continue();
      });
      const { flow, pageUrl } = await openLoginPage(page, CLIENTS.marketplace);
      await eventsRequested;
      await walletAnswers(pageUrl.toString());
      release();
      await redeemAndRefresh(flow, await reachedCallback(page, flow));
      assert.deepEqual(statusRequests, [], 'delivered by the event stream, not by polling');
    });
  });

  test('without a working EventSource the page falls back to polling /api/login/status and still reaches the RP', async () => {
    await withPage(async (page) => {
      let polls = 0;
      await page.route('**/api/login/events?**', (route) => route.abort());
      await page.route('**/api/login/status?**', async (route) => {
        polls++;
        await route.continue();
      });
      // The wallet answers only once the page has polled and been told "pending", so the page
      // can learn the outcome only by polling again (a wallet answer racing the first poll would
      // let a single poll see the completed login).
      const firstPollAnswered = page.waitForResponse((r) => r.url().includes('/api/login/status?'));
      const { flow, pageUrl } = await openLoginPage(page, CLIENTS.spa);
      assert.equal(((await (await firstPollAnswered).json()) as { status?: string }).status, 'pending');
      await walletAnswers(pageUrl.toString());
      const code = await reachedCallback(page, flow);
      assert.ok(polls >= 2, `polled ${polls} times`);
      await redeemAndRefresh(flow, code);
    }, { allow: /net::ERR_FAILED/ });
  });

  test('a Spanish browser (Accept-Language es-ES) gets the Spanish page', async () => {
    await withPage(async (page) => {
      const loginRequest = page.waitForRequest((r) => new URL(r.url()).pathname === '/login');
      await openLoginPage(page, CLIENTS.spa);
      assert.match((await (await loginRequest).allHeaders())['accept-language'] ?? '', /^es-ES/);
      assert.equal(await page.locator('html').getAttribute('lang'), 'es');
      assert.equal(await page.locator('h1').textContent(), 'Inicia sesión con tu wallet');
      assert.equal(await page.locator('#dv-scan-h').textContent(), 'Escanea el código QR');
      assert.match((await page.locator('#dv-wallet').textContent()) ?? '', /^Abrir el wallet en este dispositivo/);
      assert.match(await page.title(), /^Inicia sesión con tu wallet/);
    }, { locale: 'es-ES' });
  });

  // Last: it moves the verifier clock past every open login.
  test('an expired login: the page shows the expired message, and the wallet can no longer answer', async () => {
    await withPage(async (page) => {
      const streamOpen = page.waitForResponse((r) => r.url().includes('/api/login/events?') && r.status() === 200);
      const { pageUrl } = await openLoginPage(page, CLIENTS.marketplace);
      await streamOpen;
      w.clock.advance(121_000);
      const outcome = page.locator('#dv-outcome');
      await outcome.locator('h2').waitFor({ state: 'visible', timeout: 8_000 });
      assert.equal(await outcome.locator('h2').textContent(), 'The login request has expired');
      assert.match((await outcome.textContent()) ?? '', /Start the login again from the application/);
      assert.equal(new URL((await outcome.locator('a.button').getAttribute('href')) ?? '').origin, rp.origin, 'back to the RP');
      assert.equal(await page.locator('#dv-login').isHidden(), true, 'the QR code is gone');
      await assert.rejects(answerAuthorizationRequest(pageUrl.toString(), { key: user.privateKey, credential: employee, now: () => w.clock.now() }), /HTTP 404/);
    });
  });
});
