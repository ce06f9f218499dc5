/**
 * RFC 7009 revocation (`POST /oidc/revoke`) and RFC 7662 introspection (`POST /oidc/introspect`)
 * over the real app: client-authenticated as at the token endpoint; reuse detection and
 * revocation make the access tokens already issued inactive; M2M issuance stays stateless unless
 * `recordMachineTokens` is on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { decodePart, ISSUER, machineClientEntry, newMachine, type MachineClient, type World } from '../support/world.ts';
import { clientAssertion, pkcePair } from '../support/h2m.ts';
import { createRpWorld, rpClientEntry, type RpWorld } from '../support/h2m-session.ts';
import { failingWrites } from '../support/store-faults.ts';
import { createMemoryStore } from '@dome-verifier/core';

const SPA_CALLBACK = 'https://spa.example/cb';
type Caller = MachineClient | string | undefined;
interface Answer {
  status: number;
  json: Record<string, unknown>;
  body: string;
  headers: Record<string, unknown>;
}

/** POSTs a form to `path`, authenticated as `caller`: a did:key client signs an assertion, a string is a public client id, undefined sends no client credentials. */
async function call(w: World, path: '/oidc/revoke' | '/oidc/introspect', caller: Caller, params: Record<string, string>, headers: Record<string, string> = {}): Promise<Answer> {
  const form = new URLSearchParams(params);
  if (typeof caller === 'string') form.set('client_id', caller);
  else if (caller) {
    form.set('client_id', caller.did);
    form.set('client_assertion_type', 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    form.set('client_assertion', clientAssertion(w, caller));
  }
  const res = await w.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload: form.toString() });
  let json: Record<string, unknown> = {};
  try {
    json = res.json();
  } catch {
    json = {};
  }
  return { status: res.statusCode, json, body: res.body, headers: res.headers };
}

const revoke = (w: World, caller: Caller, token: string, extra: Record<string, string> = {}) => call(w, '/oidc/revoke', caller, { token, ...extra });
const introspect = (w: World, caller: Caller, token: string, extra: Record<string, string> = {}) => call(w, '/oidc/introspect', caller, { token, ...extra });

function revoked(res: Answer): void {
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.equal(res.body, '', 'RFC 7009 §2.2: an empty 200');
  assert.equal(res.headers['cache-control'], 'no-store');
}

function inactive(res: Answer, why: string): void {
  assert.equal(res.status, 200, JSON.stringify(res.json));
  assert.deepEqual(res.json, { active: false }, why);
  assert.equal(res.headers['cache-control'], 'no-store');
}

