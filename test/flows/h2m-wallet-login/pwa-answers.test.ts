/**
 * Issue #10 §2/§3 over the real server: every answer either DOME wallet gives logs in — the
 * deployed wallet (base64url VP JWT + presentation_submission, aud https://self-issued.me/v2),
 * the EUDIStack PWA with a VCDM 2.0 JWT VC and with an SD-JWT VC (test/support/pwa-wallet.ts,
 * written from dome-wallet-pwa.md §1–§4), and OpenID4VP 1.0's raw JSON vp_token — each through
 * the code exchange to tokens carrying §6's claims. Each refusal differs from an accepted twin in
 * one property, is answered 400 invalid_request (never 401, which logs the PWA user out) with its
 * exact error code, and leaves the browser without a code.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { issueSdJwtVc, issueTokenStatusList, trustedServiceEntry, type IssueSdJwtOptions } from '@dome-verifier/dev-issuer';
import { createLogger } from '../../../packages/server/src/logger.ts';
import { createWorld, decodePart, ISSUER_DID, newMachine, ORG, TYPES, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, codeForm, startLogin, walletAnswer, type StartedLogin } from '../../support/h2m.ts';
import { pwaAnswer, type PwaTamper } from '../../support/pwa-wallet.ts';

const CB = 'https://rp.example/callback';
const W3C = 'learcredential.employee.w3c.4';
const SD = 'learcredential.employee.sd.1';
/** The dcql_query the request side sends (i10-request); used only while the request object carries none. */

