/**
 * Interop with a real OAuth/OIDC client library as the relying party: openid-client v6
 * (panva), configured only from our discovery document, with its own checks on (issuer match,
 * RFC 9207 `iss` in the authorization response, state, PKCE, ID token iss/aud/exp/iat/nonce
 * and ES256 as advertised, plus ID token signatures against jwks_uri via
 * `enableNonRepudiationChecks`). The login is driven without a browser: GET the authorization
 * URL, keep the binding cookie, the test wallet answers the login page URL, and the RP polls
 * `/api/login/status` with that cookie until `redirect_to` appears.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { answerAuthorizationRequest } from '@dome-verifier/client';
import { generateP256, trustedServiceEntry, type P256KeyPair } from '@dome-verifier/dev-issuer';
import { createWorld, newMachine, type World } from '../support/world.ts';

/** Never contacted: the flow stops at the redirect the login page would follow. */
const REDIRECT_URI = 'http://127.0.0.1/openid-client/callback';
const PUBLIC_CLIENT = 'openid-client-public';

describe('openid-client v6 as the relying party', () => {
  let w: World;
  let employee: string;
  const user = newMachine();
  const rp: P256KeyPair = generateP256();
  let rpKey: oidc.CryptoKey;

  before(async () => {
    const base = { url: 'http://127.0.0.1/openid-client', issuerUrl: 'http://127.0.0.1', grantTypes: ['authorization_code', 'refresh_token'], redirectUris: [REDIRECT_URI], scopes: ['openid_learcredential'] };
    const { jwkSetUrl: _none, ...publicEntry } = trustedServiceEntry({ ...base, clientId: PUBLIC_CLIENT });
    w = await createWorld({
      listen: true,
      env: { VERIFIER_BACKEND_REQUESTOBJECT_REQUIREAUD: 'true' },
      clients: [trustedServiceEntry({ ...base, clientId: rp.did }), { ...publicEntry, clientAuthenticationMethods: ['none'], requireProofKey: true }],
    });
    employee = w.issue({ kind: 'employee', shape: 'v2', mandatee: { id: user.did, firstName: 'Jane', lastName: 'Doe', email: 'jane@example.org' } });
    rpKey = await crypto.subtle.importKey('jwk', rp.privateJwk, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  });
  after(() => w?.close());

  /** openid-client works in real time; the world clock is frozen, so bring it to now first. */
  const syncClock = () => w.clock.set(Date.now());

  async function configure(clientId: string, auth: oidc.ClientAuth): Promise<oidc.Configuration> {
    const config = await oidc.discovery(new URL(w.issuer), clientId, {}, auth, { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks], timeout: 5 });
    assert.equal(config.serverMetadata().issuer, w.issuer);
    return config;
  }

  async function checks() {
    const pkceCodeVerifier = oidc.randomPKCECodeVerifier();
    return { pkceCodeVerifier, code_challenge: await oidc.calculatePKCECodeChallenge(pkceCodeVerifier), expectedState: oidc.randomState(), expectedNonce: oidc.randomNonce() };
  }

  /** What the browser would do: follow the authorization URL, let the wallet answer, wait for the outcome. */
  async function login(authorizationUrl: URL, state: string): Promise<URL> {
    assert.equal(authorizationUrl.origin, w.issuer);
    const start = await fetch(authorizationUrl, { redirect: 'manual' });
    const location = start.headers.get('location') ?? '';
    assert.equal(start.status, 302, `authorize answered ${start.status}: ${await start.text()}`);
    assert.equal(new URL(location).pathname, '/login', location);
    const cookie = (start.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    assert.match(cookie, /=/, 'the binding cookie');

    const answer = await answerAuthorizationRequest(location, { key: user.privateKey, credential: employee, now: () => w.clock.now() });
    assert.equal(answer.status, 200, answer.body);

    const deadline = Date.now() + 5_000;
    for (;;) {
      const res = await fetch(`${w.issuer}/api/login/status?state=${encodeURIComponent(state)}`, { headers: { cookie, accept: 'application/json' } });
      const body = (await res.json()) as { status?: string; redirect_to?: string };
      assert.equal(res.status, 200, JSON.stringify(body));
      if (body.redirect_to) return new URL(body.redirect_to);
      assert.equal(body.status, 'pending', JSON.stringify(body));
      if (Date.now() > deadline) assert.fail('no redirect_to within 5 s');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function grantAndRefresh(config: oidc.Configuration, clientId: string, callback: URL, c: Awaited<ReturnType<typeof checks>>): Promise<void> {
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: c.pkceCodeVerifier, expectedState: c.expectedState, expectedNonce: c.expectedNonce, idTokenExpected: true });
    assert.equal(tokens.token_type, 'bearer');
    assert.equal(tokens.expires_in, 3600);
    assert.ok(tokens.expiresIn()! >= 3598, 'expiresIn() counts down from 3600');
    assert.equal(tokens.scope, 'openid learcredential', 'the granted scope is returned (RFC 6749 §5.1)');
    const claims = tokens.claims();
    assert.ok(claims);
    assert.equal(claims.iss, w.issuer);
    assert.equal(claims.aud, clientId);
    assert.equal(claims.sub, user.did);
    assert.equal(claims.nonce, c.expectedNonce);
    assert.equal(claims.email, 'jane@example.org');
    assert.equal(claims.name, 'Jane Doe');
    assert.equal(typeof claims.vc_json, 'string');

    const rt1 = tokens.refresh_token;
    assert.ok(rt1);
    const refreshed = await oidc.refreshTokenGrant(config, rt1);
    assert.ok(refreshed.refresh_token);
    assert.notEqual(refreshed.refresh_token, rt1);
    assert.equal(refreshed.claims()?.sub, user.did);
    assert.equal(refreshed.claims()?.given_name, 'Jane');
    await assert.rejects(oidc.refreshTokenGrant(config, rt1), (e: unknown) => {
      assert.ok(e instanceof oidc.ResponseBodyError, String(e));
      assert.equal(e.error, 'invalid_grant');
      assert.equal(e.status, 400);
      return true;
    });
  }

  test('discovery: openid-client accepts our metadata (issuer, endpoints, ES256, PKCE, iss parameter)', async () => {
    const config = await configure(rp.did, oidc.PrivateKeyJwt({ key: rpKey, kid: rp.did }));
    const m = config.serverMetadata();
    assert.equal(m.authorization_endpoint, `${w.issuer}/oidc/authorize`);
    assert.equal(m.token_endpoint, `${w.issuer}/oidc/token`);
    assert.equal(m.jwks_uri, `${w.issuer}/oidc/jwks`);
    assert.deepEqual(m.id_token_signing_alg_values_supported, ['ES256']);
    assert.equal(m.supportsPKCE(), true);
    assert.equal(m.authorization_response_iss_parameter_supported, true);
  });

  test('a did:key confidential client (private_key_jwt, kid = did) logs in with PKCE, validates the ID token and refreshes', async () => {
    syncClock();
    const config = await configure(rp.did, oidc.PrivateKeyJwt({ key: rpKey, kid: rp.did }));
    const c = await checks();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid learcredential', code_challenge: c.code_challenge, code_challenge_method: 'S256', state: c.expectedState, nonce: c.expectedNonce });
    const callback = await login(url, c.expectedState);
    assert.equal(callback.searchParams.get('iss'), w.issuer);
    await grantAndRefresh(config, rp.did, callback, c);
  });

  test('the same client with a request object by value built by openid-client (buildAuthorizationUrlWithJAR)', async () => {
    syncClock();
    const config = await configure(rp.did, oidc.PrivateKeyJwt(rpKey));
    const c = await checks();
    const url = await oidc.buildAuthorizationUrlWithJAR(config, { redirect_uri: REDIRECT_URI, scope: 'openid learcredential', code_challenge: c.code_challenge, code_challenge_method: 'S256', state: c.expectedState, nonce: c.expectedNonce }, rpKey);
    assert.ok(url.searchParams.get('request'), 'request object by value');
    await grantAndRefresh(config, rp.did, await login(url, c.expectedState), c);
  });

  test('a public client (None + PKCE S256) logs in and refreshes', async () => {
    syncClock();
    const config = await configure(PUBLIC_CLIENT, oidc.None());
    const c = await checks();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid learcredential', code_challenge: c.code_challenge, code_challenge_method: 'S256', state: c.expectedState, nonce: c.expectedNonce });
    await grantAndRefresh(config, PUBLIC_CLIENT, await login(url, c.expectedState), c);
  });
});
