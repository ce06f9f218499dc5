/**
 * The login page renders only this verifier's own pending logins (issue #9 item 6): the QR code,
 * the same-device button and the back link come from the login stored by `/oidc/authorize`
 * (found through the browser-binding cookie and the RP state), never from the query. A login
 * URL with someone else's `openid4vp://` request or `homeUri` shows the error page (400) with
 * neither — the verifier's name cannot be lent to a phishing request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type World } from '../../support/world.ts';
import { startLogin } from '../../support/h2m.ts';

const ISS = 'https://verifier.test';
const CB = 'https://rp.example/callback';
const FOREIGN = 'openid4vp://?client_id=did%3Akey%3AzDnaeAttacker&request_uri=https%3A%2F%2Fattacker.example%2Freq%2F1';
const PHISH = 'https://phish.example/';

describe('the login page shows only logins this verifier started', () => {
  let w: World;
  const rp = newMachine();
  before(async () => {
    w = await createWorld({ clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [CB] })] });
  });
  after(() => w.close());

  const login = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}` });
  const page = async (query: Record<string, string>, cookie?: string) => {
    const res = await w.app.inject({ method: 'GET', url: `/login?${new URLSearchParams(query).toString()}`, headers: cookie ? { cookie } : {} });
    return { status: res.statusCode, body: res.body };
  };
  const showsNothingForeign = (body: string) => {
    assert.ok(!body.includes('attacker.example'), 'no foreign request URL');
    assert.ok(!body.includes('zDnaeAttacker'));
    assert.ok(!body.includes('phish.example'), 'no foreign home link');
    assert.doesNotMatch(body, /class="qr"/, 'no QR code');
    assert.doesNotMatch(body, /openid4vp:|id="dv-wallet"/, 'no wallet button');
  };

  test('the browser that started the login gets the page with the QR code and button of the stored request and the client home', async () => {
    const l = await login();
    const url = new URL(l.location);
    const res = await w.app.inject({ method: 'GET', url: `${url.pathname}${url.search}`, headers: { cookie: l.cookiePair } });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /class="qr"/);
    assert.ok(res.body.includes(`id="dv-wallet" href="${l.authRequest.replaceAll('&', '&amp;')}"`), 'same-device button with the request we stored');
    assert.match(res.body, /"homeUri":"https:\/\/rp\.example\/"/);
  });

  test('a foreign openid4vp link and homeUri, without a login cookie, get the 400 error page showing neither', async () => {
    const res = await page({ authRequest: FOREIGN, state: 'victim-state', homeUri: PHISH });
    assert.equal(res.status, 400);
    assert.match(res.body, /Invalid login request/);
    showsNothingForeign(res.body);
  });

  test('a foreign openid4vp link with the state and cookie of a real login gets the 400 error page showing neither', async () => {
    const l = await login();
    const res = await page({ authRequest: FOREIGN, state: l.state, homeUri: PHISH }, l.cookiePair);
    assert.equal(res.status, 400);
    showsNothingForeign(res.body);
  });

  test('a real login with a foreign homeUri in the URL shows the client home, never the foreign one', async () => {
    const l = await login();
    const res = await page({ authRequest: l.authRequest, state: l.state, homeUri: PHISH }, l.cookiePair);
    assert.equal(res.status, 200);
    assert.ok(!res.body.includes('phish.example'));
    assert.match(res.body, /"homeUri":"https:\/\/rp\.example\/"/);
  });

  test("our own request URL in another browser (no cookie) is refused too: only the login's browser sees it", async () => {
    const l = await login();
    const res = await page({ authRequest: l.authRequest, state: l.state });
    assert.equal(res.status, 400);
    assert.doesNotMatch(res.body, /class="qr"/);
  });
});
