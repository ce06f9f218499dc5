/**
 * The SDK machine client against the real verifier on 127.0.0.1: discovery, VP client assertion,
 * token cache with single-flight requests, refresh before expiry, and `client.fetch` retrying
 * once after a 401 from a protected API.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createMachineClient, TokenRequestError, type MachineClient } from '@dome-verifier/client';
import { createWorld, newMachine, type World } from '../support/world.ts';

interface Counter {
  fetch: typeof fetch;
  tokenRequests: () => number;
  discoveries: () => number;
}

/** A fetch that counts token and discovery requests on the way to the real network. */
function counting(): Counter {
  let tokens = 0;
  let discoveries = 0;
  return {
    fetch: (input, init) => {
      const path = new URL(input instanceof Request ? input.url : String(input)).pathname;
      if (path === '/oidc/token') tokens++;
      if (path === '/.well-known/openid-configuration') discoveries++;
      return fetch(input, init);
    },
    tokenRequests: () => tokens,
    discoveries: () => discoveries,
  };
}

describe('machine client against the real verifier', () => {
  let w: World;
  let credential: string;
  let jwks: JSONWebKeySet;
  before(async () => {
    w = await createWorld({ listen: true });
    credential = w.issue();
    jwks = (await (await fetch(`${w.issuer}/oidc/jwks`)).json()) as JSONWebKeySet;
  });
  after(() => w.close());

  const machineClient = (c: Counter, extra: { now?: () => number } = {}): MachineClient =>
    createMachineClient({ issuer: w.issuer, key: w.machine.privateKey, credential, fetch: c.fetch, now: extra.now ?? (() => w.clock.now()) });

  test('getToken returns an access token for the machine, signed by the verifier', async () => {
    const c = counting();
    const client = machineClient(c);
    const token = await client.getToken();
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: w.issuer, currentDate: new Date(w.clock.now()) });
    assert.equal(payload.sub, w.machine.did);
    assert.equal(payload.scope, 'machine learcredential');
    const response = await client.tokenResponse();
    assert.equal(response.token_type, 'Bearer');
    assert.equal(typeof response.expires_in, 'number');
    assert.equal(c.tokenRequests(), 1);
    assert.equal(c.discoveries(), 1);
  });

  test('five concurrent getToken calls make exactly one token request', async () => {
    const c = counting();
    const client = machineClient(c);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => client.getToken()));
    assert.equal(new Set(tokens).size, 1);
    assert.equal(c.tokenRequests(), 1);
    assert.equal(c.discoveries(), 1);
  });

  test('the token is cached until shortly before expiry, then refreshed', async () => {
    const c = counting();
    const client = machineClient(c);
    const first = await client.getToken();
    const expiresIn = (await client.tokenResponse()).expires_in!;
    const start = w.clock.now();
    try {
      w.clock.advance((expiresIn - 61) * 1000);
      assert.equal(await client.getToken(), first, 'still cached 61 s before expiry');
      assert.equal(c.tokenRequests(), 1);
      w.clock.advance(2_000);
      const second = await client.getToken();
      assert.notEqual(second, first, 'refreshed within the 60 s skew');
      assert.equal(c.tokenRequests(), 2);
      assert.equal(c.discoveries(), 1, 'discovery is fetched once');
    } finally {
      w.clock.set(start);
    }
  });

  test('an unregistered machine gets a TokenRequestError invalid_client without secrets in the message', async () => {
    const stranger = newMachine();
    const client = createMachineClient({ issuer: w.issuer, key: stranger.privateKey, credential: w.issue({ holder: stranger }), now: () => w.clock.now() });
    await assert.rejects(client.getToken(), (e: unknown) => {
      assert.ok(e instanceof TokenRequestError);
      assert.equal(e.error, 'invalid_client');
      assert.equal(e.status, 401);
      assert.ok(!/eyJ/.test(e.message));
      return true;
    });
  });

  describe('client.fetch against a protected API', () => {
    let api: Server;
    let apiUrl: string;
    const seen: Array<{ authorization: string | undefined; body: string }> = [];
    let rejectNext = 0;
    before(async () => {
      api = createServer((req, res) => {
        let body = '';
        req.setEncoding('utf8');
        req.on('data', (c: string) => (body += c));
        req.on('end', () => {
          seen.push({ authorization: req.headers.authorization, body });
          if (rejectNext > 0) {
            rejectNext--;
            res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end();
            return;
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
        });
      });
      await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
      apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/products`;
    });
    after(() => new Promise<void>((r) => api.close(() => r())));

    test('401 once then 200: exactly one retry, with a fresh token and the same body', async () => {
      const c = counting();
      const client = machineClient(c);
      seen.length = 0;
      rejectNext = 1;
      const res = await client.fetch(apiUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true });
      assert.equal(seen.length, 2, 'one retry');
      assert.match(seen[0]!.authorization ?? '', /^Bearer eyJ/);
      assert.match(seen[1]!.authorization ?? '', /^Bearer eyJ/);
      assert.notEqual(seen[0]!.authorization, seen[1]!.authorization, 'the retry uses a fresh token');
      assert.equal(seen[1]!.body, '{"name":"x"}');
      assert.equal(c.tokenRequests(), 2);
      // The fresh token is now cached: the next call reuses it.
      await (await client.fetch(apiUrl)).arrayBuffer();
      assert.equal(seen[2]!.authorization, seen[1]!.authorization);
      assert.equal(c.tokenRequests(), 2);
    });

    test('401 twice: the second 401 is returned, no further retry', async () => {
      const c = counting();
      const client = machineClient(c);
      seen.length = 0;
      rejectNext = 2;
      const res = await client.fetch(apiUrl);
      assert.equal(res.status, 401);
      assert.equal(seen.length, 2);
      assert.equal(c.tokenRequests(), 2);
    });
  });
});
