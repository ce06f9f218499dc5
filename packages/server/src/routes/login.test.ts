import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLoginSessions, createMemoryStore, fixedClock, loginCookieName, type LoginSessions } from '@dome-verifier/core';
import { loginRoutes, pickLang, renderErrorPage, type FrontendConfig, type LoginRouteDeps } from './login.ts';

const AUTH =
  'openid4vp://?client_id=did%3Akey%3AzDnaeVYnWTZu5nbrH1qmBVMvNwSrtKnkRbCZ4xH5h2LQPnzdr&request_uri=https%3A%2F%2Fverifier.example%2Foid4vp%2Fauth-request%2F3f1c';
const REDIRECT = 'https://rp.example/cb?code=abc&state=s1&iss=https%3A%2F%2Fverifier.example';

const frontend: FrontendConfig = {
  urls: { onboarding: 'https://knowledgebase.dome-marketplace.eu', support: 'https://ticketing.dome-marketplace.eu', wallet: 'https://wallet.dome-marketplace.eu' },
  colors: { primary: '#2D58A7', primaryContrast: '#ffffff', secondary: '#14274A', secondaryContrast: '#00ADD3' },
  assets: {},
  defaultLang: 'en',
  walletKind: 'wallet-api',
  walletOrigins: '*',
};

interface World {
  app: FastifyInstance;
  logins: LoginSessions;
  clock: ReturnType<typeof fixedClock>;
  store: ReturnType<typeof createMemoryStore>;
  activeSubscriptions: () => number;
}

const apps: FastifyInstance[] = [];
after(async () => {
  for (const app of apps) await app.close();
});

async function world(over: Partial<LoginRouteDeps> = {}): Promise<World> {
  const clock = fixedClock(Date.UTC(2026, 0, 1));
  const store = createMemoryStore({ clock });
  const logins = createLoginSessions(store, clock);
  let active = 0;
  const counted: LoginSessions = {
    ...logins,
    subscribe(id, listener) {
      active++;
      const off = logins.subscribe(id, listener);
      return () => {
        active--;
        off();
      };
    },
  };
  const app = Fastify({ logger: false });
  loginRoutes(app, { logins: counted, frontend, issuer: 'https://verifier.example', clock, pollIntervalMs: 25, heartbeatMs: 60_000, ...over });
  apps.push(app);
  return { app, logins, clock, store, activeSubscriptions: () => active };
}

async function startLogin(w: World, state = 's1', homeUri: string | undefined = 'https://rp.example/') {
  const { session, browserSecret } = await w.logins.create({
    state,
    clientId: 'did:key:zDnaeRP',
    redirectUri: 'https://rp.example/cb',
    scope: 'openid learcredential',
    authRequest: AUTH,
    ...(homeUri ? { homeUri } : {}),
  });
  return { id: session.id, binding: browserSecret, cookie: `other=1; ${loginCookieName(state)}=${browserSecret}; last=2` };
}

const loginUrl = (q: Record<string, string>) => `/login?${new URLSearchParams(q).toString()}`;

/** GET /login for a login started with `state` in this browser (its cookie sent). */
async function loginPage(w: World, q: Record<string, string>, headers: Record<string, string> = {}, homeUri?: string) {
  const { cookie } = await startLogin(w, q.state ?? 's1', homeUri);
  return w.app.inject({ url: loginUrl(q), headers: { cookie, ...headers } });
}

// ---------------------------------------------------------------------------------------------
// Page

