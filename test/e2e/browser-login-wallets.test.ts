/**
 * Issue #10 "Done means", end to end in headless Chromium: the SAME login page — one QR code,
 * one request object carrying the DCQL query of both wallets — serves the deployed DOME wallet
 * with a legacy LEARCredentialEmployee (the packages/client test wallet), and the EUDIStack PWA
 * (test/support/pwa-wallet.ts, written from dome-wallet-pwa.md §1–§4) with a VCDM 2.0 JWT VC and
 * with an SD-JWT VC. The browser opens the RP, lands on the login page, the wallet reads the
 * page's openid4vp link and answers over a real socket, the page follows the SSE redirect to
 * the RP callback, the RP redeems the code, the tokens carry §6's claims, and the resource-server
 * middleware (packages/resource-server) accepts the access token.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { answerAuthorizationRequest } from '@dome-verifier/client';
import { issueSdJwtVc, trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createAccessTokenValidator } from '@dome-verifier/resource-server';
import { createWorld, decodePart, ISSUER_DID, newMachine, ORG, TYPES, type World } from '../support/world.ts';
import { pwaAnswer, pwaFetchTransport } from '../support/pwa-wallet.ts';
import { chromiumSkipReason, launchChromium, withPage as withBrowserPage } from './chromium.ts';
import { startRp, type Flow, type Rp, type RpClient } from './rp-server.ts';

const W3C = 'learcredential.employee.w3c.4';
const SD = 'learcredential.employee.sd.1';
const MANDATEE = { firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' };

describe('one login page serves both DOME wallets and every credential format (headless Chromium)', { skip: chromiumSkipReason() }, () => {
  let w: World;
  let rp: Rp;
  let browser: Browser;
  const user = newMachine();
  const marketplace = newMachine();
  const client: RpClient = { name: 'marketplace', clientId: marketplace.did, mode: 'jar', scope: 'openid learcredential', auth: { kind: 'did-key', key: marketplace.privateKey } };

  before(async () => {
    rp = await startRp({ now: () => w.clock.now() });
    rp.register(client);
    const { jwkSetUrl: _unused, ...entry } = trustedServiceEntry({ url: rp.origin, issuerUrl: 'http://127.0.0.1', clientId: marketplace.did, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [rp.callbackUrl], scopes: ['openid_learcredential'] });
    w = await createWorld({
      listen: true,
      til: { [ISSUER_DID]: { types: [...TYPES, W3C, SD] } },
      env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true', VERIFIER_BACKEND_REQUESTOBJECT_REQUIREAUD: 'true' },
      clients: [entry],
    });
    rp.issuer = w.issuer;
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await rp?.close();
    await w?.close();
  });

  /** Chromium opens the RP, lands on the login page; returns the page's openid4vp link (QR payload and same-device link). */
  async function openLoginPage(page: Page): Promise<{ flow: Flow; link: string; pageUrl: string }> {
    const res = await page.goto(rp.startUrl(client.name));
    assert.equal(res?.status(), 200, `login page answered ${res?.status()} at ${page.url()}`);
    const pageUrl = new URL(page.url());
    assert.equal(`${pageUrl.origin}${pageUrl.pathname}`, `${w.issuer}/login`);
    await page.locator('.qr-box svg').waitFor({ state: 'visible' });
    assert.equal(await page.locator('svg.qr').count(), 1, 'one QR code');
    const link = (await page.locator('#dv-wallet').getAttribute('href')) ?? '';
    assert.equal(link, pageUrl.searchParams.get('authRequest'), 'the same-device link is the openid4vp request the QR encodes');
    assert.match(link, /^openid4vp:\/\/\?client_id=did%3Akey%3Az[^&]+&request_uri=http%3A%2F%2F127\.0\.0\.1%3A\d+%2Foid4vp%2Fauth-request%2F[A-Za-z0-9_-]{43}$/);
    return { flow: rp.lastFlow(client.name)!, link, pageUrl: pageUrl.toString() };
  }

  /** The page follows the SSE redirect to the RP callback; the RP redeems the code; §6 claims; the middleware accepts the access token. */
  async function completeLogin(page: Page, flow: Flow, credentialType: string): Promise<Record<string, unknown>> {
    await page.waitForURL(/\/callback\?/, { timeout: 10_000 });
    assert.equal(await page.locator('h1').textContent(), 'RP callback');
    const cb = flow.callback!;
    assert.equal(cb.get('state'), flow.state);
    assert.equal(cb.get('iss'), w.issuer);
    const tokens = await rp.exchangeCode(flow, cb.get('code') ?? '');
    assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
    const access = decodePart(String(tokens.json.access_token));
    const id = decodePart(String(tokens.json.id_token));

    type Mandate = { mandatee: Record<string, unknown>; mandator: Record<string, unknown>; power: unknown[] };
    const vc = access.vc as { credentialSubject: { mandate: Mandate } };
    assert.equal(typeof vc, 'object', 'vc is an object');
    const { mandatee, mandator, power } = vc.credentialSubject.mandate;
    assert.equal(mandatee.id, user.did);
    assert.equal(mandatee.email, MANDATEE.email);
    assert.equal(mandator.organizationIdentifier, ORG);
    assert.ok(Array.isArray(power) && power.length > 0, 'powers');
    assert.equal(access.credential_type, credentialType);
    assert.equal(access.sub, user.did);
    assert.equal(id.nonce, flow.nonce);
    assert.equal(typeof id.vc_json, 'string', 'vc_json in the ID token');
    assert.deepEqual((JSON.parse(String(id.vc_json)) as { credentialSubject: { mandate: Mandate } }).credentialSubject.mandate.mandatee.email, MANDATEE.email);
    assert.deepEqual([id.given_name, id.family_name, id.email], [MANDATEE.firstName, MANDATEE.lastName, MANDATEE.email]);

    // The resource server's middleware, discovering the verifier's keys over HTTP.
    const validator = createAccessTokenValidator({ issuer: w.issuer, audience: client.clientId, now: () => w.clock.now() });
    const verified = await validator.authenticate({ headers: { authorization: `Bearer ${String(tokens.json.access_token)}` }, url: '/api/orders' });
    assert.equal(verified.subject, user.did);
    assert.equal(verified.credentialType, credentialType);
    assert.equal(verified.kind, 'employee');
    assert.ok(verified.scopes.includes('learcredential'));
    return access;
  }

  const withPage = (fn: (page: Page) => Promise<void>) => withBrowserPage(browser, fn);

  /** The PWA answers `link` over real sockets, holding only `credential`. */
  async function pwa(link: string, credential: string) {
    const res = await pwaAnswer(link, {
      ...pwaFetchTransport(),
      credentials: [{ credentialEncoded: credential }],
      keys: [user.privateKey],
      now: () => Math.floor(w.clock.now() / 1000),
    });
    assert.equal(res.posted, true, 'the PWA found a matching credential');
    assert.equal(res.status, 200, res.body);
    const queries = (res.requestObject!.dcql_query as { credentials: { id: string }[] }).credentials.map((q) => q.id);
    assert.deepEqual(queries, ['lear_employee_jwt_vc', 'lear_employee_sd_jwt'], 'one request object asks for both formats');
    return res;
  }

  test('the deployed wallet with a legacy LEARCredentialEmployee logs in through the login page', async () => {
    const employee = w.issue({ kind: 'employee', shape: 'v2', mandatee: { id: user.did, ...MANDATEE } });
    await withPage(async (page) => {
      const { flow, pageUrl } = await openLoginPage(page);
      const answer = await answerAuthorizationRequest(pageUrl, { key: user.privateKey, credential: employee, now: () => w.clock.now() });
      assert.equal(answer.status, 200, answer.body);
      await completeLogin(page, flow, 'LEARCredentialEmployee');
    });
  });

  test('the wallet PWA with a VCDM 2.0 JWT VC logs in through the same login page', async () => {
    const credential = w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: { id: user.did, ...MANDATEE } });
    await withPage(async (page) => {
      const { flow, link } = await openLoginPage(page);
      const res = await pwa(link, credential);
      assert.deepEqual(Object.keys(JSON.parse(Buffer.from(res.form!.vp_token, 'base64').toString()) as object), ['lear_employee_jwt_vc']);
      await completeLogin(page, flow, W3C);
    });
  });

  test('the wallet PWA with an SD-JWT VC (KB-JWT) logs in through the same login page', async () => {
    const credential = issueSdJwtVc({
      seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, holderJwk: user.publicJwk,
      mandatee: { id: user.did, ...MANDATEE },
      validFrom: new Date(w.clock.now() - 3_600_000), validUntil: new Date(w.clock.now() + 86_400_000),
    }).sdJwt;
    await withPage(async (page) => {
      const { flow, link } = await openLoginPage(page);
      const res = await pwa(link, credential);
      assert.deepEqual(Object.keys(JSON.parse(Buffer.from(res.form!.vp_token, 'base64').toString()) as object), ['lear_employee_sd_jwt']);
      const access = await completeLogin(page, flow, SD);
      assert.equal((access.vc as Record<string, unknown>).vct, SD);
    });
  });
});
