/**
 * The SDK relying-party helpers against the real verifier on 127.0.0.1: a did:key confidential
 * RP registered in the Trusted Services List logs a user in with a request object served at its
 * own request_uri, the test wallet answers with a LEARCredentialEmployee, the "browser" polls the
 * login status with its binding cookie, and the RP validates the callback, exchanges the code,
 * validates the ID token and refreshes.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trustedServiceEntry } from '@dome-verifier/dev-issuer';
import {
  answerAuthorizationRequest,
  buildAuthorizationUrl,
  createPkce,
  createRequestObject,
  discover,
  exchangeCode,
  OAuthError,
  randomNonce,
  randomState,
  refresh,
  TokenRequestError,
  validateCallback,
  validateIdToken,
  type AuthorizationServerMetadata,
} from '@dome-verifier/client';
import { createWorld, newMachine, type MachineClient, type World } from '../support/world.ts';

const REDIRECT_URI = 'https://rp.example/callback';
const SCOPE = 'openid learcredential';

describe('confidential RP helpers against the real verifier', () => {
  let w: World;
  let metadata: AuthorizationServerMetadata;
  let requestObjects: Server;
  let requestBase: string;
  const hosted = new Map<string, string>();
  let fetchedRequestObjects = 0;
  const rp: MachineClient = newMachine();
  const user: MachineClient = newMachine();
  let employee: string;

  before(async () => {
    // The RP's request_uri host: serves each request object once, as a JAR host should.
    requestObjects = createServer((req, res) => {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id') ?? '';
      const jwt = hosted.get(id);
      hosted.delete(id);
      fetchedRequestObjects++;
      if (!jwt) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/oauth-authz-req+jwt' }).end(jwt);
    });
    await new Promise<void>((r) => requestObjects.listen(0, '127.0.0.1', r));
    requestBase = `http://127.0.0.1:${(requestObjects.address() as AddressInfo).port}/request.jwt`;
    w = await createWorld({
      listen: true,
      clients: [
        trustedServiceEntry({ clientId: rp.did, url: 'https://rp.example', issuerUrl: 'http://127.0.0.1', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI], scopes: ['openid_learcredential'] }),
      ],
      env: { VERIFIER_BACKEND_OUTBOUND_ALLOWINSECURE: 'true' },
    });
    employee = w.issue({ kind: 'employee', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
    metadata = await discover(w.issuer);
  });
  after(async () => {
    await w.close();
    await new Promise<void>((r) => requestObjects.close(() => r()));
  });

  const now = () => w.clock.now();

  /** Browser + wallet part: follows the authorization URL, lets the wallet answer, polls the status until the redirect. */
  async function userLogsIn(authorizationUrl: URL, state: string): Promise<string> {
    const authz = await fetch(authorizationUrl, { redirect: 'manual' });
    assert.equal(authz.status, 302, await authz.text());
    const location = new URL(authz.headers.get('location')!, w.issuer).href;
    const cookie = authz.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    assert.ok(cookie, 'the verifier binds the browser with a cookie');
    const answer = await answerAuthorizationRequest(location, { key: user.privateKey, credential: employee, now });
    assert.equal(answer.status, 200, answer.body);
    for (let i = 0; i < 50; i++) {
      const status = (await (await fetch(`${w.issuer}/api/login/status?state=${encodeURIComponent(state)}`, { headers: { cookie } })).json()) as { status: string; redirect_to?: string };
      if (status.redirect_to) return status.redirect_to;
      assert.equal(status.status, 'pending');
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the login never completed');
  }

  test('metadata: issuer, endpoints and the RFC 9207 iss parameter', () => {
    assert.equal(metadata.issuer, w.issuer);
    assert.equal(metadata.authorization_endpoint, `${w.issuer}/oidc/authorize`);
    assert.equal(metadata.token_endpoint, `${w.issuer}/oidc/token`);
    assert.equal(metadata.jwks_uri, `${w.issuer}/oidc/jwks`);
    assert.equal(metadata.authorization_response_iss_parameter_supported, true);
  });

  test('request_uri login: callback → code exchange → ID token → refresh', async () => {
    const pkce = createPkce();
    const state = randomState();
    const nonce = randomNonce();
    const requestObject = await createRequestObject({ clientId: rp.did, key: rp.privateKey, issuer: metadata.issuer, redirectUri: REDIRECT_URI, scope: SCOPE, state, nonce, codeChallenge: pkce.challenge, now });
    hosted.set(state, requestObject);
    const requestUri = `${requestBase}?id=${encodeURIComponent(state)}`;
    const before = fetchedRequestObjects;
    const url = buildAuthorizationUrl(metadata, { clientId: rp.did, scope: SCOPE, state, nonce, requestUri });
    assert.equal(url.searchParams.get('redirect_uri'), null, 'redirect_uri only inside the request object');

    const redirectTo = await userLogsIn(url, state);
    assert.equal(fetchedRequestObjects - before, 1, 'the verifier fetched the request_uri once');
    assert.ok(redirectTo.startsWith(`${REDIRECT_URI}?`));

    const code = validateCallback(redirectTo, { expectedState: state, issuer: metadata.issuer });
    const tokens = await exchangeCode(metadata, { clientId: rp.did, key: rp.privateKey, code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier, now });
    assert.equal(tokens.token_type, 'Bearer');
    assert.ok(tokens.id_token && tokens.refresh_token);

    const claims = await validateIdToken(tokens.id_token, { metadata, clientId: rp.did, nonce, now });
    assert.equal(claims.iss, w.issuer);
    assert.equal(claims.aud, rp.did);
    assert.equal(claims.sub, user.did);
    assert.equal(claims.given_name, 'Jane');
    assert.equal(claims.family_name, 'Doe');
    assert.equal(claims.email, 'jane@example.org');
    assert.equal(typeof claims.vc_json, 'string');

    // The code is single-use.
    await assert.rejects(exchangeCode(metadata, { clientId: rp.did, key: rp.privateKey, code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier, now }), (e: unknown) => {
      assert.ok(e instanceof TokenRequestError);
      assert.equal(e.error, 'invalid_grant');
      assert.ok(!e.message.includes(code));
      return true;
    });
  });

  test('refresh rotates the refresh token and keeps a valid ID token', async () => {
    const pkce = createPkce();
    const state = randomState();
    const nonce = randomNonce();
    hosted.set(state, await createRequestObject({ clientId: rp.did, key: rp.privateKey, issuer: metadata.issuer, redirectUri: REDIRECT_URI, scope: SCOPE, state, nonce, codeChallenge: pkce.challenge, now }));
    const url = buildAuthorizationUrl(metadata, { clientId: rp.did, scope: SCOPE, state, nonce, requestUri: `${requestBase}?id=${encodeURIComponent(state)}` });
    const code = validateCallback(await userLogsIn(url, state), { expectedState: state, issuer: metadata });
    const tokens = await exchangeCode(metadata, { clientId: rp.did, key: rp.privateKey, code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier, now });

    const refreshed = await refresh(metadata, { clientId: rp.did, key: rp.privateKey, refreshToken: tokens.refresh_token!, now });
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'rotated');
    assert.notEqual(refreshed.access_token, tokens.access_token);
    const claims = await validateIdToken(refreshed.id_token!, { metadata, clientId: rp.did, now });
    assert.equal(claims.sub, user.did);
  });

  test('plain mode (no request object) with PKCE; the ID token is refused for another client or nonce', async () => {
    const pkce = createPkce();
    const state = randomState();
    const nonce = randomNonce();
    const url = buildAuthorizationUrl(metadata, { clientId: rp.did, redirectUri: REDIRECT_URI, scope: SCOPE, state, nonce, codeChallenge: pkce.challenge });
    const redirectTo = await userLogsIn(url, state);
    assert.throws(() => validateCallback(redirectTo, { expectedState: randomState(), issuer: metadata.issuer }), (e: unknown) => e instanceof OAuthError && e.error === 'state_mismatch');
    assert.throws(() => validateCallback(redirectTo, { expectedState: state, issuer: 'https://verifier.dome-marketplace.eu' }), (e: unknown) => e instanceof OAuthError && e.error === 'issuer_mismatch');
    const code = validateCallback(redirectTo, { expectedState: state, issuer: metadata.issuer });
    const tokens = await exchangeCode(metadata, { clientId: rp.did, key: rp.privateKey, code, redirectUri: REDIRECT_URI, codeVerifier: pkce.verifier, now });
    await assert.rejects(validateIdToken(tokens.id_token!, { metadata, clientId: 'did:key:zDnaeSomeoneElse', now }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_id_token');
    await assert.rejects(validateIdToken(tokens.id_token!, { metadata, clientId: rp.did, nonce: randomNonce(), now }), (e: unknown) => e instanceof OAuthError && /nonce/.test(e.message));
    assert.equal((await validateIdToken(tokens.id_token!, { metadata, clientId: rp.did, nonce, now })).nonce, nonce);
  });

  test('a PKCE verifier that does not match is invalid_grant', async () => {
    const pkce = createPkce();
    const state = randomState();
    const url = buildAuthorizationUrl(metadata, { clientId: rp.did, redirectUri: REDIRECT_URI, scope: SCOPE, state, codeChallenge: pkce.challenge });
    const code = validateCallback(await userLogsIn(url, state), { expectedState: state, issuer: metadata.issuer });
    await assert.rejects(exchangeCode(metadata, { clientId: rp.did, key: rp.privateKey, code, redirectUri: REDIRECT_URI, codeVerifier: createPkce().verifier, now }), (e: unknown) => e instanceof TokenRequestError && e.error === 'invalid_grant');
  });
});
