/** Token endpoint request rules: content type, body cap, duplicate parameters, grant types, no 5xx on junk. */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

describe('token endpoint request shape', () => {
  let w: World;
  before(async () => {
    w = await createWorld();
  });
  after(() => w.close());

  test('a body that is not application/x-www-form-urlencoded is invalid_request', async () => {
    const { body } = await w.tokenRequest();
    for (const type of ['application/json', 'text/plain', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencodedx']) {
      await expectRejected(w, w.post(body, { 'content-type': type }), 400, 'invalid_request', /application\/x-www-form-urlencoded/);
    }
    const res = await w.app.inject({ method: 'POST', url: '/oidc/token', payload: body.toString() });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error, 'invalid_request');
  });

  test('the form content type with a charset parameter is accepted', async () => {
    const { body } = await w.tokenRequest();
    const res = await w.post(body, { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('a body above 64 KiB is refused with 413 invalid_request', async () => {
    await expectRejected(w, w.post(`grant_type=client_credentials&pad=${'x'.repeat(66_000)}`), 413, 'invalid_request', /64 KiB/);
  });

  test('row 42: a parameter sent twice is invalid_request', async () => {
    const { body } = await w.tokenRequest();
    await expectRejected(w, w.post(`${body.toString()}&grant_type=client_credentials`), 400, 'invalid_request', /grant_type must not be sent more than once/);
    await expectRejected(w, w.post(`${body.toString()}&client_assertion=x`), 400, 'invalid_request', /client_assertion must not be sent more than once/);
  });

  test('a missing grant_type is invalid_request; unknown grants are unsupported_grant_type', async () => {
    await expectRejected(w, w.post('client_id=x'), 400, 'invalid_request', /grant_type is required/);
    for (const g of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:device_code', 'urn:ietf:params:oauth:grant-type:token-exchange', 'vp_token']) {
      await expectRejected(w, w.post(new URLSearchParams({ grant_type: g })), 400, 'unsupported_grant_type', /not supported/);
    }
  });

  test('unknown parameters are ignored', async () => {
    const { body } = await w.tokenRequest();
    body.set('x_unknown', '1');
    body.set('presentation_submission', '{}');
    assert.equal((await w.post(body)).status, 200);
  });

  test('junk bodies never produce a 5xx', async () => {
    const junk = ['', '&&&', '%', '%zz=1', 'grant_type=%E0%A4%A', '=', 'a=b=c', '\u0000', 'grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=%FF%FE'];
    for (const body of junk) {
      const res = await w.post(body);
      assert.ok(res.status >= 400 && res.status < 500, `${JSON.stringify(body)} → ${res.status}`);
      assert.equal(typeof res.json.error, 'string');
    }
  });

  test('GET on the token endpoint is not found, as JSON', async () => {
    const res = await w.app.inject({ method: 'GET', url: '/oidc/token' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error, 'not_found');
  });
});
