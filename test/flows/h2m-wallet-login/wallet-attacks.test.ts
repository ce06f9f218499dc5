/**
 * Attack catalogue rows 45–50 (oauth-security.md §6.4) on the wallet leg: replayed nonces,
 * foreign audiences, unknown or reused state, expired sessions, a holder other than the
 * credential subject, and session fixation (only the starting browser learns the code).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, startLogin, walletAnswer } from '../../support/h2m.ts';

const CB = 'https://rp.example/callback';

describe('wallet leg under attack', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  const mallory: MachineClient = newMachine();
  let employee: string;
  before(async () => {
    w = await createWorld({ clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })] });
    employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
  });
  after(() => w.close());

  const start = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: crypto.randomUUID() });

  test('row 45: a presentation carrying the nonce of another session is refused and the login fails', async () => {
    const a = await start();
    const b = await start();
    const ro = await w.app.inject({ method: 'GET', url: a.requestPath });
    const aNonce = JSON.parse(Buffer.from(ro.body.split('.')[1]!, 'base64url').toString()).nonce as string;
    const res = await walletAnswer(w, b, user, employee, { nonce: aNonce });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'invalid_request');
    assert.match(String(res.json.error_description), /nonce does not match/);
    assert.equal(await browserRedirect(w, b), undefined, 'no code for the browser');
  });

  test('row 46: a presentation addressed to another verifier is refused', async () => {
    const res = await walletAnswer(w, await start(), user, employee, { aud: 'https://other-verifier.example' });
    assert.equal(res.status, 400);
    assert.match(String(res.json.error_description), /addressed to another verifier/);
  });

  test('the presentation audience may be the verifier did:key or URL as well as https://self-issued.me/v2', async () => {
    for (const aud of [w.runtime.identity.did, 'https://verifier.test']) {
      const res = await walletAnswer(w, await start(), user, employee, { aud });
      assert.equal(res.status, 200, JSON.stringify(res.json));
    }
  });

  test('row 48: an unknown state is refused; a second post for the same session is refused', async () => {
    const unknown = await walletAnswer(w, await start(), user, employee, { state: 'A'.repeat(43) });
    assert.equal(unknown.status, 400);
    assert.match(String(unknown.json.error_description), /no login session/);
    const login = await start();
    assert.equal((await walletAnswer(w, login, user, employee)).status, 200);
    const again = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state: 'x', vp_token: 'y' }).toString() });
    assert.equal(again.statusCode, 400);
  });

  test('row 48: posting twice to one session is refused the second time', async () => {
    const login = await start();
    const first = await walletAnswer(w, login, user, employee);
    assert.equal(first.status, 200);
    const vp = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state: String(first.requestObject.state), vp_token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA' }).toString() });
    assert.equal(vp.statusCode, 400);
    assert.match(vp.json().error_description, /already answered/);
  });

  test('an expired session (120 s) is refused', async () => {
    const login = await start();
    const ro = await w.app.inject({ method: 'GET', url: login.requestPath });
    const state = JSON.parse(Buffer.from(ro.body.split('.')[1]!, 'base64url').toString()).state as string;
    w.clock.advance(121_000);
    try {
      const res = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state, vp_token: 'eyJhbGciOiJFUzI1NiJ9.e30.AAAA' }).toString() });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().error_description, /expired/);
    } finally {
      w.clock.advance(-121_000);
    }
  });

  test('row 50: a presentation by a holder other than the credential subject is refused', async () => {
    const res = await walletAnswer(w, await start(), mallory, employee);
    assert.equal(res.status, 400);
    assert.match(String(res.json.error_description), /signed by another key than the credential holder/);
  });

  test('a LEARCredentialMachine is refused at the wallet endpoint', async () => {
    const machineVc = w.issue({ holder: user });
    const res = await walletAnswer(w, await start(), user, machineVc);
    assert.equal(res.status, 400);
    assert.match(String(res.json.error_description), /expected LEARCredentialEmployee/);
  });

  test('row 49: only the browser holding the login cookie learns the code; knowing the RP state is not enough', async () => {
    const login = await start();
    await walletAnswer(w, login, user, employee);
    const mine = await w.app.inject({ method: 'GET', url: `/api/login/status?state=${encodeURIComponent(login.state)}`, headers: { cookie: login.cookiePair } });
    assert.equal(mine.statusCode, 200);
    assert.match(mine.json().redirect_to, /code=/);
    const stranger = await w.app.inject({ method: 'GET', url: `/api/login/status?state=${encodeURIComponent(login.state)}` });
    assert.equal(stranger.statusCode, 403);
    const forged = await w.app.inject({ method: 'GET', url: `/api/login/status?state=${encodeURIComponent(login.state)}`, headers: { cookie: login.cookiePair.replace(/\.[^.]+$/, '.forged') } });
    assert.equal(forged.statusCode, 403);
  });

  test('the request object is one-shot and unknown ids are 404', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/oid4vp/auth-request/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'invalid_request_uri');
  });
});
