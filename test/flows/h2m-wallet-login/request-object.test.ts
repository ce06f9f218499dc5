/**
 * Issue #10 §1 — one request object for both DOME wallets: the claims the deployed wallet checks
 * (dome-verifier-wire.md §2.4) and the `dcql_query` the EUDIStack wallet PWA matches
 * (dome-wallet-pwa.md §2–§3), selected from the RP's scope by the trust framework's DCQL profiles
 * as IN2's V3 does. The request object is fetched from the real server; each wallet's check is
 * its own code (packages/client for the deployed wallet, test/support/pwa-request.ts from the PWA spec).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifyRequestObject } from '@dome-verifier/client';
import { DEFAULT_DCQL_PROFILES, dcqlQueryIds } from '@dome-verifier/core';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { authorize, startLogin } from '../../support/h2m.ts';
import { pwaQueryId, pwaRequestUri, pwaSelectCredentials, pwaVerifyRequestObject, type PwaStoredCredential } from '../../support/pwa-request.ts';

const CB = 'https://rp.example/callback';
const ISS = 'https://verifier.test';

/** The PWA's store (§6.1): the two shapes it can present, a legacy DOME credential, an expired one. */
const STORED: PwaStoredCredential[] = [
  { id: 'urn:uuid:w3c', type: ['VerifiableCredential', 'learcredential.employee.w3c.4'], credentialFormat: 'jwt_vc_json', lifeCycleStatus: 'VALID' },
  { id: 'urn:uuid:sd', type: ['VerifiableCredential', 'learcredential.employee.sd.1'], credentialFormat: 'dc+sd-jwt', lifeCycleStatus: 'VALID' },
  { id: 'urn:uuid:legacy', type: ['LEARCredentialEmployee', 'VerifiableCredential'], credentialFormat: 'jwt_vc_json', lifeCycleStatus: 'VALID' },
  { id: 'urn:uuid:machine', type: ['VerifiableCredential', 'learcredential.machine.w3c.3'], credentialFormat: 'jwt_vc_json', lifeCycleStatus: 'VALID' },
  { id: 'urn:uuid:old', type: ['VerifiableCredential', 'learcredential.employee.w3c.4'], credentialFormat: 'jwt_vc_json', lifeCycleStatus: 'EXPIRED' },
];

const EMPLOYEE_DCQL = {
  credentials: [
    {
      id: 'lear_employee_jwt_vc',
      format: 'jwt_vc_json',
      meta: {
        credential_definition: { type: ['VerifiableCredential', 'learcredential.employee.w3c.4'] },
        type_values: [['VerifiableCredential', 'learcredential.employee.w3c.4']],
      },
    },
    { id: 'lear_employee_sd_jwt', format: 'dc+sd-jwt', meta: { vct_values: ['learcredential.employee.sd.1', 'eu.europa.ec.eudi.lce.1'] } },
  ],
  credential_sets: [{ options: [['lear_employee_jwt_vc'], ['lear_employee_sd_jwt']], required: true }],
};