test('the login page renders the QR SVG, the wallet link, help links and strict headers', async () => {
  const w = await world();
  const res = await loginPage(w, { authRequest: AUTH, state: 's1', homeUri: 'https://rp.example' }, {}, 'https://rp.example/');
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/html; charset=utf-8/);
  assert.equal(res.headers['cache-control'], 'no-store');
  assert.equal(res.headers['referrer-policy'], 'no-referrer');
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  const csp = String(res.headers['content-security-policy']);
  const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
  assert.ok(nonce && nonce.length >= 16);
  assert.equal(
    csp,
    `default-src 'none'; img-src 'self' data: https:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
  );
  const html = res.body;
  assert.match(html, /^<!doctype html>\n<html lang="en"/);
  assert.ok(html.includes(`<script nonce="${nonce}">`));
  assert.ok(html.includes(`<style nonce="${nonce}">`));
  assert.equal(html.match(/<script/g)?.length, 2, 'the JSON data block and the nonce script only');
  assert.match(html, /<h1>Log in with your wallet<\/h1>/);
  assert.match(html, /<svg [^>]*class="qr"[^>]*role="img" aria-labelledby="dv-qr-title"/);
  assert.match(html, /<title id="dv-qr-title">QR code to log in with your DOME wallet<\/title>/);
  assert.match(html, /<p class="sr-only" id="dv-time-sr" aria-live="polite" aria-atomic="true">This code expires in 2:00\.<\/p>/);
  assert.match(html, /<span id="dv-time">2:00<\/span>/);
  assert.match(html, /<p class="wordmark">DOME<\/p>/);
  assert.ok(html.includes(`href="https://wallet.dome-marketplace.eu?client_id=did%3Akey%3AzDnae`), 'same-device link');
  for (const url of ['https://knowledgebase.dome-marketplace.eu/', 'https://ticketing.dome-marketplace.eu/', 'https://wallet.dome-marketplace.eu/']) {
    assert.ok(html.includes(`href="${url}"`), url);
  }
  assert.doesNotMatch(html, /\sstyle=/, 'no inline style attributes (blocked by the CSP)');
  assert.doesNotMatch(html, /<(link|script)[^>]+(src|href)="https?:/, 'no external scripts or styles');
  const data = JSON.parse(/<script type="application\/json" id="dv-data">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}');
  assert.deepEqual({ base: data.base, state: data.state, expiresIn: data.expiresIn, homeUri: data.homeUri, homeSite: data.homeSite }, {
    base: '',
    state: 's1',
    expiresIn: 120,
    homeUri: 'https://rp.example/',
    homeSite: 'rp.example',
  });
});

test('state and a stored homeUri are escaped; javascript: never becomes a link', async () => {
  const w = await world();
  const evil = '"><script>alert(1)</script>';
  for (const homeUri of ['javascript:alert(1)', 'JavaScript:alert(document.cookie)//https://rp.example']) {
    const res = await loginPage(w, { authRequest: AUTH, state: evil, homeUri }, {}, homeUri);
    assert.equal(res.statusCode, 200);
    assert.doesNotMatch(res.body, /<script>alert/i);
    assert.doesNotMatch(res.body, /javascript:/i);
    assert.equal(res.body.match(/<script/g)?.length, 2);
    const data = JSON.parse(/<script type="application\/json" id="dv-data">([^<]*)<\/script>/.exec(res.body)?.[1] ?? '{}');
    assert.equal(data.state, evil, 'the script gets the state intact');
    assert.equal(data.homeUri, null);
  }
  const quoted = await loginPage(w, { authRequest: AUTH, state: 's' }, {}, 'https://rp.example/"><img src=x onerror=alert(1)>');
  assert.doesNotMatch(quoted.body, /<img src=x/);
  assert.doesNotMatch(quoted.body, /"><img/);
});

test('the session homeUri (from the cookie) wins over the query; expiry comes from the session', async () => {
  const w = await world();
  const { cookie } = await startLogin(w, 's1', 'https://real-rp.example/');
  w.clock.advance(30_500);
  const res = await w.app.inject({ url: loginUrl({ authRequest: AUTH, state: 's1', homeUri: 'https://phish.example' }), headers: { cookie } });
  const data = JSON.parse(/id="dv-data">([^<]*)</.exec(res.body)?.[1] ?? '{}');
  assert.equal(data.homeUri, 'https://real-rp.example/');
  assert.equal(data.expiresIn, 90);
  assert.ok(!res.body.includes('phish.example'));
});

test('language: es from Accept-Language, ca from ?lang=, else the configured default', async () => {
  const w = await world();
  const es = await loginPage(w, { authRequest: AUTH, state: 's1' }, { 'accept-language': 'es-ES,es;q=0.9' });
  assert.match(es.body, /<html lang="es"/);
  assert.match(es.body, /<h1>Inicia sesión con tu wallet<\/h1>/);
  const ca = await loginPage(w, { authRequest: AUTH, state: 's1', lang: 'ca' }, { 'accept-language': 'es-ES,es;q=0.9' });
  assert.match(ca.body, /<html lang="ca"/);
  assert.match(ca.body, /<h1>Inicia la sessió amb el teu wallet<\/h1>/);
  const en = await loginPage(w, { authRequest: AUTH, state: 's1' });
  assert.match(en.body, /<html lang="en"/);
  const fr = await loginPage(w, { authRequest: AUTH, state: 's1' }, { 'accept-language': 'fr' });
  assert.match(fr.body, /<html lang="en"/);
  const w2 = await world({ frontend: { ...frontend, defaultLang: 'ca' } });
  const def = await loginPage(w2, { authRequest: AUTH, state: 's1' });
  assert.match(def.body, /<html lang="ca"/);
  // The language switcher keeps the login parameters.
  assert.ok(en.body.includes(`href="?authRequest=${encodeURIComponent(AUTH)}&amp;state=s1&amp;homeUri=${encodeURIComponent('https://rp.example/')}&amp;lang=es" lang="es" hreflang="es"`));
  assert.equal(pickLang(undefined, 'es-ES,es;q=0.9', 'en'), 'es');
});

test('invalid login parameters give the 400 error page', async () => {
  const w = await world();
  const cases: Record<string, string>[] = [
    { authRequest: 'https://evil.example/?x', state: 's1' },
    { authRequest: 'javascript:alert(1)', state: 's1' },
    { authRequest: `openid4vp://?${'a'.repeat(4090)}`, state: 's1' },
    { authRequest: AUTH, state: 's'.repeat(1025) },
    { authRequest: AUTH },
    { state: 's1' },
  ];
  for (const q of cases) {
    const res = await w.app.inject({ url: loginUrl({ ...q, homeUri: 'https://rp.example' }), headers: { 'accept-language': 'es' } });
    assert.equal(res.statusCode, 400, JSON.stringify(q).slice(0, 80));
    assert.match(String(res.headers['content-type']), /^text\/html/);
    assert.equal(res.headers['cache-control'], 'no-store');
    const nonce = /style-src 'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];
    assert.ok(res.body.includes(`<style nonce="${nonce}">`));
    assert.match(res.body, /<h1>Solicitud de inicio de sesión no válida<\/h1>/);
    assert.doesNotMatch(res.body, /rp\.example/, 'no link taken from the query');
    assert.doesNotMatch(res.body, /<script/);
  }
  const dup = await w.app.inject({ url: `/login?authRequest=${encodeURIComponent(AUTH)}&state=a&state=b` });
  assert.equal(dup.statusCode, 400);
});

test('a store failure while looking the login up gives the 503 page (Retry-After), never a page built from the query', async () => {
  const w = await world();
  const broken = await world({ logins: { ...w.logins, viewForBrowser: () => Promise.reject(new Error('store down')) } });
  const { cookie } = await startLogin(w, 's1');
  const res = await broken.app.inject({ url: loginUrl({ authRequest: AUTH, state: 's1', homeUri: 'https://phish.example' }), headers: { cookie } });
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '5');
  assert.match(res.body, /Try again in a few seconds/);
  assert.doesNotMatch(res.body, /class="qr"|openid4vp:|phish\.example/);
});

test('renderErrorPage escapes its texts and drops a javascript: homeUri', () => {
  const html = renderErrorPage({ status: 400, title: '<b>Unknown client</b>', message: 'client "x" <script>', homeUri: 'javascript:alert(1)', lang: 'ca', frontend, nonce: 'n0nce' });
  assert.match(html, /<html lang="ca"/);
  assert.match(html, /<h1>&lt;b&gt;Unknown client&lt;\/b&gt;<\/h1>/);
  assert.match(html, /client &quot;x&quot; &lt;script&gt;/);
  assert.match(html, /Error 400/);
  assert.match(html, /<style nonce="n0nce">/);
  assert.doesNotMatch(html, /javascript:/);
});

test('with walletKind pwa the same-device button opens the PWA route /protocol/callback?authorization_request=<openid4vp URL>', async () => {
  const w = await world({ frontend: { ...frontend, walletKind: 'pwa', urls: { ...frontend.urls, wallet: 'https://wallet.eudistack.example' } } });
  const res = await loginPage(w, { authRequest: AUTH, state: 's1' });
  assert.equal(res.statusCode, 200);
  const href = /id="dv-wallet" href="([^"]+)"/.exec(res.body)?.[1]?.replaceAll('&amp;', '&');
  assert.equal(href, `https://wallet.eudistack.example/protocol/callback?authorization_request=${encodeURIComponent(AUTH)}`);
});