describe('every answer either DOME wallet gives', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  const lines: string[] = [];
  let statusServer: Server;
  let statusBase = '';
  const statusLists = new Map<string, string>();
  before(async () => {
    statusServer = createServer((req, res) => {
      const body = statusLists.get(req.url ?? '');
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/statuslist+jwt' }).end(body);
    });
    await new Promise<void>((r) => statusServer.listen(0, '127.0.0.1', r));
    statusBase = `http://127.0.0.1:${(statusServer.address() as AddressInfo).port}`;
    const sink = new Writable({ write: (chunk: Buffer, _e, cb) => void (lines.push(chunk.toString()), cb()) });
    w = await createWorld({
      til: { [ISSUER_DID]: { types: [...TYPES, W3C, SD] } },
      logger: createLogger('info', sink),
      env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' },
      clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })],
    });
    for (const encoding of ['ietf', 'in2'] as const) {
      const uri = `${statusBase}/tsl-${encoding}`;
      statusLists.set(`/tsl-${encoding}`, issueTokenStatusList({ uri, bits: 1, encoding, statuses: [0, 0, 0, 1], seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, iat: new Date(w.clock.now() - 60_000) }));
    }
  });
  after(async () => {
    await w.close();
    statusServer.closeAllConnections();
    await new Promise((r) => statusServer.close(r));
  });

  const start = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: crypto.randomUUID(), nonce: 'rp-nonce' });
  const nowS = () => Math.floor(w.clock.now() / 1000);
  const jwtVc = (o: Parameters<World['issue']>[0] = {}) =>
    w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' }, ...o });
  const sdJwtVc = (o: Partial<IssueSdJwtOptions> = {}) =>
    issueSdJwtVc({
      seal: w.pki.seal, chain: [w.pki.intermediate], organizationIdentifier: ORG, holderJwk: user.publicJwk,
      mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' },
      validFrom: new Date(w.clock.now() - 3_600_000), validUntil: new Date(w.clock.now() + 86_400_000), ...o,
    }).sdJwt;

  /** The PWA answers `login` with the one credential it holds. */
  async function pwa(login: StartedLogin, credential: string, tamper: PwaTamper = {}, holderKey = user.privateKey) {
    return pwaAnswer(login.authRequest, {
      get: async (url) => (await w.app.inject({ method: 'GET', url: new URL(url).pathname })).body,
      post: async (url, body, headers) => {
        const res = await w.app.inject({ method: 'POST', url: new URL(url).pathname, headers, payload: body });
        return { status: res.statusCode, body: res.body };
      },
      credentials: [{ credentialEncoded: credential }],
      keys: [holderKey],
      now: nowS,
      tamper,
    });
  }

  /** The code the browser receives, exchanged for tokens. */
  async function exchange(login: StartedLogin) {
    const redirect = await browserRedirect(w, login);
    assert.ok(redirect, 'the browser is sent to the RP');
    const code = new URL(redirect).searchParams.get('code')!;
    const res = await w.post(codeForm(rp, code, CB, w));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return { access: decodePart(String(res.json.access_token)), id: decodePart(String(res.json.id_token)) };
  }

  function assertSection6Claims(t: { access: Record<string, unknown>; id: Record<string, unknown> }, credentialType: string) {
    const vc = t.access.vc as { credentialSubject: { mandate: { mandatee: Record<string, unknown>; mandator: Record<string, unknown>; power: unknown[] } } };
    assert.equal(typeof vc, 'object', 'vc is an object');
    assert.equal(vc.credentialSubject.mandate.mandatee.id, user.did);
    assert.equal(vc.credentialSubject.mandate.mandatee.firstName, 'Ana');
    assert.equal(vc.credentialSubject.mandate.mandator.organizationIdentifier, ORG);
    assert.ok(Array.isArray(vc.credentialSubject.mandate.power) && vc.credentialSubject.mandate.power.length > 0);
    assert.equal(t.access.credential_type, credentialType);
    assert.equal(t.access.sub, user.did);
    assert.equal(typeof t.id.vc_json, 'string');
    assert.deepEqual([t.id.given_name, t.id.family_name, t.id.email, t.id.name], ['Ana', 'Ruiz', 'ana@example.org', 'Ana Ruiz']);
  }

  /** The code logged for the last refused request. */
  function lastCode(): string | undefined {
    for (let i = lines.length - 1; i >= 0; i--) {
      const l = JSON.parse(lines[i]!) as { code?: string };
      if (l.code) return l.code;
    }
    return undefined;
  }

  async function assertRefused(login: StartedLogin, res: { status?: number; body?: string }, code: string) {
    assert.equal(res.status, 400, res.body);
    assert.equal((JSON.parse(res.body!) as { error: string }).error, 'invalid_request');
    assert.equal(lastCode(), code, res.body);
    assert.equal(await browserRedirect(w, login), undefined, 'no code for the browser');
  }

  test('the deployed wallet: base64url(VP JWT) + presentation_submission, aud https://self-issued.me/v2, logs in to tokens with §6 claims', async () => {
    const login = await start();
    const res = await walletAnswer(w, login, user, w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assertSection6Claims(await exchange(login), 'LEARCredentialEmployee');
  });

  test('the deployed wallet\'s own Authorization: Bearer header is ignored (the answer logs in)', async () => {
    const login = await start();
    const ro = decodePart((await w.app.inject({ method: 'GET', url: login.requestPath })).body);
    const { createVpJwt } = await import('@dome-verifier/client');
    const credential = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz', email: 'ana@example.org' } });
    const vpJwt = await createVpJwt({ credentials: [credential], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: String(ro.nonce), now: () => w.clock.now() });
    const res = await w.app.inject({
      method: 'POST', url: '/oid4vp/auth-response',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Bearer eyJhbGciOiJub25lIn0.e30.' },
      payload: new URLSearchParams({ state: String(ro.state), vp_token: Buffer.from(vpJwt).toString('base64url'), presentation_submission: '{"id":"x","definition_id":"y","descriptor_map":[]}' }).toString(),
    });
    assert.equal(res.statusCode, 200, res.body);
    await exchange(login);
  });

  test('the PWA with a VCDM 2.0 JWT VC: base64 of {lear_employee_jwt_vc: [VP JWT]}, header jwk + thumbprint kid, aud = client_id, id instead of jti', async () => {
    const login = await start();
    const res = await pwa(login, jwtVc());
    assert.equal(res.posted, true);
    assert.equal(res.status, 200, res.body);
    const map = JSON.parse(Buffer.from(res.form!.vp_token, 'base64').toString()) as Record<string, string[]>;
    assert.deepEqual(Object.keys(map), ['lear_employee_jwt_vc']);
    assert.equal(decodePart(map.lear_employee_jwt_vc![0]!).aud, w.runtime.identity.did);
    assertSection6Claims(await exchange(login), W3C);
  });

  test('the PWA with an SD-JWT VC: base64 of {lear_employee_sd_jwt: "<sd-jwt>~<kb-jwt>"} logs in to tokens with §6 claims', async () => {
    const login = await start();
    const res = await pwa(login, sdJwtVc());
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(Object.keys(JSON.parse(Buffer.from(res.form!.vp_token, 'base64').toString()) as object), ['lear_employee_sd_jwt']);
    const t = await exchange(login);
    assertSection6Claims(t, SD);
    assert.equal((t.access.vc as Record<string, unknown>).vct, SD);
  });

  test('the PWA without DCQL: standard base64 of the bare VP JWT, and of the bare SD-JWT+KB, log in', async () => {
    for (const credential of [jwtVc(), sdJwtVc()]) {
      const login = await start();
      const res = await pwa(login, credential, { bare: true });
      assert.equal(res.status, 200, res.body);
      assert.ok(!Buffer.from(res.form!.vp_token, 'base64').toString().startsWith('{'));
      await exchange(login);
    }
  });

  test('OpenID4VP 1.0 as written: the DCQL map as raw JSON (not base64) logs in, for both formats', async () => {
    for (const credential of [jwtVc(), sdJwtVc()]) {
      const login = await start();
      const res = await pwa(login, credential, { rawJson: true });
      assert.equal(res.status, 200, res.body);
      await exchange(login);
    }
  });

  test('a vp_token replayed into a new login is refused: the nonce binds it to the login it answered (JWT VC and SD-JWT VC)', async () => {
    for (const [credential, code] of [[jwtVc(), 'ERR_VP_NONCE'], [sdJwtVc(), 'ERR_SD_JWT_KB_NONCE']] as const) {
      const first = await start();
      const answered = await pwa(first, credential);
      assert.equal(answered.status, 200, answered.body);
      const second = await start();
      await assertRefused(second, await pwa(second, credential, { vpToken: answered.form!.vp_token }), code);
    }
  });

  for (const encoding of ['ietf', 'in2'] as const) {
    test(`an SD-JWT VC revoked in its Token Status List (${encoding === 'ietf' ? 'IETF ZLIB, LSB first' : 'IN2 GZIP, MSB first'}) is refused (ERR_VC_REVOKED); status 0 logs in`, async () => {
      const uri = `${statusBase}/tsl-${encoding}`;
      const revoked = await start();
      await assertRefused(revoked, await pwa(revoked, sdJwtVc({ statusList: { uri, idx: 3 } })), 'ERR_VC_REVOKED');
      const valid = await start();
      assert.equal((await pwa(valid, sdJwtVc({ statusList: { uri, idx: 2 } }))).status, 200);
    });
  }

  const other = newMachine();
  const refusals: Array<[string, () => string, PwaTamper, string]> = [
    ['a map key naming no credential query this login sent', () => jwtVc(), { queryId: 'lear_machine_jwt_vc' }, 'ERR_VP_TOKEN_QUERY_UNKNOWN'],
    ['two presentations (one per query) in one vp_token', () => jwtVc(), { vpToken: Buffer.from(JSON.stringify({ lear_employee_jwt_vc: ['eyJh.eyJi.c2ln'], lear_employee_sd_jwt: 'eyJh.eyJi.c2ln~WyJhIl0~eyJh.eyJi.c2ln' })).toString('base64') }, 'ERR_VP_TOKEN_PRESENTATIONS'],
    ['a vp_token that is base64 of neither a presentation nor a DCQL map', () => jwtVc(), { vpToken: Buffer.from('not a presentation').toString('base64') }, 'ERR_VP_TOKEN_ENCODING'],
    ['an SD-JWT VC under the jwt_vc_json query', () => sdJwtVc(), { queryId: 'lear_employee_jwt_vc' }, 'ERR_VP_TOKEN_QUERY_MISMATCH'],
    ['a VP signed by another key than the credential cnf.jwk', () => jwtVc(), { signWith: other }, 'ERR_HOLDER_BINDING'],
    ['a VP header kid that is not the JWK thumbprint', () => jwtVc(), { kid: 'not-the-thumbprint' }, 'ERR_HOLDER_BINDING'],
    ['a VP addressed to a foreign verifier', () => jwtVc(), { aud: 'https://other-verifier.example' }, 'ERR_VP_AUDIENCE'],
    ['an expired VCDM 2.0 credential', () => jwtVc({ validFrom: new Date(w.clock.now() - 2 * 86_400_000), validUntil: new Date(w.clock.now() - 86_400_000) }), {}, 'ERR_VC_EXPIRED'],
    ['a VCDM 2.0 credential of an untrusted issuer', () => jwtVc({ seal: w.pki.otherSeal, organizationIdentifier: 'VATES-X9999999' }), {}, 'ERR_ISSUER_NOT_TRUSTED'],
    ['an SD-JWT with a tampered disclosure', () => sdJwtVc(), { storedSdJwt: tamperFirstDisclosure }, 'ERR_SD_JWT_DISCLOSURE'],
    ['an SD-JWT without KB-JWT', () => sdJwtVc(), { omitKbJwt: true }, 'ERR_SD_JWT_KB_MISSING'],
    ['a KB-JWT with another nonce', () => sdJwtVc(), { nonce: 'another-login' }, 'ERR_SD_JWT_KB_NONCE'],
    ['a KB-JWT with aud = the verifier URL instead of client_id', () => sdJwtVc(), { aud: 'https://verifier.test' }, 'ERR_SD_JWT_KB_AUDIENCE'],
    ['a KB-JWT with a wrong sd_hash', () => sdJwtVc(), { sdHash: 'A'.repeat(43) }, 'ERR_SD_JWT_KB_SD_HASH'],
    ['a KB-JWT signed by another key than cnf.jwk', () => sdJwtVc(), { signWith: other }, 'ERR_SD_JWT_KB_INVALID'],
    ['an SD-JWT whose root sub names another holder than mandate.mandatee.id', () => sdJwtVc({ claims: { sub: other.did } }), {}, 'ERR_HOLDER_BINDING'],
    ['an expired SD-JWT VC', () => sdJwtVc({ validFrom: new Date(w.clock.now() - 2 * 86_400_000), validUntil: new Date(w.clock.now() - 86_400_000) }), {}, 'ERR_SD_JWT_TIME'],
    ['an SD-JWT VC of an untrusted issuer', () => sdJwtVc({ seal: w.pki.otherSeal, organizationIdentifier: 'VATES-X9999999' }), {}, 'ERR_ISSUER_NOT_TRUSTED'],
  ];
  for (const [what, credential, tamper, code] of refusals) {
    test(`${what} is refused 400 invalid_request (${code}); no code is issued`, async () => {
      const login = await start();
      await assertRefused(login, await pwa(login, credential(), tamper), code);
    });
  }
});

/** Re-encodes the first disclosure with another value: its digest is no longer in `_sd`. */
function tamperFirstDisclosure(stored: string): string {
  const [jwt, first, ...rest] = stored.split('~');
  const [salt, name, value] = JSON.parse(Buffer.from(first!, 'base64url').toString()) as [string, string, Record<string, unknown>];
  const forged = Buffer.from(JSON.stringify([salt, name, { ...value, firstName: 'Mallory' }])).toString('base64url');
  return [jwt, forged, ...rest].join('~');
}
