import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedJws, JwsHeader } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientAuthContext, ClientAuthDeps } from './context.ts';
import { ASSERTION_ALGORITHMS, checkAssertionHeader } from './check-assertion-header.ts';

const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const clock = fixedClock(Date.parse('2025-06-01T12:00:00Z'));
const store = createMemoryStore({ clock });
after(() => store.close());

const registered = (alg: string | undefined): RegisteredClient => ({
  clientId: MACHINE, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl: undefined, tokenEndpointAuthenticationSigningAlgorithm: alg,
});

const DEPS: ClientAuthDeps = {
  clock,
  store,
  policy: { issuer: 'https://verifier.test', clockSkewSeconds: 60, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true },
  clients: { get: () => undefined },
  clientKeys: { keysFor: () => Promise.reject(new Error('unexpected key lookup')) },
};

/** `registeredAlg` null: the client registered no tokenEndpointAuthenticationSigningAlgorithm. */
function ctx(header: Record<string, unknown>, registeredAlg: string | null = 'ES256', withClient = true): ClientAuthContext {
  const assertion: DecodedJws = { header: header as JwsHeader, payload: { iss: MACHINE }, signingInput: '', signature: Buffer.alloc(0) };
  return { params: {}, authorizationHeader: undefined, deps: DEPS, state: withClient ? { assertion, client: registered(registeredAlg ?? undefined) } : { assertion } };
}

function rejects(c: ClientAuthContext, code: ErrorCode, message: string): VerifierError {
  let error: VerifierError | undefined;
  assert.throws(() => checkAssertionHeader.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.message, message);
    error = e;
    return true;
  });
  return error!;
}

describe('checkAssertionHeader', () => {
  test('is named assertion-header and allows only asymmetric algorithms', () => {
    assert.equal(checkAssertionHeader.name, 'assertion-header');
    assert.deepEqual([...ASSERTION_ALGORITHMS], ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA']);
  });

  test('accepts the DOME client header {alg: ES256, typ: JWT, kid}', () => {
    checkAssertionHeader.run(ctx({ alg: 'ES256', typ: 'JWT', kid: MACHINE }));
  });

  test('accepts the header without typ, and typ values naming a client assertion, in any case', () => {
    checkAssertionHeader.run(ctx({ alg: 'ES256' }));
    for (const typ of ['JWT', 'jwt', 'client-authentication+jwt', 'application/client-authentication+jwt', 'application/jwt', 'Application/JWT']) {
      checkAssertionHeader.run(ctx({ alg: 'ES256', typ }));
    }
  });

  test('refuses a typ that names another kind of JWT (explicit typing, RFC 8725 §3.11)', () => {
    for (const typ of ['at+jwt', 'dpop+jwt', 'vp+jwt', 'vc+jwt', 'JOSE', '']) {
      rejects(ctx({ alg: 'ES256', typ }), 'ERR_ASSERTION_HEADER', 'the client assertion typ names another kind of JWT');
    }
  });

  test('refuses an algorithm other than the one the client registered', () => {
    rejects(ctx({ alg: 'ES384' }, 'ES256'), 'ERR_ASSERTION_ALG', 'the client assertion must be signed with ES256');
    rejects(ctx({ alg: 'ES256' }, 'RS256'), 'ERR_ASSERTION_ALG', 'the client assertion must be signed with RS256');
  });

  test('allows any server-accepted algorithm when the client registered none', () => {
    for (const alg of ASSERTION_ALGORITHMS) checkAssertionHeader.run(ctx({ alg }, null));
  });

  test('refuses algorithms outside the server allow-list even when the client registered them', () => {
    for (const alg of ['ES512', 'PS512', 'RS512']) {
      rejects(ctx({ alg }, null), 'ERR_ASSERTION_ALG', `client assertion header: JWS alg "${alg}" is not allowed here`);
      rejects(ctx({ alg }, alg), 'ERR_ASSERTION_ALG', `client assertion header: JWS alg "${alg}" is not allowed here`);
    }
  });

  test('truncates a registered algorithm in the message', () => {
    rejects(ctx({ alg: 'ES256' }, 'X'.repeat(40)), 'ERR_ASSERTION_ALG', `the client assertion must be signed with ${'X'.repeat(16)}`);
  });

  test('refuses jku and x5u (keys named by URL)', () => {
    for (const name of ['jku', 'x5u']) {
      const e = rejects(ctx({ alg: 'ES256', [name]: 'https://attacker.example/keys' }), 'ERR_ASSERTION_HEADER', `client assertion header: JWS header parameter "${name}" is not supported`);
      assert.ok(e.cause instanceof JoseError);
    }
  });

  test('refuses a critical extension the server does not understand, even sigT', () => {
    rejects(ctx({ alg: 'ES256', crit: ['sigT'], sigT: '2025-06-01T12:00:00Z' }), 'ERR_ASSERTION_HEADER', 'client assertion header: JWS critical header parameter "sigT" is not understood');
    rejects(ctx({ alg: 'ES256', crit: ['alg'] }), 'ERR_ASSERTION_HEADER', 'client assertion header: JWS header crit lists an invalid parameter');
  });

  test('does not judge an embedded jwk here (the key resolver does)', () => {
    checkAssertionHeader.run(ctx({ alg: 'ES256', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }));
  });

  test('does nothing until both the assertion and the client are known', () => {
    checkAssertionHeader.run(ctx({ alg: 'HS256', jku: 'x' }, 'ES256', false));
    checkAssertionHeader.run({ params: {}, authorizationHeader: undefined, deps: DEPS, state: {} });
  });
});
