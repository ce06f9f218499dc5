/**
 * The wallet leg with VCDM 2.0 LEARCredentialEmployee (`learcredential.employee.w3c.4`, issue #10
 * §4): accepted beside the legacy shapes; the holder is `mandate.mandatee.id`; the EUDISTACK-145
 * gate answers the wallet as IN2 does (410 legacy_format_sunset_closed, problem+json) and ends
 * the login without a code; the VCDM 2.0 envelope and holder rules are enforced (400 to the
 * wallet, never 401). Each negative case differs from the accepted twin in one property.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { trustedServiceEntry, type IssueOptions } from '@dome-verifier/dev-issuer';
import { createWorld, ISSUER_DID, newMachine, TYPES, type MachineClient, type World } from '../../support/world.ts';
import { browserRedirect, startLogin, walletAnswer } from '../../support/h2m.ts';

const CB = 'https://rp.example/callback';
const TIL = { [ISSUER_DID]: { types: [...TYPES, 'learcredential.employee.w3c.4'] } };

async function rpWorld(env: Record<string, string> = {}) {
  const rp: MachineClient = newMachine();
  const w = await createWorld({ til: TIL, env, clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code'], redirectUris: [CB] })] });
  const start = () => startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: crypto.randomUUID() });
  return { w, start };
}

describe('wallet leg with VCDM 2.0 employee credentials', () => {
  let w: World;
  let start: () => ReturnType<typeof startLogin>;
  const user: MachineClient = newMachine();
  before(async () => ({ w, start } = await rpWorld()));
  after(() => w.close());

  const employee = (o: Partial<IssueOptions> = {}) => w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: { id: user.did, firstName: 'Ana', lastName: 'Ruiz' }, ...o });

  test('a learcredential.employee.w3c.4 presentation completes the login', async () => {
    const login = await start();
    const res = await walletAnswer(w, login, user, employee());
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.ok(new URL((await browserRedirect(w, login))!).searchParams.get('code'));
  });

  const refused = [
    ['JWS typ JWT instead of vc+jwt', { transform: ({ header }) => void (header.typ = 'JWT') }, /typ must be vc\+jwt/],
    ['a root sub naming another holder than mandate.mandatee.id', { transform: ({ payload }) => void (payload.sub = newMachine().did) }, /sub names another holder/],
    ['a cnf.jwk of another key than the presenting holder', { cnfJwk: newMachine().publicJwk }, /cnf\.jwk/],
  ] as const satisfies ReadonlyArray<readonly [string, Partial<IssueOptions>, RegExp]>;
  for (const [what, o, description] of refused) {
    test(`a VCDM 2.0 credential with ${what} is refused with 400 invalid_request and no code`, async () => {
      const login = await start();
      const res = await walletAnswer(w, login, user, employee(o));
      assert.equal(res.status, 400, JSON.stringify(res.json));
      assert.equal(res.json.error, 'invalid_request');
      assert.match(String(res.json.error_description), description);
      assert.equal(await browserRedirect(w, login), undefined, 'no code for the browser');
    });
  }
});

describe('wallet leg behind a closed legacy window (legacyReadEnabled=false)', () => {
  let w: World;
  let start: () => ReturnType<typeof startLogin>;
  const user: MachineClient = newMachine();
  before(async () => ({ w, start } = await rpWorld({ VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_LEGACYREADENABLED: 'false' })));
  after(() => w.close());

  test('a legacy employee credential is answered 410 legacy_format_sunset_closed as problem+json; the login ends without a code', async () => {
    const login = await start();
    const ro = await w.app.inject({ method: 'GET', url: login.requestPath });
    const claims = JSON.parse(Buffer.from(ro.body.split('.')[1]!, 'base64url').toString()) as Record<string, string>;
    const { createVpJwt } = await import('@dome-verifier/client');
    const legacy = w.issue({ kind: 'employee', mandatee: { id: user.did } });
    const vpJwt = await createVpJwt({ credentials: [legacy], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: claims.nonce!, now: () => w.clock.now() });
    const res = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state: claims.state!, vp_token: Buffer.from(vpJwt).toString('base64url') }).toString() });
    assert.equal(res.statusCode, 410, res.body);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    const body = res.json() as Record<string, unknown>;
    assert.equal(body.error, 'legacy_format_sunset_closed');
    assert.equal(body.status, 410);
    assert.equal(await browserRedirect(w, login), undefined, 'no code for the browser');
    const vp2 = await createVpJwt({ credentials: [w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: { id: user.did } })], holderKey: user.privateKey, holderDid: user.did, audience: 'https://self-issued.me/v2', nonce: claims.nonce!, now: () => w.clock.now() });
    const again = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams({ state: claims.state!, vp_token: Buffer.from(vp2).toString('base64url') }).toString() });
    assert.equal(again.statusCode, 400, 'the gated answer ended the login');
    assert.match(String((again.json() as Record<string, unknown>).error_description), /already answered/);
  });

  test('a VCDM 2.0 employee credential still logs in', async () => {
    const login = await start();
    const res = await walletAnswer(w, login, user, w.issue({ kind: 'employee', format: 'w3c-v2', mandatee: { id: user.did } }));
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });
});
