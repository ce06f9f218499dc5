/**
 * Issue #11 §6: the login page names the requesting service (the registered client's `url`,
 * escaped); the authorization endpoint's and the login route's error pages explain the error in
 * the page's language (en/es/ca) with the stable error code as the reference, and offer the same
 * language switch as the login page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type World } from '../../support/world.ts';
import { authorize, startLogin } from '../../support/h2m.ts';

const ISS = 'https://verifier.test';
const CB = 'https://rp.example/callback';

describe('login and error pages: the requesting service, translated error details, a language switch', () => {
  let w: World;
  const rp = newMachine();
  const odd = newMachine();
  before(async () => {
    w = await createWorld({
      clients: [
        trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [CB] }),
        trustedServiceEntry({ clientId: odd.did, url: 'https://odd.example/"><b>x</b>', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: ['https://odd.example/cb'] }),
      ],
    });
  });
  after(() => w.close());

  const base = (extra: Record<string, string> = {}) => ({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 'xyz', ...extra });
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const res = await w.app.inject({ method: 'GET', url, headers });
    return { status: res.statusCode, body: res.body };
  };

  test('the login page names the service that asks for the login, from its registration', async () => {
    const l = await startLogin(w, base({ state: `st-${crypto.randomUUID()}` }));
    const url = new URL(l.location);
    for (const [lang, text] of [['en', 'rp.example asks you to log in'], ['es', 'rp.example te pide que inicies sesión'], ['ca', 'rp.example et demana que iniciïs la sessió']] as const) {
      const page = await get(`${url.pathname}${url.search}&lang=${lang}`, { cookie: l.cookiePair });
      assert.equal(page.status, 200);
      assert.ok(page.body.includes(`<p id="dv-service">${text}</p>`), `${lang}: ${page.body.slice(0, 200)}`);
    }
  });

  test('a registered url with markup is shown escaped, as text', async () => {
    const l = await startLogin(w, { ...base({ state: `st-${crypto.randomUUID()}` }), client_id: odd.did, redirect_uri: 'https://odd.example/cb' });
    const url = new URL(l.location);
    const page = await get(`${url.pathname}${url.search}`, { cookie: l.cookiePair });
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.body, /<b>x<\/b>/);
    assert.match(page.body, /<p id="dv-service">odd\.example asks you to log in<\/p>/);
  });

  test('an unknown client gets its error explained in Spanish and Catalan, with the error code as the reference', async () => {
    const es = await authorize(w, base({ client_id: 'did:key:zDnaeUnknown', lang: 'es' }));
    assert.equal(es.status, 400);
    assert.equal(es.location, undefined);
    assert.match(es.body, /La aplicación que te ha enviado aquí no está registrada en este verificador/);
    assert.match(es.body, /ERR_AUTHZ_CLIENT_UNKNOWN/);
    assert.doesNotMatch(es.body, /unknown client/, 'no English detail on a Spanish page');
    const ca = await authorize(w, base({ client_id: 'did:key:zDnaeUnknown', lang: 'ca' }));
    assert.match(ca.body, /L’aplicació que t’ha enviat aquí no està registrada en aquest verificador/);
  });

  test('a redirect_uri not registered for the client is explained in the page language', async () => {
    const res = await authorize(w, base({ redirect_uri: 'https://evil.example/cb', lang: 'es' }));
    assert.equal(res.status, 400);
    assert.match(res.body, /una dirección de retorno que no tiene registrada/);
    assert.match(res.body, /ERR_AUTHZ_REDIRECT_URI/);
  });

  test('authorization error pages offer the language switch, keeping the request', async () => {
    const res = await authorize(w, base({ client_id: 'did:key:zDnaeUnknown' }));
    const nav = /<nav aria-label="Language"><ul>(.*?)<\/ul><\/nav>/.exec(res.body);
    assert.ok(nav, 'a language switch');
    const links = [...nav[1]!.matchAll(/href="\?([^"]*)"/g)].map((m) => new URLSearchParams(m[1]!.replaceAll('&amp;', '&')));
    assert.deepEqual(links.map((q) => q.get('lang')), ['en', 'es', 'ca']);
    for (const q of links) assert.equal(q.get('client_id'), 'did:key:zDnaeUnknown');
    const es = await get(`/oidc/authorize?${links[1]!.toString()}`);
    assert.match(es.body, /<html lang="es"/);
    assert.match(es.body, /no está registrada/);
  });

  test('the login route error page offers the language switch too', async () => {
    const res = await get('/login?state=nope&lang=ca');
    assert.equal(res.status, 400);
    assert.match(res.body, /<nav aria-label="Idioma"><ul>.*hreflang="es".*<\/ul><\/nav>/);
  });
});
