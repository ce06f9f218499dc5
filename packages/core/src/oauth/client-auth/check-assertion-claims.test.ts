import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DecodedJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientAuthContext, ClientAuthDeps, ClientAuthPolicy } from './context.ts';
import { acceptedAudiences, assertionExpiry, checkAssertionClaims } from './check-assertion-claims.ts';

const ISSUER = 'https://verifier.test';
const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const NOW_S = 1_748_779_200; // 2025-06-01T12:00:00Z
const NOW = NOW_S * 1000;
const SKEW = 60;
const MAX_LIFETIME = 300;
const clock = fixedClock(NOW);
const store = createMemoryStore({ clock });
after(() => store.close());

const CLIENT: RegisteredClient = {
  clientId: MACHINE, url: undefined, redirectUris: [], scopes: [], clientAuthenticationMethods: ['client_secret_jwt'], authorizationGrantTypes: ['client_credentials'],
  postLogoutRedirectUris: [], requireAuthorizationConsent: false, requireProofKey: false, jwkSetUrl: undefined, tokenEndpointAuthenticationSigningAlgorithm: 'ES256',
};

/** The claims the client SDK sends: 60 s lifetime, aud = issuer string. */
const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ iss: MACHINE, sub: MACHINE, aud: ISSUER, iat: NOW_S, exp: NOW_S + 60, jti: 'c8a011b6-2a88-418d-840e-68e0b81b39d1', vp_token: 'x', ...extra });

function ctx(payload: Record<string, unknown>, options: { nowMs?: number; policy?: Partial<ClientAuthPolicy>; withClient?: boolean } = {}): ClientAuthContext {
  const deps: ClientAuthDeps = {
    clock: fixedClock(options.nowMs ?? NOW),
    store,
    policy: { issuer: ISSUER, clockSkewSeconds: SKEW, maxAssertionLifetimeSeconds: MAX_LIFETIME, acceptMillisecondTimestamps: true, ...options.policy },
    clients: { get: () => undefined },
    clientKeys: { keysFor: () => Promise.reject(new Error('unexpected key lookup')) },
  };
  const assertion: DecodedJws = { header: { alg: 'ES256' }, payload, signingInput: '', signature: Buffer.alloc(0) };
  return { params: {}, authorizationHeader: undefined, deps, state: options.withClient === false ? { assertion } : { assertion, client: CLIENT } };
}

const accepts = (c: ClientAuthContext) => checkAssertionClaims.run(c);

function rejects(c: ClientAuthContext, code: ErrorCode, message: string): void {
  assert.throws(() => checkAssertionClaims.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.equal(e.message, message);
    return true;
  });
}

const without = (claim: string) => {
  const p = claims();
  delete p[claim];
  return p;
};

