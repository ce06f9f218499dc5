/**
 * The IN2 V3 deployment shape, part 1: a base path (`/verifier`) in `verifier.backend.url`.
 * With `verifier.backend.serveUnderIssuerPath` every public route is served under that path
 * (no prefix-stripping proxy in front); without it the routes stay at the root (a proxy strips
 * the prefix, the default). Either way the issuer, discovery and `response_uri` carry the path,
 * the RFC 8414 path-inserted discovery URL answers, and client assertions are accepted with
 * `aud` with or without the path. Real sockets.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMachineTokenRequest } from '@dome-verifier/client';
import { createWorld, decodePart, type World } from '../support/world.ts';
import { rpClientEntry, RP_CALLBACK } from '../support/h2m-session.ts';
import { newMachine } from '../support/world.ts';
import { pkcePair } from '../support/h2m.ts';

const PATH = '/verifier';

async function assertionWithAud(w: World, aud: string): Promise<URLSearchParams> {
  const req = await createMachineTokenRequest({ issuer: aud, key: w.machine.privateKey, credential: w.issue(), now: () => w.clock.now() });
  return req.body;
}

async function postToken(url: string, body: URLSearchParams): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

describe('base path served under the issuer path (verifier.backend.serveUnderIssuerPath)', () => {
  let w: World;
  let origin: string;
  const rp = newMachine();
  before(async () => {
    w = await createWorld({ listen: true, issuerPath: PATH, env: { VERIFIER_BACKEND_SERVEUNDERISSUERPATH: 'true' }, clients: [rpClientEntry(rp)] });
    origin = new URL(w.issuer).origin;
  });
  after(() => w.close());

  test('discovery answers at {issuer}/.well-known/* and at the RFC 8414 path-inserted URLs, with every endpoint under the path and reachable', async () => {
    const urls = [
      `${w.issuer}/.well-known/openid-configuration`,
      `${w.issuer}/.well-known/oauth-authorization-server`,
      `${origin}/.well-known/oauth-authorization-server${PATH}`,
      `${origin}/.well-known/openid-configuration${PATH}`,
    ];
    for (const url of urls) {
      const res = await fetch(url);
      assert.equal(res.status, 200, url);
      const doc = (await res.json()) as Record<string, string>;
      assert.equal(doc.issuer, w.issuer, url);
      for (const key of ['token_endpoint', 'jwks_uri', 'authorization_endpoint', 'revocation_endpoint', 'introspection_endpoint']) {
        assert.ok(doc[key]!.startsWith(`${w.issuer}/oidc/`), `${key} ${doc[key]}`);
      }
      const jwks = await fetch(doc.jwks_uri!);
      assert.equal(jwks.status, 200);
    }
  });

  test('the root no longer serves the routes (everything is under the path)', async () => {
    for (const path of ['/oidc/jwks', '/.well-known/openid-configuration', '/oidc/token', '/login']) {
      assert.equal((await fetch(`${origin}${path}`)).status, 404, path);
    }
  });

  test('a machine login at {issuer}/oidc/token is accepted with aud = the issuer, with or without the path, with a trailing slash or the token endpoint', async () => {
    for (const aud of [w.issuer, `${w.issuer}/`, `${w.issuer}/oidc/token`, origin, `${origin}/`, `${origin}/oidc/token`]) {
      const res = await postToken(`${w.issuer}/oidc/token`, await assertionWithAud(w, aud));
      assert.equal(res.status, 200, `${aud}: ${JSON.stringify(res.json)}`);
      assert.equal(decodePart(String(res.json.access_token)).iss, w.issuer);
    }
  });

  test('an assertion whose aud is another path on the same host is refused with 401 invalid_client and no token', async () => {
    for (const aud of [`${origin}/other`, `${origin}/verifierx`, `${w.issuer}/oidc/authorize`]) {
      const res = await postToken(`${w.issuer}/oidc/token`, await assertionWithAud(w, aud));
      assert.equal(res.status, 401, aud);
      assert.equal(res.json.error, 'invalid_client');
      assert.equal(res.json.access_token, undefined);
    }
  });

  test('the login starts under the path: /login redirect, request_uri and response_uri carry it, and the login page answers', async () => {
    const { challenge } = pkcePair();
    const params = new URLSearchParams({ client_id: rp.did, redirect_uri: RP_CALLBACK, response_type: 'code', scope: 'openid learcredential', state: 'st-1', nonce: 'n-1', code_challenge: challenge, code_challenge_method: 'S256' });
    const res = await fetch(`${w.issuer}/oidc/authorize?${params}`, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    const location = new URL(res.headers.get('location')!);
    assert.equal(`${location.origin}${location.pathname}`, `${w.issuer}/login`);
    const authRequest = location.searchParams.get('authRequest')!;
    const requestUri = new URL(authRequest.replace('openid4vp://', 'https://x/')).searchParams.get('request_uri')!;
    assert.ok(requestUri.startsWith(`${w.issuer}/oid4vp/auth-request/`), requestUri);
    const ro = await fetch(requestUri);
    assert.equal(ro.status, 200);
    assert.equal(decodePart(await ro.text()).response_uri, `${w.issuer}/oid4vp/auth-response`);
    const page = await fetch(location, { headers: { cookie: res.headers.get('set-cookie')!.split(';')[0]! } });
    assert.equal(page.status, 200);
  });
});

describe('base path behind a prefix-stripping proxy (the default)', () => {
  let w: World;
  before(async () => {
    w = await createWorld({ issuerPath: PATH });
  });
  after(() => w.close());

  test('routes stay at the root while discovery names the issuer with its path; the RFC 8414 path-inserted URL answers too', async () => {
    for (const url of ['/.well-known/openid-configuration', `/.well-known/oauth-authorization-server${PATH}`, `/.well-known/openid-configuration${PATH}`]) {
      const res = await w.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.equal(res.json().issuer, w.issuer);
      assert.equal(res.json().token_endpoint, `${w.issuer}/oidc/token`);
    }
    assert.equal((await w.app.inject({ method: 'GET', url: `${PATH}/oidc/jwks` })).statusCode, 404);
  });

  test('client assertions are accepted with aud with or without the path', async () => {
    const origin = new URL(w.issuer).origin;
    for (const aud of [w.issuer, origin, `${origin}/oidc/token`]) {
      const res = await w.post(await assertionWithAud(w, aud));
      assert.equal(res.status, 200, `${aud}: ${JSON.stringify(res.json)}`);
    }
  });
});