test('logo, favicon, wallet URL and base path come from the configuration', async () => {
  const w = await world({
    issuer: 'https://verifier.example/verifier/',
    frontend: { ...frontend, urls: { ...frontend.urls, wallet: '' }, logoSrc: 'https://cdn.example/logo.svg', assets: { baseUrl: 'https://cdn.example/a/', faviconPath: '/fav.ico' } },
  });
  const html = (await loginPage(w, { authRequest: AUTH, state: 's1' })).body;
  assert.match(html, /<img class="logo" src="https:\/\/cdn\.example\/logo\.svg" alt="DOME">/);
  assert.match(html, /<link rel="icon" href="https:\/\/cdn\.example\/a\/fav\.ico">/);
  assert.ok(html.includes(`id="dv-wallet" href="${AUTH.replaceAll('&', '&amp;')}"`), 'raw openid4vp:// link without a wallet URL');
  assert.match(html, /"base":"\/verifier"/);
  const bad = await world({ frontend: { ...frontend, logoSrc: 'javascript:alert(1)', colors: { ...frontend.colors, primary: 'red;}body{x' } } });
  const badHtml = (await loginPage(bad, { authRequest: AUTH, state: 's1' })).body;
  assert.match(badHtml, /<p class="wordmark">DOME<\/p>/);
  assert.doesNotMatch(badHtml, /javascript:|red;\}/);
});

