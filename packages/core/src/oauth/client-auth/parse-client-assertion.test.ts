import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signJws } from '../../jose/jws.ts';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { ErrorCode } from '../../errors/codes.ts';
import type { ClientAuthContext, ClientAuthDeps } from './context.ts';
import { JWT_BEARER, MAX_ASSERTION_LENGTH, parseClientAssertion } from './parse-client-assertion.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const CLIENT = 'did:key:zDnaeTU39Wx9KXgmEwmfXsZSyEVxgCqwCVmoPyVQUTD8bhW8a';
const clock = fixedClock(NOW);
const store = createMemoryStore({ clock });
after(() => store.close());

/** Only the request is read in this step: every dependency throws. */
const DEPS: ClientAuthDeps = {
  clock,
  store,
  policy: { issuer: 'https://verifier.test', clockSkewSeconds: 60, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true },
  clients: {
    get() {
      throw new Error('unexpected client lookup');
    },
  },
  clientKeys: { keysFor: () => Promise.reject(new Error('unexpected key lookup')) },
};

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const ASSERTION = signJws({ alg: 'ES256', typ: 'JWT', kid: CLIENT }, { iss: CLIENT, sub: CLIENT, aud: 'https://verifier.test', jti: 'j1', exp: NOW / 1000 + 60 }, KEY);

function ctx(params: Record<string, string>, authorizationHeader?: string): ClientAuthContext {
  return { params, authorizationHeader, deps: DEPS, state: {} };
}
const form = (extra: Record<string, string> = {}) => ({ grant_type: 'client_credentials', client_assertion_type: JWT_BEARER, client_assertion: ASSERTION, ...extra });

function rejects(c: ClientAuthContext, code: ErrorCode, message: string | RegExp): VerifierError {
  let error: VerifierError | undefined;
  assert.throws(() => parseClientAssertion.run(c), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    error = e;
    return true;
  });
  assert.equal(c.state.assertion, undefined);
  return error!;
}

