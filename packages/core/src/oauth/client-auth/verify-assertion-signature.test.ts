import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { decodeJws, signJws, type DecodedJws, type JwsHeader } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientKeyResolver } from './client-keys.ts';
import type { ClientAuthContext, ClientAuthDeps, ClientAuthState } from './context.ts';
import { resolveClientKey, verifyAssertionSignature } from './verify-assertion-signature.ts';

const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const clock = fixedClock(Date.parse('2025-06-01T12:00:00Z'));
const store = createMemoryStore({ clock });
after(() => store.close());

const p256 = () => generateKeyPairSync('ec', { namedCurve: 'P-256' });
const CLIENT_KEY = p256();
const OTHER_KEY = p256();
const ED_KEY = generateKeyPairSync('ed25519');
const P521_KEY = generateKeyPairSync('ec', { namedCurve: 'P-521' });

const CLIENT: RegisteredClient = {
  clientId: MACHINE, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl: undefined, tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
};

const assertion = (key: KeyObject = CLIENT_KEY.privateKey, header: Partial<JwsHeader> = {}): DecodedJws =>
  decodeJws(signJws({ alg: 'ES256', kid: MACHINE, ...header } as JwsHeader, { iss: MACHINE, sub: MACHINE, jti: 'j' }, key), { maxLength: 10_000 });

function ctx(state: ClientAuthState, clientKeys: ClientKeyResolver = { keysFor: () => Promise.reject(new Error('unexpected key lookup')) }): ClientAuthContext {
  const deps: ClientAuthDeps = {
    clock,
    store,
    policy: { issuer: 'https://verifier.test', clockSkewSeconds: 60, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true },
    clients: { get: () => undefined },
    clientKeys,
  };
  return { params: {}, authorizationHeader: undefined, deps, state };
}

function signatureRefused(c: ClientAuthContext): void {
  assert.throws(() => verifyAssertionSignature.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_ASSERTION_SIGNATURE');
    assert.equal(e.message, 'the client assertion signature does not verify');
    return true;
  });
}

describe('resolveClientKey', () => {
  test('is named resolve-client-key and stores the candidate keys the resolver returns for the client and header', async () => {
    assert.equal(resolveClientKey.name, 'resolve-client-key');
    const calls: Array<[RegisteredClient, JwsHeader]> = [];
    const a = assertion();
    const c = ctx({ assertion: a, client: CLIENT }, {
      async keysFor(client, header) {
        calls.push([client, header]);
        return [CLIENT_KEY.publicKey];
      },
    });
    await resolveClientKey.run(c);
    assert.deepEqual(c.state.candidateKeys, [CLIENT_KEY.publicKey]);
    assert.equal(calls.length, 1);
    assert.equal(calls[0]![0], CLIENT);
    assert.equal(calls[0]![1], a.header);
  });

  test('propagates resolver failures (unknown key, unavailable JWKS)', async () => {
    const failure = new VerifierError('ERR_CLIENT_JWKS_UNAVAILABLE', "the client's jwkSetUrl is unreachable; try again later");
    const c = ctx({ assertion: assertion(), client: CLIENT }, { keysFor: () => Promise.reject(failure) });
    await assert.rejects(async () => resolveClientKey.run(c), (e: unknown) => e === failure);
    assert.equal(c.state.candidateKeys, undefined);
  });

  test('does nothing until the assertion and the client are known', async () => {
    await resolveClientKey.run(ctx({ assertion: assertion() }));
    await resolveClientKey.run(ctx({ client: CLIENT }));
  });
});

describe('verifyAssertionSignature', () => {
  test('is named assertion-signature and accepts an assertion signed by the candidate key', () => {
    assert.equal(verifyAssertionSignature.name, 'assertion-signature');
    verifyAssertionSignature.run(ctx({ assertion: assertion(), client: CLIENT, candidateKeys: [CLIENT_KEY.publicKey] }));
  });

  test('tries every candidate key until one verifies', () => {
    verifyAssertionSignature.run(ctx({ assertion: assertion(), candidateKeys: [OTHER_KEY.publicKey, ED_KEY.publicKey, CLIENT_KEY.publicKey] }));
  });

  test('refuses an assertion signed by another key than the registered one', () => {
    signatureRefused(ctx({ assertion: assertion(OTHER_KEY.privateKey), candidateKeys: [CLIENT_KEY.publicKey] }));
  });

  test('refuses when no candidate key is of the type the alg requires', () => {
    signatureRefused(ctx({ assertion: assertion(), candidateKeys: [ED_KEY.publicKey] }));
  });

  test('refuses when the resolver found no candidate keys', () => {
    signatureRefused(ctx({ assertion: assertion(), candidateKeys: [] }));
  });

  test('refuses a tampered payload', () => {
    const [h, , s] = signJws({ alg: 'ES256', kid: MACHINE }, { iss: MACHINE, sub: MACHINE, jti: 'j' }, CLIENT_KEY.privateKey).split('.');
    const forged = decodeJws(`${h}.${Buffer.from(JSON.stringify({ iss: MACHINE, sub: MACHINE, jti: 'other' })).toString('base64url')}.${s}`, { maxLength: 10_000 });
    signatureRefused(ctx({ assertion: forged, candidateKeys: [CLIENT_KEY.publicKey] }));
  });

  test('refuses a valid signature made with an algorithm outside the assertion allow-list (ES512)', () => {
    const a = decodeJws(signJws({ alg: 'ES512' }, { iss: MACHINE }, P521_KEY.privateKey), { maxLength: 10_000 });
    signatureRefused(ctx({ assertion: a, candidateKeys: [P521_KEY.publicKey] }));
  });

  test('refuses a header naming jku even when the signature is valid (header policy is re-applied)', () => {
    signatureRefused(ctx({ assertion: assertion(CLIENT_KEY.privateKey, { jku: 'https://attacker.example/jwks' } as Partial<JwsHeader>), candidateKeys: [CLIENT_KEY.publicKey] }));
  });

  test('does nothing until candidate keys were resolved', () => {
    verifyAssertionSignature.run(ctx({ assertion: assertion(OTHER_KEY.privateKey), client: CLIENT }));
    verifyAssertionSignature.run(ctx({ candidateKeys: [CLIENT_KEY.publicKey] }));
  });
});
