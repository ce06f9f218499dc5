/**
 * Human login end to end through the real app (in-process): RP → /oidc/authorize → login page
 * redirect with browser binding → wallet fetches the request object and posts a
 * LEARCredentialEmployee presentation → the browser learns the code → code exchange with a
 * client assertion → access, ID and refresh tokens as DOME issues them → refresh rotates.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createWorld, decodePart, newMachine, type MachineClient, type World } from '../../support/world.ts';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import { browserRedirect, codeForm, pkcePair, refreshForm, startLogin, walletAnswer } from '../../support/h2m.ts';

const RP_CALLBACK = 'https://rp.example/callback';
const SPA_CALLBACK = 'https://spa.example/cb';

describe('authorization code flow with a wallet login', () => {
  let w: World;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  let employee: string;
  before(async () => {
    w = await createWorld({
      clients: [
        trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [RP_CALLBACK], scopes: ['openid_learcredential'] }),
        { ...trustedServiceEntry({ clientId: 'spa-client', url: 'https://spa.example', issuerUrl: 'https://verifier.test', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [SPA_CALLBACK] }), clientAuthenticationMethods: ['none'], requireProofKey: true, jwkSetUrl: null },
      ],
    });
    employee = w.issue({ kind: 'employee', shape: 'v2', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
  });
  after(() => w.close());

  const authParams = (extra: Record<string, string> = {}) => ({ client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: `st-${crypto.randomUUID()}`, nonce: 'n-0S6_WzA2Mj', ...extra });

  async function loginAndGetCode(extra: Record<string, string> = {}) {
    const login = await startLogin(w, authParams(extra));
    const answer = await walletAnswer(w, login, user, employee);
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    const redirect = new URL((await browserRedirect(w, login))!);
    return { login, redirect, code: redirect.searchParams.get('code')! };
  }

  test('the authorize redirect goes to /login with the openid4vp request, the RP state and the client home, and binds the browser with an HttpOnly cookie', async () => {
    const login = await startLogin(w, authParams());
    const url = new URL(login.location);
    assert.equal(url.origin, 'https://verifier.test');
    assert.equal(url.searchParams.get('homeUri'), 'https://rp.example');
    assert.match(login.authRequest, /^openid4vp:\/\/\?client_id=did%3Akey%3AzDnae[^&]+&request_uri=https%3A%2F%2Fverifier\.test%2Foid4vp%2Fauth-request%2F[A-Za-z0-9_-]{43}$/);
    assert.match(login.cookie, /HttpOnly/);
    assert.match(login.cookie, /SameSite=Lax/);
    assert.match(login.cookie, /Secure/);
  });

  test('the request object is what the DOME wallet expects, and is served once', async () => {
    const login = await startLogin(w, authParams());
    const res = await w.app.inject({ method: 'GET', url: login.requestPath });
    assert.equal(res.headers['content-type'], 'application/oauth-authz-req+jwt');
    const header = decodePart(res.body, 0);
    const claims = decodePart(res.body);
    assert.deepEqual(header, { alg: 'ES256', typ: 'oauth-authz-req+jwt', kid: w.runtime.identity.did });
    assert.equal(claims.iss, w.runtime.identity.did);
    assert.equal(claims.client_id, w.runtime.identity.did);
    assert.equal(claims.client_id_scheme, 'did:key');
    assert.equal(claims.response_type, 'vp_token');
    assert.equal(claims.response_mode, 'direct_post');
    assert.equal(claims.response_uri, 'https://verifier.test/oid4vp/auth-response');
    assert.equal(claims.scope, 'dome.credentials.presentation.LEARCredentialEmployee');
    assert.ok(Number(claims.exp) - Number(claims.iat) <= 120);
    assert.equal(typeof claims.nonce, 'string');
    assert.notEqual(claims.state, login.state, 'the wallet-facing state is the session id, not the RP state');
    const again = await w.app.inject({ method: 'GET', url: login.requestPath });
    assert.equal(again.statusCode, 404);
  });

  test('a completed login redirects the browser to the RP with code, state and iss', async () => {
    const { login, redirect, code } = await loginAndGetCode();
    assert.equal(`${redirect.origin}${redirect.pathname}`, RP_CALLBACK);
    assert.equal(redirect.searchParams.get('state'), login.state);
    assert.equal(redirect.searchParams.get('iss'), 'https://verifier.test');
    assert.match(code, /^[A-Za-z0-9_-]{43}$/);
  });

  test('the code exchange returns DOME-shaped access, ID and refresh tokens', async () => {
    const { code } = await loginAndGetCode();
    const res = await w.post(codeForm(rp, code, RP_CALLBACK, w));
    assert.equal(res.status, 200, JSON.stringify(res.json));
    assert.equal(res.json.token_type, 'Bearer');
    assert.equal(res.json.expires_in, 3600);
    const jwks = createLocalJWKSet((await w.app.inject({ method: 'GET', url: '/oidc/jwks' })).json());
    const at = await jwtVerify(String(res.json.access_token), jwks, { issuer: 'https://verifier.test', audience: rp.did, currentDate: new Date(w.clock.now()) });
    assert.equal(at.payload.client_id, 'https://verifier.test');
    assert.equal(at.payload.scope, 'openid learcredential');
    assert.equal(at.payload.sub, user.did);
    const vc = at.payload.vc as { credentialSubject: { mandate: { mandatee: Record<string, unknown>; power: Array<Record<string, unknown>> }; id?: string }; credentialStatus?: unknown };
    assert.equal(vc.credentialSubject.mandate.mandatee.first_name, 'Jane', 'v1 names duplicated for DOME resource servers');
    assert.equal(vc.credentialSubject.mandate.mandatee.firstName, 'Jane');
    assert.equal(vc.credentialSubject.mandate.power[0]!.tmf_function, vc.credentialSubject.mandate.power[0]!.function);
    const id = await jwtVerify(String(res.json.id_token), jwks, { issuer: 'https://verifier.test', audience: rp.did, currentDate: new Date(w.clock.now()) });
    assert.equal(id.payload.nonce, 'n-0S6_WzA2Mj');
    assert.equal(id.payload.acr, '0');
    assert.equal(id.payload.name, 'Jane Doe');
    assert.equal(id.payload.email, 'jane@example.org');
    assert.equal(id.payload.email_verified, true);
    assert.equal(typeof id.payload.vc_json, 'string');
    assert.equal(Number(id.payload.exp) - Number(id.payload.iat), 60);
    assert.match(String(res.json.refresh_token), /^[A-Za-z0-9_-]{43}$/);
  });

  test('refresh rotates the refresh token, keeps the profile claims, and reuse of the old one revokes the family', async () => {
    const { code } = await loginAndGetCode();
    const first = await w.post(codeForm(rp, code, RP_CALLBACK, w));
    const rt1 = String(first.json.refresh_token);
    const second = await w.post(refreshForm(rp, rt1, w));
    assert.equal(second.status, 200, JSON.stringify(second.json));
    const rt2 = String(second.json.refresh_token);
    assert.notEqual(rt2, rt1);
    assert.equal(decodePart(String(second.json.id_token)).given_name, 'Jane');
    assert.equal(decodePart(String(second.json.id_token)).nonce, 'n-0S6_WzA2Mj');
    const reuse = await w.post(refreshForm(rp, rt1, w));
    assert.equal(reuse.status, 400);
    assert.equal(reuse.json.error, 'invalid_grant');
    const afterReuse = await w.post(refreshForm(rp, rt2, w));
    assert.equal(afterReuse.status, 400, 'the whole family is revoked');
    assert.equal(afterReuse.json.error, 'invalid_grant');
  });

  test('row 31: a second redemption of a code fails and revokes the refresh token issued from the first', async () => {
    const { code } = await loginAndGetCode();
    const first = await w.post(codeForm(rp, code, RP_CALLBACK, w));
    assert.equal(first.status, 200);
    w.clock.advance(1000);
    const second = await w.post(codeForm(rp, code, RP_CALLBACK, w));
    assert.equal(second.status, 400);
    assert.equal(second.json.error, 'invalid_grant');
    assert.match(String(second.json.error_description), /already used/);
    const refresh = await w.post(refreshForm(rp, String(first.json.refresh_token), w));
    assert.equal(refresh.json.error, 'invalid_grant');
  });

  test('a public client completes the flow with PKCE S256 and no client authentication', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await loginAndGetCode({ client_id: 'spa-client', redirect_uri: SPA_CALLBACK, code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await w.post(codeForm('spa-client', code, SPA_CALLBACK, w, { code_verifier: pkcePair().verifier }));
    assert.equal(wrong.status, 400);
    assert.equal(wrong.json.error, 'invalid_grant');
    const { code: code2 } = await loginAndGetCode({ client_id: 'spa-client', redirect_uri: SPA_CALLBACK, code_challenge: challenge, code_challenge_method: 'S256' });
    const ok = await w.post(codeForm('spa-client', code2, SPA_CALLBACK, w, { code_verifier: verifier }));
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(decodePart(String(ok.json.access_token)).aud, 'spa-client');
  });
});