describe('revocation and introspection', () => {
  let s: RpWorld;
  let w: World;
  const rs = newMachine(); // a resource server, registered as a client
  const other = newMachine(); // another relying party
  before(async () => {
    s = await createRpWorld({
      clients: [
        machineClientEntry(rs.did),
        rpClientEntry(other),
        { ...trustedServiceEntry({ clientId: 'spa-client', url: 'https://spa.example', issuerUrl: ISSUER, grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [SPA_CALLBACK] }), clientAuthenticationMethods: ['none'], requireProofKey: true, jwkSetUrl: null },
      ],
    });
    w = s.w;
  });
  after(() => w.close());

  const machineToken = async () => {
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return String(res.json.access_token);
  };

  describe('introspection', () => {
    test('an H2M access token is active for a resource server, with its claims and without the credential', async () => {
      const tokens = await s.session();
      const at = String(tokens.access_token);
      const claims = decodePart(at);
      const res = await introspect(w, rs, at);
      assert.equal(res.status, 200);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.match(String(res.headers['content-type']), /^application\/json/);
      assert.deepEqual(res.json, { active: true, scope: 'openid learcredential', client_id: s.rp.did, sub: s.user.did, exp: claims.exp, iat: claims.iat, iss: ISSUER, aud: s.rp.did, jti: claims.jti, token_type: 'Bearer' });
    });

    test('an M2M access token is active, issued to the machine client, and M2M issuance wrote nothing but the assertion jti', async () => {
      const size = w.storeSize();
      const at = await machineToken();
      assert.equal(w.storeSize(), size + 1, 'the M2M hot path stores only its assertion jti (recordMachineTokens is off)');
      const claims = decodePart(at);
      const res = await introspect(w, rs, at);
      assert.deepEqual(res.json, { active: true, scope: 'machine learcredential', client_id: w.machine.did, sub: w.machine.did, exp: claims.exp, iat: claims.iat, iss: ISSUER, aud: ISSUER, jti: claims.jti, token_type: 'Bearer' });
    });

    test('a refresh token is described to the client it was issued to only', async () => {
      const tokens = await s.session();
      const rt = String(tokens.refresh_token);
      const own = await introspect(w, s.rp, rt, { token_type_hint: 'refresh_token' });
      assert.equal(own.json.active, true);
      assert.equal(own.json.client_id, s.rp.did);
      assert.equal(own.json.sub, s.user.did);
      assert.equal(own.json.token_type, 'refresh_token');
      assert.equal(own.json.vc, undefined);
      inactive(await introspect(w, rs, rt), 'a resource server learns nothing about refresh tokens');
      inactive(await introspect(w, other, rt), 'another client learns nothing about refresh tokens');
      assert.equal((await w.post(s.refreshForm(rt))).status, 200, 'introspection does not use the refresh token up');
      inactive(await introspect(w, s.rp, rt), 'a rotated refresh token is inactive');
    });

    test('unknown, foreign, malformed and ID tokens are inactive (never an error); a wrong hint does not matter', async () => {
      const tokens = await s.session();
      const forged = `${String(tokens.access_token).slice(0, -4)}AAAA`;
      const foreign = clientAssertion(w, rs); // a JWT signed by someone else
      for (const [token, why] of [['x'.repeat(43), 'an unknown refresh token'], ['not a token', 'garbage'], [forged, 'a bad signature'], [foreign, 'not signed by the verifier'], [String(tokens.id_token), 'an ID token']] as const) {
        inactive(await introspect(w, rs, token), why);
      }
      assert.equal((await introspect(w, rs, String(tokens.access_token), { token_type_hint: 'refresh_token' })).json.active, true);
      assert.equal((await introspect(w, rs, String(tokens.access_token), { token_type_hint: 'urn:example:unknown' })).json.active, true, 'RFC 7662: an unknown hint is ignored');
    });

    test('after a code is redeemed twice, the access token of the first redemption is inactive', async () => {
      const code = await s.loginCode();
      const first = await w.post(s.codeForm(code));
      assert.equal(first.status, 200);
      assert.equal((await introspect(w, rs, String(first.json.access_token))).json.active, true);
      const second = await w.post(s.codeForm(code));
      assert.equal(second.json.error, 'invalid_grant');
      inactive(await introspect(w, rs, String(first.json.access_token)), 'code reuse revokes the access token already issued');
    });

    test('after a refresh token is replayed, every access token of the login is inactive', async () => {
      const tokens = await s.session();
      const rotated = await w.post(s.refreshForm(String(tokens.refresh_token)));
      assert.equal(rotated.status, 200);
      const replay = await w.post(s.refreshForm(String(tokens.refresh_token)));
      assert.equal(replay.json.error, 'invalid_grant');
      inactive(await introspect(w, rs, String(tokens.access_token)), 'the first access token');
      inactive(await introspect(w, rs, String(rotated.json.access_token)), 'the access token of the rotation');
    });
  });

  describe('revocation', () => {
    test('revoking a refresh token revokes the login: the refresh token is refused and its access tokens are inactive', async () => {
      const tokens = await s.session();
      const rotated = await w.post(s.refreshForm(String(tokens.refresh_token)));
      revoked(await revoke(w, s.rp, String(rotated.json.refresh_token), { token_type_hint: 'refresh_token' }));
      const refresh = await w.post(s.refreshForm(String(rotated.json.refresh_token)));
      assert.equal(refresh.status, 400);
      assert.equal(refresh.json.error, 'invalid_grant');
      inactive(await introspect(w, rs, String(tokens.access_token)), 'the first access token');
      inactive(await introspect(w, rs, String(rotated.json.access_token)), 'the latest access token');
    });

    test('revoking an access token makes it inactive and leaves the rest of the login alone', async () => {
      const tokens = await s.session();
      revoked(await revoke(w, s.rp, String(tokens.access_token)));
      inactive(await introspect(w, rs, String(tokens.access_token)), 'the revoked access token');
      const refresh = await w.post(s.refreshForm(String(tokens.refresh_token)));
      assert.equal(refresh.status, 200, 'its refresh token still works');
      assert.equal((await introspect(w, rs, String(refresh.json.access_token))).json.active, true);
    });

    test('an M2M access token is revoked by its machine client (no record needed)', async () => {
      const at = await machineToken();
      revoked(await revoke(w, w.machine, at, { token_type_hint: 'access_token' }));
      inactive(await introspect(w, rs, at), 'the revoked M2M token');
    });

    test('a token revoked by a client it was not issued to is answered 200 and keeps working (RFC 7009 §2.1)', async () => {
      const tokens = await s.session();
      const at = await machineToken();
      for (const token of [String(tokens.access_token), String(tokens.refresh_token), at]) {
        const size = w.storeSize();
        revoked(await revoke(w, other, token));
        assert.equal(w.storeSize(), size + 1, 'only the caller assertion jti was stored');
      }
      assert.equal((await introspect(w, rs, String(tokens.access_token))).json.active, true);
      assert.equal((await introspect(w, rs, at)).json.active, true);
      assert.equal((await w.post(s.refreshForm(String(tokens.refresh_token)))).status, 200);
    });

    test('unknown and malformed tokens are answered 200 without effect', async () => {
      for (const token of ['x'.repeat(43), 'not a token', 'a.b.c']) {
        const size = w.storeSize();
        revoked(await revoke(w, s.rp, token));
        assert.equal(w.storeSize(), size + 1, 'only the caller assertion jti was stored');
      }
    });

    test('a public client revokes its own refresh token with its client_id', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await s.loginCode(w, { client_id: 'spa-client', redirect_uri: SPA_CALLBACK, code_challenge: challenge, code_challenge_method: 'S256' });
      const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: SPA_CALLBACK, code_verifier: verifier, client_id: 'spa-client' });
      const tokens = await w.post(form);
      assert.equal(tokens.status, 200, JSON.stringify(tokens.json));
      revoked(await revoke(w, 'spa-client', String(tokens.json.refresh_token)));
      inactive(await introspect(w, rs, String(tokens.json.access_token)), 'the SPA session is revoked');
    });
  });

  describe('refused requests', () => {
    /** Exact status and error, no-store, nothing stored (the assertion jti is released). */
    async function refused(pending: Promise<Answer>, status: number, error: string, description: RegExp): Promise<void> {
      const size = w.storeSize();
      const res = await pending;
      assert.equal(res.status, status, JSON.stringify(res.json));
      assert.equal(res.json.error, error);
      assert.match(String(res.json.error_description), description);
      assert.equal(res.json.active, undefined);
      assert.equal(res.headers['cache-control'], 'no-store');
      assert.equal(w.storeSize(), size, 'a refused request leaves nothing in the store');
    }

    test('a missing token is 400 invalid_request at both endpoints', async () => {
      await refused(call(w, '/oidc/revoke', s.rp, {}), 400, 'invalid_request', /^token is required$/);
      await refused(call(w, '/oidc/introspect', rs, { token: '' }), 400, 'invalid_request', /^token is required$/);
    });

    test('no client authentication is 401 invalid_client at both endpoints', async () => {
      const tokens = await s.session();
      await refused(revoke(w, undefined, String(tokens.refresh_token)), 401, 'invalid_client', /.+/);
      await refused(introspect(w, undefined, String(tokens.access_token)), 401, 'invalid_client', /.+/);
      assert.equal((await w.post(s.refreshForm(String(tokens.refresh_token)))).status, 200, 'nothing was revoked');
    });

    test('introspection by a public client is 401 invalid_client', async () => {
      const tokens = await s.session();
      await refused(introspect(w, 'spa-client', String(tokens.access_token)), 401, 'invalid_client', /^introspection requires client authentication/);
    });

    test('a badly signed, replayed or unknown client assertion is 401 invalid_client', async () => {
      const tokens = await s.session();
      const unknown = newMachine();
      await refused(revoke(w, unknown, String(tokens.refresh_token)), 401, 'invalid_client', /unknown client/);
      await refused(introspect(w, { ...rs, privateKey: unknown.privateKey }, String(tokens.access_token)), 401, 'invalid_client', /signature/);
      const form = new URLSearchParams({ token: String(tokens.access_token), client_id: rs.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion(w, rs) });
      const send = () => w.app.inject({ method: 'POST', url: '/oidc/introspect', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form.toString() });
      assert.equal((await send()).statusCode, 200);
      const size = w.storeSize();
      const replay = await send();
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().error, 'invalid_client');
      assert.match(replay.json().error_description, /already used/);
      assert.equal(w.storeSize(), size);
    });

    test('a refused client assertion is counted once, under the client-auth step that refused it', async () => {
      const failures = async () => {
        const text = (await w.app.inject({ method: 'GET', url: '/metrics' })).body;
        return [...text.matchAll(/^verifier_validation_failures_total\{([^}]*)\} (\d+)$/gm)].filter((m) => m[1]!.includes('ERR_ASSERTION_SIGNATURE')).map((m) => `${m[1]} ${m[2]}`);
      };
      const before = await failures();
      const tokens = await s.session();
      await refused(introspect(w, { ...rs, privateKey: newMachine().privateKey }, String(tokens.access_token)), 401, 'invalid_client', /signature/);
      const after = await failures();
      const count = (lines: string[], step: string) => Number(lines.find((l) => l.includes(`step="${step}"`))?.split(' ').pop() ?? 0);
      assert.equal(count(after, 'assertion-signature') - count(before, 'assertion-signature'), 1);
      assert.deepEqual(after.filter((l) => !l.includes('step="assertion-signature"')), [], 'not counted a second time under another step');
    });

    test('revocation with a token_type_hint other than access_token / refresh_token, or of an ID token, is 400 unsupported_token_type', async () => {
      const tokens = await s.session();
      await refused(revoke(w, s.rp, String(tokens.access_token), { token_type_hint: 'id_token' }), 400, 'unsupported_token_type', /only access tokens and refresh tokens/);
      await refused(revoke(w, s.rp, String(tokens.id_token)), 400, 'unsupported_token_type', /^ID tokens cannot be revoked$/);
      assert.equal((await introspect(w, rs, String(tokens.access_token))).json.active, true, 'nothing was revoked');
    });

    test('a body that is not a form is 400 invalid_request', async () => {
      const size = w.storeSize();
      for (const url of ['/oidc/revoke', '/oidc/introspect']) {
        const res = await w.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: '{"token":"x"}' });
        assert.equal(res.statusCode, 400, url);
        assert.equal(res.json().error, 'invalid_request');
        const dup = await w.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'token=a&token=b' });
        assert.equal(dup.statusCode, 400, url);
        assert.equal(dup.json().error, 'invalid_request');
      }
      assert.equal(w.storeSize(), size);
    });
  });

  test('an expired access token is inactive (and revoking it stores nothing)', async () => {
    const tokens = await s.session();
    const at = await machineToken();
    w.clock.advance(3601_000);
    try {
      inactive(await introspect(w, rs, String(tokens.access_token)), 'expired H2M token');
      inactive(await introspect(w, rs, at), 'expired M2M token');
      const size = w.storeSize();
      revoked(await revoke(w, w.machine, at));
      assert.equal(w.storeSize(), size + 1, 'only the caller assertion jti was stored');
    } finally {
      w.clock.advance(-3601_000);
    }
  });
});