// ---------------------------------------------------------------------------------------------
// Status (polling)

test('status: 403 without the cookie, with a wrong secret, or for another state', async () => {
  const w = await world();
  const a = await startLogin(w, 'state-a');
  await startLogin(w, 'state-b');
  const status = (state: string, cookie?: string) =>
    w.app.inject({ url: `/api/login/status?state=${encodeURIComponent(state)}`, headers: cookie ? { cookie } : {} });

  const ok = await status('state-a', a.cookie);
  assert.equal(ok.statusCode, 200);

  for (const res of [
    await status('state-a'),
    await status('state-a', `${loginCookieName('state-a')}=${a.id}.${'x'.repeat(43)}`),
    await status('state-a', `${loginCookieName('state-a')}=${a.id}`),
    await status('state-b', a.cookie),
    await status('state-b', `${loginCookieName('state-b')}=${a.binding}`),
  ]) {
    assert.equal(res.statusCode, 403);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.deepEqual(res.json(), { error: 'access_denied', error_description: 'this login was not started in this browser' });
  }
  assert.equal((await w.app.inject({ url: '/api/login/status' })).statusCode, 400);
  // A stale cookie of the same name before the right one is tolerated.
  const several = await status('state-a', `${loginCookieName('state-a')}=stale.value; ${a.cookie}`);
  assert.equal(several.statusCode, 200);
});

test('status: pending, then complete with the redirect; failed; expired', async () => {
  const w = await world();
  const a = await startLogin(w, 's1');
  const get = async (state: string, cookie: string) => {
    const res = await w.app.inject({ url: `/api/login/status?state=${state}`, headers: { cookie } });
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['cache-control'], 'no-store');
    return res.json();
  };
  w.clock.advance(20_000);
  assert.deepEqual(await get('s1', a.cookie), { status: 'pending', expires_in: 100 });
  await w.logins.complete(a.id, REDIRECT);
  assert.deepEqual(await get('s1', a.cookie), { status: 'complete', redirect_to: REDIRECT, expires_in: 100 });

  const b = await startLogin(w, 's2');
  await w.logins.fail(b.id, 'the credential is revoked');
  assert.deepEqual(await get('s2', b.cookie), { status: 'failed', error: 'the credential is revoked', expires_in: 120 });

  const c = await startLogin(w, 's3');
  w.clock.advance(120_000);
  assert.deepEqual(await get('s3', c.cookie), { status: 'expired', expires_in: 0 });
});

// ---------------------------------------------------------------------------------------------
// Server-Sent Events over a real loopback connection

interface Stream {
  status: number;
  headers: http.IncomingHttpHeaders;
  text(): string;
  /** Resolves with the text once `pattern` appears (rejects after `ms`). */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
  /** Resolves with the whole text when the server ends the stream. */
  ended: Promise<string>;
  close(): void;
}

