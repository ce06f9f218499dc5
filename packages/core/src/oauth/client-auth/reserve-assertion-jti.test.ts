import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { DecodedJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientAuthContext, ClientAuthDeps, ClientAuthPolicy } from './context.ts';
import { reserveAssertionJti } from './reserve-assertion-jti.ts';

const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const OTHER = 'did:key:zDnaeTU39Wx9KXgmEwmfXsZSyEVxgCqwCVmoPyVQUTD8bhW8a';
const NOW_S = 1_748_779_200;
const NOW = NOW_S * 1000;
const SKEW = 60;

const client = (clientId: string): RegisteredClient => ({
  clientId, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl: undefined, tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
});

const stores: Store[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

/** A world with a frozen clock and one memory store shared by every request built from it. */
function world(policy: Partial<ClientAuthPolicy> = {}) {
  const clock = fixedClock(NOW);
  const store = createMemoryStore({ clock });
  stores.push(store);
  const deps: ClientAuthDeps = {
    clock,
    store,
    policy: { issuer: 'https://verifier.test', clockSkewSeconds: SKEW, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true, ...policy },
    clients: { get: () => undefined },
    clientKeys: { keysFor: () => Promise.reject(new Error('unexpected key lookup')) },
  };
  const request = (payload: Record<string, unknown>, withClient = true): ClientAuthContext => {
    const assertion: DecodedJws = { header: { alg: 'ES256' }, payload, signingInput: '', signature: Buffer.alloc(0) };
    const iss = typeof payload.iss === 'string' ? payload.iss : MACHINE;
    return { params: {}, authorizationHeader: undefined, deps, state: withClient ? { assertion, client: client(iss) } : { assertion } };
  };
  return { clock, store, request };
}

const claims = (extra: Record<string, unknown> = {}) => ({ iss: MACHINE, sub: MACHINE, jti: 'jti-1', exp: NOW_S + 60, ...extra });

async function replayed(c: ClientAuthContext): Promise<void> {
  await assert.rejects(async () => reserveAssertionJti.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_ASSERTION_REPLAYED');
    assert.equal(e.message, 'the client assertion was already used (jti)');
    return true;
  });
  assert.equal(c.state.replayKey, undefined);
}

describe('reserveAssertionJti', () => {
  test('is named assertion-replay', () => {
    assert.equal(reserveAssertionJti.name, 'assertion-replay');
  });

  test('reserves sha256(iss NUL jti) in the store and records the key for release', async () => {
    const w = world();
    const c = w.request(claims());
    await reserveAssertionJti.run(c);
    const expected = `jti:${createHash('sha256').update(`${MACHINE}\u0000jti-1`).digest('base64url')}`;
    assert.equal(c.state.replayKey, expected);
    assert.equal(await w.store.get(expected), '1');
  });

  test('refuses a second assertion with the same iss and jti', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims()));
    await replayed(w.request(claims({ exp: NOW_S + 120 })));
  });

  test('lets two clients use the same jti independently', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims()));
    await reserveAssertionJti.run(w.request(claims({ iss: OTHER, sub: OTHER })));
  });

  test('lets exactly one of two concurrent requests with the same jti through', async () => {
    const w = world();
    const results = await Promise.allSettled([reserveAssertionJti.run(w.request(claims())), reserveAssertionJti.run(w.request(claims()))]);
    assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  });

  test('keeps the reservation until exp + skew, then forgets it', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims()));
    w.clock.set((NOW_S + 60 + SKEW) * 1000 - 1);
    await replayed(w.request(claims()));
    w.clock.set((NOW_S + 60 + SKEW) * 1000);
    await reserveAssertionJti.run(w.request(claims()));
  });

  test('converts a millisecond exp before computing the reservation lifetime', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims({ exp: NOW + 60_000 })));
    w.clock.set((NOW_S + 60 + SKEW) * 1000 - 1);
    await replayed(w.request(claims()));
    w.clock.set((NOW_S + 60 + SKEW) * 1000);
    await reserveAssertionJti.run(w.request(claims()));
  });

  test('reserves for at least one second even when exp has (just) passed', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims({ exp: NOW_S - 3600 })));
    w.clock.advance(999);
    await replayed(w.request(claims()));
    w.clock.advance(1);
    await reserveAssertionJti.run(w.request(claims()));
  });

  test('a released reservation (request failed later) can be used again', async () => {
    const w = world();
    const c = w.request(claims());
    await reserveAssertionJti.run(c);
    await w.store.delete(c.state.replayKey!);
    await reserveAssertionJti.run(w.request(claims()));
  });

  test('writes nothing until the client is authenticated far enough to be known', async () => {
    const w = world();
    await reserveAssertionJti.run(w.request(claims(), false));
    assert.equal(w.store.size, 0);
  });
});
