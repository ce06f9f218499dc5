/**
 * A trust service outage during the wallet leg fails closed (503, no code) without ending the
 * login: once the Trusted Issuers List answers again, the wallet can post the same session.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, startLogin } from '../../support/h2m.ts';

const CB = 'https://rp.example/callback';

describe('wallet leg during a trust-service outage', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({ tilOverHttp: true, clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })] });
  });
  after(() => w.close());

  test('a 503 while the TIL is down leaves the login pending; the retried answer then completes it', async () => {
    const employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
    const login = await startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 'outage' });
    const ro = await w.app.inject({ method: 'GET', url: login.requestPath });
    const claims = JSON.parse(Buffer.from(ro.body.split('.')[1]!, 'base64url').toString()) as { state: string; nonce: string };
    const { createVpJwt } = await import('@dome-verifier/client');
    const post = async () => {
      const vp = await createVpJwt({ credentials: [employee], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: claims.nonce, now: () => w.clock.now() });
      return w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state: claims.state, vp_token: Buffer.from(vp).toString('base64url') }).toString() });
    };
    w.setTil('error');
    const down = await post();
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().error, 'temporarily_unavailable');
    assert.equal(await browserRedirect(w, login), undefined, 'no code while the TIL is down');
    w.setTil('ok');
    const retried = await post();
    assert.equal(retried.statusCode, 200, retried.body);
    assert.match((await browserRedirect(w, login))!, /code=/);
  });
});