async function listen(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

function openStream(port: number, state: string, cookie?: string): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port, path: `/api/login/events?state=${encodeURIComponent(state)}`, headers: { accept: 'text/event-stream', ...(cookie ? { cookie } : {}) } },
      (res) => {
        res.setEncoding('utf8');
        let text = '';
        const waiters: { pattern: RegExp; resolve: (s: string) => void }[] = [];
        const ended = new Promise<string>((r) => res.on('end', () => r(text)));
        res.on('data', (chunk: string) => {
          text += chunk;
          for (const wt of [...waiters]) if (wt.pattern.test(text)) {
            waiters.splice(waiters.indexOf(wt), 1);
            wt.resolve(text);
          }
        });
        res.on('error', () => {});
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          text: () => text,
          ended,
          close: () => req.destroy(),
          waitFor: (pattern, ms = 2000) =>
            pattern.test(text)
              ? Promise.resolve(text)
              : new Promise((ok, ko) => {
                  const t = setTimeout(() => ko(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(text)}`)), ms);
                  waiters.push({ pattern, resolve: (s) => (clearTimeout(t), ok(s)) });
                }),
        });
      },
    );
    req.on('error', reject);
  });
}

test('events: 403 without the browser cookie, 400 without state', async () => {
  const w = await world();
  await startLogin(w, 's1');
  const port = await listen(w.app);
  const s = await openStream(port, 's1');
  assert.equal(s.status, 403);
  assert.deepEqual(JSON.parse(await s.ended), { error: 'access_denied', error_description: 'this login was not started in this browser' });
  const res = await w.app.inject({ url: '/api/login/events' });
  assert.equal(res.statusCode, 400);
});

test('events: pending → complete is delivered as a redirect event, then the stream ends and cleans up', async () => {
  const w = await world();
  const a = await startLogin(w, 's1');
  const port = await listen(w.app);
  const s = await openStream(port, 's1', a.cookie);
  assert.equal(s.status, 200);
  assert.match(String(s.headers['content-type']), /^text\/event-stream/);
  assert.equal(s.headers['cache-control'], 'no-store');
  assert.equal(s.headers['x-accel-buffering'], 'no');
  await s.waitFor(/event: pending\ndata: \{"expires_in":120\}\n\n/);
  assert.equal(w.activeSubscriptions(), 1);
  await w.logins.complete(a.id, REDIRECT);
  const text = await s.ended;
  assert.ok(text.endsWith(`event: redirect\ndata: ${REDIRECT}\n\n`), text);
  assert.equal(w.activeSubscriptions(), 0);
});

test('events: a login completed before the page subscribed is delivered at once', async () => {
  const w = await world();
  const a = await startLogin(w, 's1');
  await w.logins.complete(a.id, REDIRECT);
  const port = await listen(w.app);
  const s = await openStream(port, 's1', a.cookie);
  assert.equal(await s.ended, `event: redirect\ndata: ${REDIRECT}\n\n`);
  assert.equal(w.activeSubscriptions(), 0);
});

test('events: completion on another replica (shared store, no in-process signal) is found by polling', async () => {
  const w = await world();
  const a = await startLogin(w, 's1');
  const otherReplica = createLoginSessions(w.store, w.clock);
  const port = await listen(w.app);
  const s = await openStream(port, 's1', a.cookie);
  await s.waitFor(/event: pending/);
  await otherReplica.complete(a.id, REDIRECT);
  assert.match(await s.ended, /event: redirect\ndata: https:\/\/rp\.example\/cb\?code=abc/);
});

test('events: failed and expired end the stream', async () => {
  const w = await world();
  const port = await listen(w.app);

  const a = await startLogin(w, 's1');
  const failed = await openStream(port, 's1', a.cookie);
  await failed.waitFor(/event: pending/);
  await w.logins.fail(a.id, 'the credential is revoked');
  assert.match(await failed.ended, /event: failed\ndata: \{"error":"the credential is revoked"\}\n\n$/);

  const b = await startLogin(w, 's2');
  const expired = await openStream(port, 's2', b.cookie);
  await expired.waitFor(/event: pending/);
  w.clock.advance(120_001);
  assert.match(await expired.ended, /event: expired\ndata: \{\}\n\n$/);

  // Already expired when the page subscribes, and already failed.
  const c = await startLogin(w, 's3');
  const d = await startLogin(w, 's4');
  await w.logins.fail(d.id, 'no');
  w.clock.advance(121_000);
  assert.equal(await (await openStream(port, 's3', c.cookie)).ended, 'event: expired\ndata: {}\n\n');
  assert.equal(await (await openStream(port, 's4', d.cookie)).ended, 'event: failed\ndata: {"error":"no"}\n\n');
  assert.equal(w.activeSubscriptions(), 0);
});

test('events: heartbeat comments; client disconnect and server close release the stream', async () => {
  const w = await world({ heartbeatMs: 20 });
  const a = await startLogin(w, 's1');
  const port = await listen(w.app);
  const s = await openStream(port, 's1', a.cookie);
  await s.waitFor(/: ping\n\n: ping\n\n/);
  assert.equal(w.activeSubscriptions(), 1);
  s.close();
  for (let i = 0; i < 50 && w.activeSubscriptions() > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(w.activeSubscriptions(), 0);

  const again = await openStream(port, 's1', a.cookie);
  await again.waitFor(/event: pending/);
  const started = Date.now();
  await w.app.close();
  await again.ended;
  assert.ok(Date.now() - started < 1000, 'close() does not wait for open streams');
  assert.equal(w.activeSubscriptions(), 0);
});
