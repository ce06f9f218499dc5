import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientAuthContext, ClientAuthDeps } from './context.ts';
import { findClient } from './find-client.ts';

const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const clock = fixedClock(Date.parse('2025-06-01T12:00:00Z'));
const store = createMemoryStore({ clock });
after(() => store.close());

const registered = (clientId: string, extra: Partial<RegisteredClient> = {}): RegisteredClient => ({
  clientId, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl: undefined, tokenEndpointAuthenticationSigningAlgorithm: 'ES256', ...extra,
});

const CLIENTS = new Map<string, RegisteredClient>([
  [MACHINE, registered(MACHINE)],
  ['pkjwt', registered('pkjwt', { clientAuthenticationMethods: ['private_key_jwt'] })],
  ['basic-only', registered('basic-only', { clientAuthenticationMethods: ['client_secret_basic', 'client_secret_post'] })],
  ['no-methods', registered('no-methods', { clientAuthenticationMethods: [] })],
  ['public-rp', registered('public-rp', { clientAuthenticationMethods: ['none'], authorizationGrantTypes: ['authorization_code'] })],
]);

function ctx(payload: Record<string, unknown> | undefined, params: Record<string, string> = {}, publicClient = false): ClientAuthContext & { lookups: string[] } {
  const lookups: string[] = [];
  const deps: ClientAuthDeps = {
    clock,
    store,
    policy: { issuer: 'https://verifier.test', clockSkewSeconds: 60, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true },
    clients: {
      get(id) {
        lookups.push(id);
        return CLIENTS.get(id);
      },
    },
    clientKeys: { keysFor: () => Promise.reject(new Error('unexpected key lookup')) },
  };
  const assertion: DecodedJws | undefined = payload && { header: { alg: 'ES256' }, payload, signingInput: '', signature: Buffer.alloc(0) };
  return { params, authorizationHeader: undefined, deps, state: assertion ? { assertion } : publicClient ? { publicClient } : {}, lookups };
}

function rejects(c: ClientAuthContext, code: ErrorCode, message: string): void {
  assert.throws(() => findClient.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.message, message);
    return true;
  });
  assert.equal(c.state.client, undefined);
}

describe('findClient', () => {
  test('is named find-client', () => {
    assert.equal(findClient.name, 'find-client');
  });

  test('finds the client the assertion iss names in the Trusted Services List (RFC 7523: no client_id needed)', () => {
    const c = ctx({ iss: MACHINE });
    findClient.run(c);
    assert.equal(c.state.client?.clientId, MACHINE);
    assert.deepEqual(c.lookups, [MACHINE]);
  });

  test('accepts a client_id parameter equal to the assertion iss', () => {
    const c = ctx({ iss: MACHINE }, { client_id: MACHINE });
    findClient.run(c);
    assert.equal(c.state.client?.clientId, MACHINE);
  });

  test('refuses a client_id parameter that differs from the assertion iss, before any lookup', () => {
    const c = ctx({ iss: MACHINE }, { client_id: 'pkjwt' });
    rejects(c, 'ERR_ASSERTION_SUBJECT', 'client_id differs from the client assertion iss');
    assert.deepEqual(c.lookups, []);
  });

  test('uses client_id when the assertion iss is missing or not a string (the claims step rejects it later)', () => {
    for (const payload of [{}, { iss: 42 }, { iss: ['x'] }]) {
      const c = ctx(payload, { client_id: MACHINE });
      findClient.run(c);
      assert.equal(c.state.client?.clientId, MACHINE);
    }
  });

  test('refuses a request that names no client at all', () => {
    rejects(ctx({ sub: MACHINE }), 'ERR_ASSERTION_CLAIM_MISSING', 'the client assertion has no iss and no client_id was sent');
    rejects(ctx({ iss: '' }), 'ERR_ASSERTION_CLAIM_MISSING', 'the client assertion has no iss and no client_id was sent');
  });

  test('refuses a client that is not in the Trusted Services List', () => {
    rejects(ctx({ iss: 'did:key:zDnaeUnknown' }), 'ERR_CLIENT_UNKNOWN', 'unknown client');
    rejects(ctx(undefined, { client_id: 'nobody' }), 'ERR_CLIENT_UNKNOWN', 'unknown client');
  });

  test('accepts clients registered for client_secret_jwt (DOME label for a key-based JWT) or private_key_jwt', () => {
    const c = ctx({ iss: 'pkjwt' });
    findClient.run(c);
    assert.equal(c.state.client?.clientId, 'pkjwt');
  });

  test('refuses a client not registered for JWT client authentication', () => {
    const message = 'the client is not registered for JWT client authentication';
    rejects(ctx({ iss: 'basic-only' }), 'ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', message);
    rejects(ctx({ iss: 'no-methods' }), 'ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', message);
  });

  test('matches client ids exactly (no case folding, no trimming)', () => {
    rejects(ctx({ iss: MACHINE.toUpperCase() }), 'ERR_CLIENT_UNKNOWN', 'unknown client');
    rejects(ctx({ iss: ` ${MACHINE}` }), 'ERR_CLIENT_UNKNOWN', 'unknown client');
  });

  test('accepts a credential-less (public) request only for a client registered with method none', () => {
    const c = ctx(undefined, { client_id: 'public-rp' }, true);
    findClient.run(c);
    assert.equal(c.state.client?.clientId, 'public-rp');
  });

  test('refuses a credential-less request for a client registered for JWT authentication (no downgrade to none)', () => {
    for (const id of [MACHINE, 'pkjwt', 'basic-only']) {
      rejects(ctx(undefined, { client_id: id }, true), 'ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
    }
  });

  test('refuses a JWT assertion from a client registered only with method none', () => {
    rejects(ctx({ iss: 'public-rp' }), 'ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'the client is not registered for JWT client authentication');
  });
});
