/**
 * Attack catalogue rows 29–44 (oauth-security.md §6.3) at /oidc/authorize and in the code
 * exchange: no redirect to unregistered URIs, errors redirected with state and iss once the
 * redirect_uri is known, request-object attacks, PKCE downgrade, code injection and expiry.
 * Every rejected authorization request leaves no login session behind.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { authorize, browserRedirect, codeForm, pkcePair, startLogin, walletAnswer } from '../../support/h2m.ts';
import { sign, unsigned } from '../../support/forge.ts';

const CB = 'https://rp.example/callback';
const ISS = 'https://verifier.test';

describe('authorization endpoint and code exchange under attack', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const other: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  let employee: string;
  before(async () => {
    w = await createWorld({
      clients: [
        trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [CB] }),
        trustedServiceEntry({ clientId: other.did, url: 'https://other.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: ['https://other.example/cb'] }),
        { ...trustedServiceEntry({ clientId: 'spa', url: 'https://spa.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: ['https://spa.example/cb'] }), clientAuthenticationMethods: ['none'], jwkSetUrl: null },
      ],
      env: { VERIFIER_BACKEND_OUTBOUND_TIMEOUTMS: '500' },
    });
    employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
  });
  after(() => w.close());

  const base = (extra: Record<string, string> = {}) => ({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 'xyz', ...extra });
  const expectErrorPage = async (params: Record<string, string>, re: RegExp) => {
    const before = w.storeSize();
    const res = await authorize(w, params);
    assert.equal(res.status, 400, res.location);
    assert.equal(res.location, undefined, 'no redirect');
    assert.match(res.body, re);
    assert.equal(w.storeSize(), before, 'nothing stored');
  };
  const expectErrorRedirect = async (params: Record<string, string>, error: string, re?: RegExp) => {
    const before = w.storeSize();
    const res = await authorize(w, params);
    assert.equal(res.status, 302);
    const loc = new URL(res.location!);
    assert.equal(`${loc.origin}${loc.pathname}`, CB);
    assert.equal(loc.searchParams.get('error'), error, res.location);
    assert.equal(loc.searchParams.get('state'), params.state);
    assert.equal(loc.searchParams.get('iss'), ISS);
    if (re) assert.match(loc.searchParams.get('error_description') ?? '', re);
    assert.equal(w.storeSize(), before, 'nothing stored');
  };

  test('row 29: a redirect_uri that differs from the registered one in any way gets an error page, never a redirect', async () => {
    for (const uri of [`${CB}/`, CB.toUpperCase(), `${CB}?x=1`, `${CB}#f`, 'https://rp.example@evil.example/callback', 'http://rp.example/callback', 'https://rp.example/cb/../callback', 'https://xn--rp-example.example/callback', 'https://evil.example/callback']) {
      await expectErrorPage(base({ redirect_uri: uri }), /redirect/i);
    }
    await expectErrorPage({ ...base(), redirect_uri: '' }, /ERR_AUTHZ_REDIRECT_URI/);
  });

  test('row 30: an unknown client with an attacker redirect_uri gets an error page, never a redirect', async () => {
    await expectErrorPage(base({ client_id: 'did:key:zDnaeUnknown', redirect_uri: 'https://evil.example/cb' }), /is not registered with this verifier.*ERR_AUTHZ_CLIENT_UNKNOWN/s);
    await expectErrorPage({ redirect_uri: 'https://evil.example/cb', response_type: 'code' }, /ERR_AUTHZ_CLIENT_UNKNOWN/);
  });

  test('row 30: a registered redirect_uri of another client is refused with an error page', async () => {
    await expectErrorPage(base({ redirect_uri: 'https://other.example/cb' }), /redirect/i);
  });

  test('row 44: response_type token or code id_token → unsupported_response_type, redirected with iss', async () => {
    for (const rt of ['token', 'code id_token', 'id_token']) await expectErrorRedirect(base({ response_type: rt }), 'unsupported_response_type');
  });

  test('a scope without learcredential, or with unsupported values, is invalid_scope', async () => {
    await expectErrorRedirect(base({ scope: 'openid' }), 'invalid_scope', /learcredential/);
    await expectErrorRedirect(base({ scope: 'openid learcredential admin' }), 'invalid_scope');
  });

  test('the DOME registry spelling openid_learcredential and profile/email are accepted', async () => {
    for (const scope of ['openid_learcredential', 'openid learcredential profile email']) {
      const res = await authorize(w, base({ scope }));
      assert.equal(res.status, 302);
      assert.equal(new URL(res.location!).pathname, '/login');
    }
  });

  test('row 43: a missing or 4 KB state is invalid_request; a 1 KB state is echoed intact', async () => {
    const res = await authorize(w, { ...base(), state: '' });
    assert.equal(res.status, 302);
    assert.equal(new URL(res.location!).searchParams.get('error'), 'invalid_request');
    await expectErrorRedirect(base({ state: 'x'.repeat(4096) }), 'invalid_request', /state must be at most/);
    const long = 's'.repeat(1024);
    const ok = await authorize(w, base({ state: long }));
    assert.equal(new URL(ok.location!).searchParams.get('state'), long);
  });

  test('row 34: PKCE plain is refused; a malformed challenge is refused', async () => {
    await expectErrorRedirect(base({ code_challenge: pkcePair().challenge, code_challenge_method: 'plain' }), 'invalid_request', /S256/);
    await expectErrorRedirect(base({ code_challenge: 'short', code_challenge_method: 'S256' }), 'invalid_request', /43 characters/);
  });

  test('row 42: duplicate parameters get an error page', async () => {
    const before = w.storeSize();
    const res = await w.app.inject({ method: 'GET', url: `/oidc/authorize?${new URLSearchParams(base()).toString()}&scope=openid` });
    assert.equal(res.statusCode, 400);
    assert.equal(res.headers.location, undefined);
    assert.match(res.body, /ERR_REQUEST_DUPLICATE_PARAMETER/);
    assert.equal(w.storeSize(), before);
  });

  test('the error page is HTML in the requested language with a safe CSP', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/oidc/authorize?client_id=nope', headers: { 'accept-language': 'es-ES,es;q=0.9' } });
    assert.equal(res.statusCode, 400);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.match(res.body, /<html lang="es"/);
    assert.match(res.headers['content-security-policy'] as string, /default-src 'none'/);
  });

  const requestObject = (claims: Record<string, unknown>, key = rp.privateKey, header: Record<string, unknown> = { alg: 'ES256', kid: rp.did, typ: 'oauth-authz-req+jwt' }) => {
    const now = Math.floor(w.clock.now() / 1000);
    return sign(header, { iss: rp.did, aud: ISS, client_id: rp.did, response_type: 'code', redirect_uri: CB, scope: 'openid learcredential', state: 'inner-state', nonce: 'inner-nonce', iat: now, exp: now + 300, ...claims }, key);
  };
  const jar = (request: string, extra: Record<string, string> = {}) => ({ client_id: rp.did, response_type: 'code', request, redirect_uri: CB, state: 'outer', ...extra });

  test('a valid signed request object by value is accepted and its parameters win over the outer ones', async () => {
    const login = await startLogin(w, jar(requestObject({})));
    assert.equal(login.state, 'inner-state');
  });

  test('row 36: unsigned, alg none, wrong audience, missing exp, over-long lifetime and another client key are invalid_request_object', async () => {
    const now = Math.floor(w.clock.now() / 1000);
    const cases: Array<[string, RegExp]> = [
      [unsigned({ alg: 'none' }, { client_id: rp.did, redirect_uri: CB, scope: 'openid learcredential', state: 's' }, 'AAAA'), /not a signed JWT/],
      [requestObject({ aud: 'https://other-as.example' }), /aud/],
      [requestObject({ aud: undefined }), /has no aud/],
      [requestObject({ exp: undefined }), /has no exp/],
      [requestObject({ iat: now, exp: now + 7200 }), /60 minutes/],
      [requestObject({ exp: now - 120 }), /expired/],
      [requestObject({}, other.privateKey), /signature does not verify/],
      [requestObject({ request_uri: 'https://rp.example/r' }), /must not contain/],
      [requestObject({ client_id: other.did }), /client_id differs/],
      [requestObject({ iss: other.did }), /iss is not the client/],
      [requestObject({}, rp.privateKey, { alg: 'ES256', kid: rp.did, typ: 'at+jwt' }), /typ/],
    ];
    for (const [request, re] of cases) await expectErrorRedirect(jar(request), 'invalid_request_object', re);
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectErrorRedirect(jar(sign({ alg: 'RS256', kid: rp.did }, { client_id: rp.did, redirect_uri: CB, scope: 'openid learcredential', state: 's', exp: now + 60, aud: ISS }, privateKey)), 'invalid_request_object');
  });

  test('row 37: inner redirect_uri wins: an inner unregistered redirect_uri is refused with an error page', async () => {
    const res = await authorize(w, jar(requestObject({ redirect_uri: 'https://evil.example/cb' }), { redirect_uri: CB }));
    assert.equal(res.status, 400);
    assert.equal(res.location, undefined);
  });

  test('row 38: request_uri pointing at internal, non-https or special addresses is never fetched: invalid_request_uri', async () => {
    for (const uri of ['http://169.254.169.254/latest/meta-data', 'http://localhost/r', 'https://10.0.0.1/r', 'https://[::ffff:127.0.0.1]/r', 'https://2130706433/r', 'file:///etc/passwd', 'gopher://127.0.0.1/x']) {
      await expectErrorRedirect({ client_id: rp.did, response_type: 'code', request_uri: uri, redirect_uri: CB, state: 's', scope: 'openid learcredential' }, 'invalid_request_uri');
    }
  });

  test('row 31/32/33: a code is bound to its client and redirect_uri, and expires after 60 s', async () => {
    const fresh = async () => {
      const login = await startLogin(w, base({ state: crypto.randomUUID() }));
      assert.equal((await walletAnswer(w, login, user, employee)).status, 200);
      return new URL((await browserRedirect(w, login))!).searchParams.get('code')!;
    };
    const c1 = await fresh();
    const injected = await w.post(codeForm(other, c1, CB, w));
    assert.equal(injected.status, 400);
    assert.equal(injected.json.error, 'invalid_grant');
    assert.match(String(injected.json.error_description), /another client/);

    const c2 = await fresh();
    const wrongUri = await w.post(codeForm(rp, c2, 'https://rp.example/other', w));
    assert.equal(wrongUri.json.error, 'invalid_grant');
    const noUri = await w.post(codeForm(rp, await fresh(), '', w));
    assert.equal(noUri.json.error, 'invalid_grant');

    const c3 = await fresh();
    w.clock.advance(61_000);
    const expired = await w.post(codeForm(rp, c3, CB, w));
    assert.equal(expired.json.error, 'invalid_grant');
    assert.match(String(expired.json.error_description), /expired/);
    const unknown = await w.post(codeForm(rp, 'x'.repeat(43), CB, w));
    assert.equal(unknown.json.error, 'invalid_grant');
  });

  test('row 34: a code_verifier without a registered challenge is refused (downgrade); a challenge without verifier too', async () => {
    const start = async (extra: Record<string, string> = {}) => {
      const login = await startLogin(w, base({ state: crypto.randomUUID(), ...extra }));
      await walletAnswer(w, login, user, employee);
      return new URL((await browserRedirect(w, login))!).searchParams.get('code')!;
    };
    const res = await w.post(codeForm(rp, await start(), CB, w, { code_verifier: pkcePair().verifier }));
    assert.equal(res.json.error, 'invalid_grant');
    assert.match(String(res.json.error_description), /no code_challenge/);
    const { challenge } = pkcePair();
    const res2 = await w.post(codeForm(rp, await start({ code_challenge: challenge, code_challenge_method: 'S256' }), CB, w));
    assert.equal(res2.json.error, 'invalid_grant');
    assert.match(String(res2.json.error_description), /code_verifier is required/);
  });

  test('row 35: every authorization response carries iss', async () => {
    const login = await startLogin(w, base({ state: 'iss-check' }));
    await walletAnswer(w, login, user, employee);
    assert.equal(new URL((await browserRedirect(w, login))!).searchParams.get('iss'), ISS);
  });

  test('a public client must use PKCE', async () => {
    const res = await authorize(w, { client_id: 'spa', redirect_uri: 'https://spa.example/cb', response_type: 'code', scope: 'openid learcredential', state: 's1' });
    const loc = new URL(res.location!);
    assert.equal(loc.searchParams.get('error'), 'invalid_request');
    assert.match(loc.searchParams.get('error_description') ?? '', /must use PKCE/);
  });

  test('a confidential client cannot redeem a code without client authentication', async () => {
    const login = await startLogin(w, base({ state: crypto.randomUUID() }));
    await walletAnswer(w, login, user, employee);
    const code = new URL((await browserRedirect(w, login))!).searchParams.get('code')!;
    const res = await w.post(codeForm(rp.did, code, CB, w));
    assert.equal(res.status, 401);
    assert.equal(res.json.error, 'invalid_client');
  });
});