describe('one request object for the deployed DOME wallet and the wallet PWA', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  before(async () => {
    w = await createWorld({ clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [CB] })] });
  });
  after(() => w.close());

  const params = (scope: string) => ({ client_id: rp.did, redirect_uri: CB, response_type: 'code', scope, state: `st-${crypto.randomUUID()}` });
  /** The login's request object as a wallet GETs it (the one-shot request_uri of the QR code). */
  const fetchRequestObject = async (scope: string) => {
    const login = await startLogin(w, params(scope));
    const { requestUri } = pwaRequestUri(login.authRequest);
    const res = await w.app.inject({ method: 'GET', url: new URL(requestUri!).pathname, headers: { accept: 'application/json, text/plain, */*' } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.body, res.body.trim(), 'the bare JWS, no whitespace (the PWA does not trim)');
    return res.body;
  };
  const claimsOf = (jws: string) => JSON.parse(Buffer.from(jws.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;

  test('the request object keeps every claim the deployed wallet checks and adds dcql_query in both dialects and vp_formats_supported', async () => {
    const jws = await fetchRequestObject('openid learcredential');
    const c = claimsOf(jws);
    assert.equal(c.iss, w.runtime.identity.did);
    assert.equal(c.client_id, c.iss);
    assert.equal(c.aud, 'https://self-issued.me/v2');
    assert.equal(c.scope, 'dome.credentials.presentation.LEARCredentialEmployee');
    assert.equal(c.response_type, 'vp_token');
    assert.equal(c.response_mode, 'direct_post');
    assert.equal(c.response_uri, `${ISS}/oid4vp/auth-response`);
    assert.equal(typeof c.nonce, 'string');
    assert.equal(typeof c.state, 'string');
    assert.deepEqual(c.dcql_query, EMPLOYEE_DCQL);
    assert.deepEqual(c.client_metadata, {
      vp_formats_supported: { jwt_vc_json: { alg_values: ['ES256'] }, 'dc+sd-jwt': { 'sd-jwt_alg_values': ['ES256'], 'kb-jwt_alg_values': ['ES256'] } },
    });
  });

  test('the deployed DOME wallet (packages/client test wallet) still accepts the request object', async () => {
    const jws = await fetchRequestObject('openid learcredential');
    const verified = await verifyRequestObject(jws, { expectedClientId: w.runtime.identity.did, now: () => w.clock.now() });
    assert.equal(verified.header.kid, w.runtime.identity.did);
    assert.equal(verified.claims.scope, 'dome.credentials.presentation.LEARCredentialEmployee');
  });

  test('the wallet PWA (its checks and DCQL matching, from its spec) accepts it and offers its VCDM 2.0 JWT VC and its SD-JWT VC, nothing else', async () => {
    for (const scope of ['openid learcredential', 'openid learcredential.employee', 'openid_learcredential']) {
      const request = await pwaVerifyRequestObject(await fetchRequestObject(scope));
      const offered = pwaSelectCredentials(request, STORED).map((c) => c.id);
      assert.deepEqual(offered, ['urn:uuid:w3c', 'urn:uuid:sd'], scope);
      // The map key the PWA answers under names a query we sent, for each shape.
      const sent = dcqlQueryIds(DEFAULT_DCQL_PROFILES, scope);
      assert.equal(pwaQueryId(request, STORED[0]!), 'lear_employee_jwt_vc');
      assert.equal(pwaQueryId(request, STORED[1]!), 'lear_employee_sd_jwt');
      assert.ok(sent.includes('lear_employee_jwt_vc') && sent.includes('lear_employee_sd_jwt'), scope);
    }
  });

  test('an RP scope learcredential.machine selects the machine profile (IN2 V3), and the PWA offers only its machine credential', async () => {
    const jws = await fetchRequestObject('openid learcredential.machine');
    const c = claimsOf(jws);
    const ids = (c.dcql_query as { credentials: { id: string }[] }).credentials.map((q) => q.id);
    assert.deepEqual(ids, ['lear_machine_jwt_vc', 'lear_machine_sd_jwt']);
    assert.deepEqual(ids, dcqlQueryIds(DEFAULT_DCQL_PROFILES, 'openid learcredential.machine'));
    const request = await pwaVerifyRequestObject(jws);
    assert.deepEqual(pwaSelectCredentials(request, STORED).map((x) => x.id), ['urn:uuid:machine']);
  });

  test('two profile scopes send each query once, and any one credential satisfies the request', async () => {
    const c = claimsOf(await fetchRequestObject('openid learcredential learcredential.employee learcredential.machine'));
    const q = c.dcql_query as { credentials: { id: string }[]; credential_sets: { options: string[][] }[] };
    assert.deepEqual(q.credentials.map((x) => x.id), ['lear_employee_jwt_vc', 'lear_employee_sd_jwt', 'lear_machine_jwt_vc', 'lear_machine_sd_jwt']);
    assert.deepEqual(q.credential_sets[0]!.options, q.credentials.map((x) => [x.id]));
  });

  test('a scope naming no DCQL profile, or one unknown scope beside a profile, is invalid_scope and no login is stored', async () => {
    for (const scope of ['openid', 'openid profile', 'openid learcredential.employee admin', 'dome.credentials.presentation.LEARCredentialEmployee']) {
      const before = w.storeSize();
      const res = await authorize(w, params(scope));
      assert.equal(res.status, 302);
      const loc = new URL(res.location!);
      assert.equal(`${loc.origin}${loc.pathname}`, CB);
      assert.equal(loc.searchParams.get('error'), 'invalid_scope', scope);
      assert.equal(w.storeSize(), before, 'nothing stored');
    }
  });
});

describe('DCQL profiles are configuration of the trust framework', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const profiles = {
    'dome.employee': [{ id: 'dome_emp', format: 'jwt_vc_json', meta: { credential_definition: { type: ['VerifiableCredential', 'learcredential.employee.w3c.4'] } } }],
  };
  before(async () => {
    w = await createWorld({
      clients: [trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: ISS, grantTypes: ['authorization_code'], redirectUris: [CB] })],
      env: { VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_DCQLPROFILES: JSON.stringify(profiles) },
    });
  });
  after(() => w.close());

  test('a configured profile is the only scope accepted and its queries are sent, type_values derived', async () => {
    const login = await startLogin(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid dome.employee', state: 's1' });
    const res = await w.app.inject({ method: 'GET', url: login.requestPath });
    const c = JSON.parse(Buffer.from(res.body.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(c.dcql_query, {
      credentials: [{ id: 'dome_emp', format: 'jwt_vc_json', meta: { credential_definition: { type: ['VerifiableCredential', 'learcredential.employee.w3c.4'] }, type_values: [['VerifiableCredential', 'learcredential.employee.w3c.4']] } }],
      credential_sets: [{ options: [['dome_emp']], required: true }],
    });
    const refused = await authorize(w, { client_id: rp.did, redirect_uri: CB, response_type: 'code', scope: 'openid learcredential', state: 's2' });
    assert.equal(new URL(refused.location!).searchParams.get('error'), 'invalid_scope');
  });
});