describe('checkAssertionClaims: presence and subject', () => {
  test('is named assertion-claims', () => {
    assert.equal(checkAssertionClaims.name, 'assertion-claims');
  });

  test('accepts the claims a DOME machine sends', () => {
    accepts(ctx(claims()));
  });

  test('refuses an assertion missing iss, sub, aud, exp or jti, naming the first missing claim', () => {
    for (const claim of ['iss', 'sub', 'aud', 'exp', 'jti']) rejects(ctx(without(claim)), 'ERR_ASSERTION_CLAIM_MISSING', `the client assertion has no ${claim}`);
    rejects(ctx({ vp_token: 'x' }), 'ERR_ASSERTION_CLAIM_MISSING', 'the client assertion has no iss');
  });

  test('does not require iat or nbf', () => {
    accepts(ctx(without('iat')));
    accepts(ctx(claims({ nbf: NOW_S })));
  });

  test('refuses an iss or sub that is not a string', () => {
    rejects(ctx(claims({ iss: 42 })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion iss must be a string');
    rejects(ctx(claims({ sub: [MACHINE] })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion sub must be a string');
  });

  test('refuses an iss or sub other than the client_id', () => {
    const message = 'the client assertion iss and sub must equal the client_id';
    rejects(ctx(claims({ sub: 'did:key:zDnaeOther' })), 'ERR_ASSERTION_SUBJECT', message);
    rejects(ctx(claims({ iss: 'did:key:zDnaeOther' })), 'ERR_ASSERTION_SUBJECT', message);
    rejects(ctx(claims({ iss: `${MACHINE}#key-1`, sub: `${MACHINE}#key-1` })), 'ERR_ASSERTION_SUBJECT', message);
  });
});

describe('checkAssertionClaims: audience', () => {
  test('accepts the issuer, the issuer with a trailing slash and the token endpoint', () => {
    assert.deepEqual([...acceptedAudiences(ISSUER)], [ISSUER, `${ISSUER}/`, `${ISSUER}/oidc/token`]);
    for (const aud of acceptedAudiences(ISSUER)) accepts(ctx(claims({ aud })));
  });

  test('an issuer with a path (IN2 V3 `/verifier`) also accepts the same three forms of its origin, and nothing else on that host', () => {
    const issuer = 'https://verifier.test/verifier';
    assert.deepEqual([...acceptedAudiences(issuer)], [issuer, `${issuer}/`, `${issuer}/oidc/token`, 'https://verifier.test', 'https://verifier.test/', 'https://verifier.test/oidc/token']);
    for (const aud of ['https://verifier.test/other', 'https://verifier.test/verifierx', `${issuer}/oidc/authorize`]) assert.equal(acceptedAudiences(issuer).has(aud), false, aud);
  });

  test('the accepted audiences of an issuer are worked out once, and another issuer gets its own', () => {
    const set = acceptedAudiences(ISSUER);
    assert.equal(acceptedAudiences(ISSUER), set, 'no URL parsing per request');
    assert.equal(acceptedAudiences('https://other.test').has(ISSUER), false);
    assert.equal(acceptedAudiences(ISSUER), set);
  });

  test('refuses an audience that is not this server', () => {
    const message = 'the client assertion aud is not this server';
    for (const aud of ['https://other.example', `${ISSUER}/oidc/authorize`, 'https://verifier.test.evil', 'HTTPS://VERIFIER.TEST', '']) {
      rejects(ctx(claims({ aud })), 'ERR_ASSERTION_AUDIENCE', message);
    }
  });

  test('accepts an audience array only when every member identifies this server', () => {
    accepts(ctx(claims({ aud: [ISSUER] })));
    accepts(ctx(claims({ aud: [ISSUER, `${ISSUER}/oidc/token`] })));
    rejects(ctx(claims({ aud: [ISSUER, 'https://other.example'] })), 'ERR_ASSERTION_AUDIENCE', 'every client assertion aud must identify this server');
  });

  test('refuses an empty audience array and non-string audiences', () => {
    const message = 'the client assertion aud must be a string or an array of strings';
    for (const aud of [[], [ISSUER, 1], 42, { ISSUER }, null, true]) rejects(ctx(claims({ aud })), 'ERR_ASSERTION_CLAIM_INVALID', message);
  });
});

describe('checkAssertionClaims: jti', () => {
  test('accepts a jti of 1 to 256 characters', () => {
    accepts(ctx(claims({ jti: 'j' })));
    accepts(ctx(claims({ jti: 'j'.repeat(256) })));
  });

  test('refuses an empty, over-long or non-string jti', () => {
    const message = 'the client assertion jti must be a non-empty string of at most 256 characters';
    for (const jti of ['', 'j'.repeat(257), 42, null, ['j']]) rejects(ctx(claims({ jti })), 'ERR_ASSERTION_CLAIM_INVALID', message);
  });
});

describe('checkAssertionClaims: times', () => {
  const EXPIRED = ['ERR_ASSERTION_EXPIRED', 'the client assertion has expired'] as const;

  test('refuses an expired assertion', () => {
    rejects(ctx(claims({ iat: NOW_S - 3600, exp: NOW_S - 3000 })), ...EXPIRED);
  });

  test('the skew extends exp: accepted while now − skew < exp, refused at exactly exp = now − skew', () => {
    accepts(ctx(claims({ iat: NOW_S - 120, exp: NOW_S - SKEW + 1 })));
    rejects(ctx(claims({ iat: NOW_S - 120, exp: NOW_S - SKEW })), ...EXPIRED);
    accepts(ctx(claims({ exp: NOW_S }), { nowMs: NOW + SKEW * 1000 - 1 }));
    rejects(ctx(claims({ exp: NOW_S }), { nowMs: NOW + SKEW * 1000 }), ...EXPIRED);
  });

  test('refuses an exp further ahead than the maximum lifetime plus skew', () => {
    accepts(ctx(claims({ exp: NOW_S + MAX_LIFETIME + SKEW })));
    rejects(ctx(claims({ exp: NOW_S + MAX_LIFETIME + SKEW + 1 })), 'ERR_ASSERTION_LIFETIME', `the client assertion exp must be at most ${MAX_LIFETIME} s ahead`);
    rejects(ctx(claims({ exp: NOW_S + 365 * 86_400 })), 'ERR_ASSERTION_LIFETIME', `the client assertion exp must be at most ${MAX_LIFETIME} s ahead`);
  });

  test('refuses an iat in the future beyond the skew', () => {
    accepts(ctx(claims({ iat: NOW_S + SKEW })));
    rejects(ctx(claims({ iat: NOW_S + SKEW + 1 })), 'ERR_ASSERTION_NOT_YET_VALID', 'the client assertion iat lies in the future');
  });

  test('refuses an nbf in the future beyond the skew', () => {
    accepts(ctx(claims({ nbf: NOW_S + SKEW })));
    rejects(ctx(claims({ nbf: NOW_S + SKEW + 1 })), 'ERR_ASSERTION_NOT_YET_VALID', 'the client assertion is not yet valid (nbf)');
  });

  test('accepts iat/exp in milliseconds when the policy allows it (the IN2 issuer M2M client)', () => {
    accepts(ctx(claims({ iat: NOW, exp: NOW + 60_000 })));
    rejects(ctx(claims({ iat: NOW - 3_600_000, exp: NOW - 3_000_000 })), ...EXPIRED);
    rejects(ctx(claims({ exp: NOW + 3_600_000 })), 'ERR_ASSERTION_LIFETIME', `the client assertion exp must be at most ${MAX_LIFETIME} s ahead`);
  });

  test('refuses millisecond dates when the policy does not allow them', () => {
    const strict = { policy: { acceptMillisecondTimestamps: false } };
    rejects(ctx(claims({ iat: NOW_S, exp: NOW + 60_000 }), strict), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion exp must be a NumericDate');
    rejects(ctx(claims({ iat: NOW, exp: NOW_S + 60 }), strict), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion iat must be a NumericDate');
  });

  test('refuses exp, iat or nbf that are not NumericDates', () => {
    for (const bad of [String(NOW_S + 60), null, -1, true]) {
      rejects(ctx(claims({ exp: bad })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion exp must be a NumericDate');
      rejects(ctx(claims({ iat: bad })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion iat must be a NumericDate');
      rejects(ctx(claims({ nbf: bad })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion nbf must be a NumericDate');
    }
  });

  test('checks subject before audience, audience before jti, and jti before times', () => {
    rejects(ctx(claims({ sub: 'x', aud: 'https://other.example' })), 'ERR_ASSERTION_SUBJECT', 'the client assertion iss and sub must equal the client_id');
    rejects(ctx(claims({ aud: 'https://other.example', jti: '' })), 'ERR_ASSERTION_AUDIENCE', 'the client assertion aud is not this server');
    rejects(ctx(claims({ jti: '', exp: NOW_S - 3600 })), 'ERR_ASSERTION_CLAIM_INVALID', 'the client assertion jti must be a non-empty string of at most 256 characters');
  });

  test('does nothing until the client is known', () => {
    checkAssertionClaims.run(ctx({}, { withClient: false }));
  });
});

describe('assertionExpiry', () => {
  test('returns exp in seconds, converting milliseconds when allowed, and 0 when unreadable', () => {
    assert.equal(assertionExpiry({ exp: NOW_S + 60 }, false), NOW_S + 60);
    assert.equal(assertionExpiry({ exp: NOW + 60_000 }, true), NOW_S + 60);
    assert.equal(assertionExpiry({ exp: NOW + 60_000 }, false), 0);
    assert.equal(assertionExpiry({}, true), 0);
    assert.equal(assertionExpiry({ exp: 'soon' }, true), 0);
  });
});