describe('parseClientAssertion', () => {
  test('is named parse-client-assertion and uses the RFC 7523 assertion type', () => {
    assert.equal(parseClientAssertion.name, 'parse-client-assertion');
    assert.equal(JWT_BEARER, 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
  });

  test('decodes a JWT-bearer client assertion into state without verifying it', () => {
    const c = ctx(form());
    parseClientAssertion.run(c);
    assert.equal(c.state.assertion?.header.kid, CLIENT);
    assert.equal(c.state.assertion?.payload.iss, CLIENT);
    assert.equal(c.state.client, undefined);
  });

  test('refuses a request without any client authentication', () => {
    rejects(ctx({ grant_type: 'client_credentials' }), 'ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
    rejects(ctx(form({ client_assertion: '' })), 'ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
  });

  test('treats a request that names a client_id and sends no credentials at all as a public client (decided against the registration later)', () => {
    const c = ctx({ grant_type: 'authorization_code', client_id: 'rp' });
    parseClientAssertion.run(c);
    assert.equal(c.state.publicClient, true);
    assert.equal(c.state.assertion, undefined);
  });

  test('a client_assertion_type without a client_assertion is a missing assertion, not a public client', () => {
    rejects(ctx({ client_id: 'rp', client_assertion_type: JWT_BEARER }), 'ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
    rejects(ctx({ client_id: 'rp', client_assertion_type: JWT_BEARER, client_assertion: '' }), 'ERR_CLIENT_AUTH_MISSING', 'client authentication is required (client_assertion)');
  });

  test('refuses more than one client authentication method', () => {
    const message = 'use exactly one client authentication method';
    rejects(ctx(form(), 'Basic Y2xpZW50OnNlY3JldA=='), 'ERR_CLIENT_AUTH_MULTIPLE', message);
    rejects(ctx(form({ client_secret: 's' })), 'ERR_CLIENT_AUTH_MULTIPLE', message);
    rejects(ctx({ client_secret: 's' }, 'Basic Y2xpZW50OnNlY3JldA=='), 'ERR_CLIENT_AUTH_MULTIPLE', message);
  });

  test('refuses client_secret_post (a shared secret is never accepted)', () => {
    rejects(ctx({ grant_type: 'client_credentials', client_id: CLIENT, client_secret: 's' }), 'ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'client_secret authentication is not supported; use a JWT client assertion');
  });

  test('refuses HTTP Basic client authentication', () => {
    rejects(ctx({ grant_type: 'client_credentials' }, 'Basic Y2xpZW50OnNlY3JldA=='), 'ERR_CLIENT_AUTH_METHOD_NOT_ALLOWED', 'HTTP Basic client authentication is not supported; use a JWT client assertion');
  });

  test('refuses a missing or different client_assertion_type', () => {
    const message = `client_assertion_type must be ${JWT_BEARER}`;
    rejects(ctx({ client_assertion: ASSERTION }), 'ERR_CLIENT_ASSERTION_TYPE', message);
    rejects(ctx(form({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:saml2-bearer' })), 'ERR_CLIENT_ASSERTION_TYPE', message);
    rejects(ctx(form({ client_assertion_type: JWT_BEARER.toUpperCase() })), 'ERR_CLIENT_ASSERTION_TYPE', message);
  });

  test('refuses an assertion that is not a compact JWS', () => {
    const e = rejects(ctx(form({ client_assertion: 'abc.def' })), 'ERR_ASSERTION_MALFORMED', 'client_assertion is invalid: must have three segments');
    assert.equal((e.cause as { code?: string }).code, 'ERR_JWS_MALFORMED');
    rejects(ctx(form({ client_assertion: `${ASSERTION}=` })), 'ERR_ASSERTION_MALFORMED', 'client_assertion is invalid: segments must be unpadded base64url');
    rejects(ctx(form({ client_assertion: `${b64u('{"alg":"ES256"')}.${b64u({})}.c2ln` })), 'ERR_ASSERTION_MALFORMED', 'client_assertion is invalid: header is not valid JSON');
  });

  test('refuses an encrypted (JWE) assertion', () => {
    rejects(ctx(form({ client_assertion: `${b64u({ alg: 'RSA-OAEP', enc: 'A256GCM' })}.a.b.c.d` })), 'ERR_ASSERTION_MALFORMED', /^client_assertion .*encrypted JWTs \(JWE\) are not accepted here$/);
  });

  test('refuses alg none and HMAC algorithms with the algorithm code', () => {
    for (const alg of ['none', 'HS256', 'HS512']) {
      rejects(ctx(form({ client_assertion: `${b64u({ alg })}.${b64u({ iss: CLIENT })}.c2ln` })), 'ERR_ASSERTION_ALG', `client_assertion is invalid: alg "${alg}" is not accepted`);
    }
  });

  test('refuses repeated member names in the header and in the payload', () => {
    const dupHeader = `${b64u('{"alg":"ES256","alg":"none"}')}.${b64u({ iss: CLIENT })}.c2ln`;
    rejects(ctx(form({ client_assertion: dupHeader })), 'ERR_ASSERTION_MALFORMED', 'client_assertion is invalid: header repeats a member name');
    const [h, , s] = ASSERTION.split('.');
    const dupPayload = `${h}.${b64u(`{"iss":"${CLIENT}","sub":"${CLIENT}","iss":"did:key:zOther"}`)}.${s}`;
    rejects(ctx(form({ client_assertion: dupPayload })), 'ERR_ASSERTION_MALFORMED', 'client_assertion is invalid: payload repeats a member name');
  });

  test('refuses an assertion longer than 60 KiB and accepts one just under', () => {
    assert.equal(MAX_ASSERTION_LENGTH, 60 * 1024);
    const padded = (n: number) => signJws({ alg: 'ES256' }, { iss: CLIENT, pad: 'x'.repeat(n) }, KEY);
    const base = padded(0).length;
    // 3 bytes of padding add 4 characters
    const fits = padded(Math.floor(((MAX_ASSERTION_LENGTH - base) * 3) / 4) - 3);
    assert.ok(fits.length <= MAX_ASSERTION_LENGTH);
    parseClientAssertion.run(ctx(form({ client_assertion: fits })));
    rejects(ctx(form({ client_assertion: padded(MAX_ASSERTION_LENGTH) })), 'ERR_ASSERTION_MALFORMED', `client_assertion is invalid: exceeds ${MAX_ASSERTION_LENGTH} characters`);
  });
});
