/**
 * Attack catalogue rows 16–22 (oauth-security.md §6.2) and the RFC 7523 / OIDC Core §9 claim
 * rules: replay, missing claims, audience, time window with skew, client_id binding, and one
 * authentication method per request.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, ISSUER, machineClientEntry, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { assertionClaims, sign, tokenForm } from '../../support/forge.ts';
import { expectRejected } from '../../support/expect.ts';

describe('client authentication with a JWT client assertion', () => {
  let w: World;
  let vpJwt: string;
  const second: MachineClient = newMachine();
  const basicOnly: MachineClient = newMachine();
  const noGrant: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({
      clients: [
        machineClientEntry(second.did),
        machineClientEntry(basicOnly.did, { clientAuthenticationMethods: ['client_secret_basic'] }),
        machineClientEntry(noGrant.did, { authorizationGrantTypes: ['authorization_code'] }),
      ],
    });
    vpJwt = (await w.tokenRequest()).vpJwt;
  });
  after(() => w.close());

  const now = () => Math.floor(w.clock.now() / 1000);
  const assertion = (extra: Record<string, unknown> = {}, who: MachineClient = w.machine, vp = vpJwt) =>
    sign({ alg: 'ES256', kid: who.did }, assertionClaims(who.did, vp, w.clock.now(), extra), who.privateKey);

  test('row 16: a replayed client assertion (same jti) is refused', async () => {
    const a = assertion();
    assert.equal((await w.post(tokenForm(w.machine.did, a))).status, 200);
    await expectRejected(w, w.post(tokenForm(w.machine.did, a)), 401, 'invalid_client', /already used/);
  });

  test('row 16: of concurrent submissions of one assertion exactly one succeeds', async () => {
    const a = assertion();
    const results = await Promise.all(Array.from({ length: 8 }, () => w.post(tokenForm(w.machine.did, a))));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    for (const r of results.filter((x) => x.status !== 200)) assert.equal(r.json.error, 'invalid_client');
  });

  test('row 16: a rejected request does not burn the jti; the same assertion then succeeds once fixed', async () => {
    const jti = crypto.randomUUID();
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ jti }), { scope: 'admin' })), 400, 'invalid_scope', /machine learcredential/);
    assert.equal((await w.post(tokenForm(w.machine.did, assertion({ jti })))).status, 200);
  });

  test('row 17: the same jti from a different client is accepted (replay key includes iss)', async () => {
    const jti = crypto.randomUUID();
    assert.equal((await w.post(tokenForm(w.machine.did, assertion({ jti })))).status, 200);
    const secondVp = (await w.tokenRequest({ holder: second })).vpJwt;
    const res = await w.post(tokenForm(second.did, assertion({ jti }, second, secondVp)));
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('row 18: an assertion missing jti, exp, iss, sub, aud or vp_token is refused', async () => {
    for (const claim of ['jti', 'exp', 'iss', 'sub', 'aud']) {
      const c = assertionClaims(w.machine.did, vpJwt, w.clock.now());
      delete c[claim];
      await expectRejected(w, w.post(tokenForm(w.machine.did, sign({ alg: 'ES256', kid: w.machine.did }, c, w.machine.privateKey))), 401, 'invalid_client', new RegExp(`has no ${claim}`));
    }
    const c = assertionClaims(w.machine.did, vpJwt, w.clock.now());
    delete c.vp_token;
    await expectRejected(w, w.post(tokenForm(w.machine.did, sign({ alg: 'ES256', kid: w.machine.did }, c, w.machine.privateKey))), 401, 'invalid_client', /has no vp_token/);
  });

  test('row 19: an audience that is not this server is refused, also inside an array', async () => {
    for (const aud of ['https://rs.example', 'https://other-as.example', `${ISSUER}/oidc/par`, `${ISSUER}/token`, [ISSUER, 'https://attacker.example'], []]) {
      await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ aud }))), 401, 'invalid_client', /aud/);
    }
  });

  test('row 19: the issuer URL, with or without trailing slash, the token endpoint, and an array of them are accepted', async () => {
    for (const aud of [ISSUER, `${ISSUER}/`, `${ISSUER}/oidc/token`, [ISSUER, `${ISSUER}/oidc/token`]]) {
      const res = await w.post(tokenForm(w.machine.did, assertion({ aud })));
      assert.equal(res.status, 200, `${JSON.stringify(aud)}: ${JSON.stringify(res.json)}`);
    }
  });

  test('row 20: expired, not-yet-valid, future-issued and over-long assertions are refused', async () => {
    const t = now();
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ exp: t - 61 }))), 401, 'invalid_client', /expired/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ nbf: t + 61 }))), 401, 'invalid_client', /not yet valid/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ iat: t + 61 }))), 401, 'invalid_client', /iat lies in the future/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ exp: t + 365 * 86400 }))), 401, 'invalid_client', /at most 300 s ahead/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ exp: (t + 365 * 86400) * 1000 }))), 401, 'invalid_client', /at most 300 s ahead/);
  });

  test('row 21: nbf/iat 8–10 s in the future and exp within the 60 s skew are accepted', async () => {
    const t = now();
    for (const extra of [{ nbf: t + 8 }, { iat: t + 10 }, { exp: t - 30 }]) {
      const res = await w.post(tokenForm(w.machine.did, assertion(extra)));
      assert.equal(res.status, 200, `${JSON.stringify(extra)}: ${JSON.stringify(res.json)}`);
    }
  });

  test('row 22: client_id differing from the assertion iss is refused', async () => {
    await expectRejected(w, w.post(tokenForm(second.did, assertion())), 401, 'invalid_client', /client_id differs/);
  });

  test('row 22: iss or sub other than the client is refused', async () => {
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion({ sub: second.did }))), 401, 'invalid_client', /iss and sub must equal the client_id/);
  });

  test('row 22: two authentication methods at once (Basic and assertion) are refused', async () => {
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion()), { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }), 400, 'invalid_request', /exactly one client authentication method/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion(), { client_secret: 's' })), 400, 'invalid_request', /exactly one/);
  });

  test('an unknown client, a missing assertion, and a wrong assertion type are invalid_client', async () => {
    const stranger = newMachine();
    await expectRejected(w, w.post(tokenForm(stranger.did, assertion({}, stranger))), 401, 'invalid_client', /unknown client/);
    await expectRejected(w, w.post(new URLSearchParams({ grant_type: 'client_credentials', client_id: w.machine.did })), 401, 'invalid_client', /client authentication is required/);
    await expectRejected(w, w.post(tokenForm(w.machine.did, assertion(), { client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' })), 401, 'invalid_client', /client_assertion_type must be/);
  });

  test('a client registered only for client_secret_basic cannot authenticate with an assertion', async () => {
    await expectRejected(w, w.post(tokenForm(basicOnly.did, assertion({}, basicOnly))), 401, 'invalid_client', /not registered for JWT client authentication/);
  });

  test('a client not registered for client_credentials gets unauthorized_client', async () => {
    const vp = (await w.tokenRequest({ holder: noGrant })).vpJwt;
    await expectRejected(w, w.post(tokenForm(noGrant.did, assertion({}, noGrant, vp))), 400, 'unauthorized_client', /not registered for client_credentials/);
  });

  test('an assertion signed by another key than the client did:key is refused', async () => {
    const forged = sign({ alg: 'ES256', kid: w.machine.did }, assertionClaims(w.machine.did, vpJwt, w.clock.now()), second.privateKey);
    await expectRejected(w, w.post(tokenForm(w.machine.did, forged)), 401, 'invalid_client', /signature does not verify/);
  });

  test('without client_id in the body, the assertion iss names the client', async () => {
    const res = await w.post(tokenForm(undefined, assertion()));
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
});
