import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateCallback } from './callback.ts';
import { OAuthError } from '../oauth-error.ts';

const ISS = 'https://verifier.example.org';
const CODE = 'SplxlOBeZQQYbYS6WxSbIA-secret-code-value-00';
const cb = (q: Record<string, string>) => `https://rp.example/cb?${new URLSearchParams(q)}`;
const opts = { expectedState: 'st', issuer: ISS };

function fails(input: string, error: string, pattern?: RegExp): void {
  assert.throws(() => validateCallback(input, opts), (e: unknown) => {
    assert.ok(e instanceof OAuthError, String(e));
    assert.equal(e.error, error, e.message);
    if (pattern) assert.match(e.message, pattern);
    assert.ok(!e.message.includes(CODE), 'the code never appears in messages');
    return true;
  });
}

test('returns the code of a valid response (absolute URL, path + query, bare query, URL, URLSearchParams, issuer metadata)', () => {
  const q = { code: CODE, state: 'st', iss: ISS };
  assert.equal(validateCallback(cb(q), opts), CODE);
  assert.equal(validateCallback(`/cb?${new URLSearchParams(q)}`, opts), CODE);
  assert.equal(validateCallback(`?${new URLSearchParams(q)}`, opts), CODE);
  assert.equal(validateCallback(new URL(cb(q)), { expectedState: 'st', issuer: { issuer: ISS } }), CODE);
  assert.equal(validateCallback(new URLSearchParams(q), opts), CODE);
});

test('iss is required and must be the issuer (RFC 9207), checked first', () => {
  fails(cb({ code: CODE, state: 'st' }), 'issuer_mismatch', /no iss/);
  fails(cb({ code: CODE, state: 'st', iss: 'https://evil.example' }), 'issuer_mismatch');
  fails(cb({ error: 'access_denied', state: 'st', iss: 'https://evil.example' }), 'issuer_mismatch');
});

test('state must be the expected one, before an error is believed', () => {
  fails(cb({ code: CODE, iss: ISS }), 'state_mismatch', /no state/);
  fails(cb({ code: CODE, state: 'other', iss: ISS }), 'state_mismatch');
  fails(cb({ error: 'access_denied', state: 'other', iss: ISS }), 'state_mismatch');
});

test('error= becomes an OAuthError with the code and description', () => {
  assert.throws(() => validateCallback(cb({ error: 'access_denied', error_description: 'the login expired', state: 'st', iss: ISS }), opts), (e: unknown) => {
    assert.ok(e instanceof OAuthError);
    assert.equal(e.error, 'access_denied');
    assert.equal(e.description, 'the login expired');
    assert.equal(e.status, 0);
    return true;
  });
});

test('missing code and repeated parameters are refused', () => {
  fails(cb({ state: 'st', iss: ISS }), 'invalid_response', /no code/);
  fails(`https://rp.example/cb?code=${CODE}&code=other&state=st&iss=${encodeURIComponent(ISS)}`, 'invalid_request', /repeats code/);
  assert.throws(() => validateCallback(cb({ code: CODE, state: 'st', iss: ISS }), { expectedState: '', issuer: ISS }), TypeError);
});