describe('recordMachineTokens on', () => {
  let s: RpWorld;
  const rs = newMachine();
  before(async () => {
    s = await createRpWorld({ clients: [machineClientEntry(rs.did)], env: { VERIFIER_BACKEND_ACCESSTOKEN_RECORDMACHINETOKENS: 'true' } });
  });
  after(() => s.w.close());

  test('M2M issuance records the token, and a token whose record is gone is inactive (fail closed)', async () => {
    const w = s.w;
    const size = w.storeSize();
    const res = await w.post((await w.tokenRequest()).body);
    assert.equal(res.status, 200);
    assert.equal(w.storeSize(), size + 2, 'the assertion jti and the token record');
    const at = String(res.json.access_token);
    const jti = String(decodePart(at).jti);
    assert.equal(await w.runtime.store.get(`at:${jti}`), JSON.stringify({ c: w.machine.did }));
    assert.equal((await introspect(w, rs, at)).json.client_id, w.machine.did);
    await w.runtime.store.delete(`at:${jti}`); // e.g. a Redis flush
    inactive(await introspect(w, rs, at), 'unrecorded M2M token');
  });
});

describe('revocation with the store failing', () => {
  const memory = createMemoryStore({ sweepIntervalMs: 3_600_000 });
  const store = failingWrites(memory);
  let s: RpWorld;
  before(async () => {
    s = await createRpWorld({ store });
  });
  after(async () => {
    await s.w.close();
    await store.close();
  });

  test('a refused revocation write is 503 temporarily_unavailable, stores nothing, and the same request retried revokes', async () => {
    const tokens = await s.session();
    const form = { token: String(tokens.refresh_token) };
    const body = new URLSearchParams({ ...form, client_id: s.rp.did, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: clientAssertion(s.w, s.rp) }).toString();
    const send = () => s.w.app.inject({ method: 'POST', url: '/oidc/revoke', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
    const size = memory.size;
    store.failWrite(2); // 1: the assertion jti, 2: the family revocation
    const res = await send();
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error, 'temporarily_unavailable');
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(memory.size, size, 'nothing stored');
    store.failWrite(0);
    assert.equal((await send()).statusCode, 200);
    const refresh = await s.w.post(s.refreshForm(String(tokens.refresh_token)));
    assert.equal(refresh.json.error, 'invalid_grant', 'the retried revocation took effect');
  });
});
