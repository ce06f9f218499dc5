import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, errorResponse, wwwAuthenticate } from './bearer.ts';
import { InsufficientScopeError, InvalidRequestError, InvalidTokenError, KeySetUnavailableError } from './errors.ts';

const T = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';

describe('bearerToken (RFC 6750 §2.1)', () => {
  test('one Authorization header with the Bearer scheme (any case) and a b64token', () => {
    assert.equal(bearerToken({ authorization: `Bearer ${T}` }), T);
    assert.equal(bearerToken({ authorization: `bearer ${T}` }), T);
    assert.equal(bearerToken({ Authorization: `BEARER   ${T} ` }), T);
    assert.equal(bearerToken({ authorization: [`Bearer ${T}`] }), T);
    assert.equal(bearerToken({ authorization: 'Bearer abc+/~-._==' }), 'abc+/~-._==');
    assert.equal(bearerToken(new Headers({ authorization: `Bearer ${T}` })), T);
  });

  test('no credentials, or another scheme: missing (401, no error code in the challenge)', () => {
    for (const h of [{}, { authorization: undefined }, { authorization: 'Basic dXNlcjpwYXNz' }, { authorization: '' }, { cookie: `access_token=${T}` }]) {
      assert.throws(() => bearerToken(h), (e: unknown) => e instanceof InvalidTokenError && e.missing && e.status === 401);
    }
  });

  test('empty or malformed token: invalid_token', () => {
    for (const v of ['Bearer', 'Bearer   ', 'Bearer a b', 'Bearer a"b', 'Bearer =abc', 'Bearer a\u00e9b', 'Bearer a==b']) {
      assert.throws(() => bearerToken({ authorization: v }), (e: unknown) => e instanceof InvalidTokenError && !e.missing, v);
    }
  });

  test('repeated headers, several credentials, or a query token: invalid_request (400)', () => {
    assert.throws(() => bearerToken({ authorization: [`Bearer ${T}`, `Bearer ${T}`] }), InvalidRequestError);
    assert.throws(() => bearerToken({ authorization: `Bearer ${T}`, Authorization: `Bearer ${T}` }), InvalidRequestError);
    const h = new Headers();
    h.append('authorization', `Bearer ${T}`);
    h.append('authorization', `Bearer ${T}`);
    assert.throws(() => bearerToken(h), InvalidRequestError);
    assert.throws(() => bearerToken({}, `/api?access_token=${T}`), (e: unknown) => e instanceof InvalidRequestError && e.status === 400);
    assert.throws(() => bearerToken({ authorization: `Bearer ${T}` }, `/api?x=1&access_token=${T}#f`), InvalidRequestError);
    assert.equal(bearerToken({ authorization: `Bearer ${T}` }, '/api?x=1#access_token=y'), T);
  });
});

describe('wwwAuthenticate / errorResponse (RFC 6750 §3)', () => {
  test('missing credentials: realm only, no error attribute', () => {
    const e = new InvalidTokenError('a bearer access token is required', { missing: true });
    assert.equal(wwwAuthenticate(e, 'dome'), 'Bearer realm="dome"');
    assert.equal(wwwAuthenticate(e), 'Bearer');
    const r = errorResponse(e, { realm: 'dome' })!;
    assert.equal(r.status, 401);
    assert.deepEqual(r.body, { error_description: 'a bearer access token is required' });
    assert.equal(r.headers['cache-control'], 'no-store');
  });

  test('invalid_token, invalid_request, insufficient_scope with scope; quoting', () => {
    assert.equal(wwwAuthenticate(new InvalidTokenError('the access token has expired'), 'a "b" \\ c'), 'Bearer realm="a \\"b\\" \\\\ c", error="invalid_token", error_description="the access token has expired"');
    assert.equal(wwwAuthenticate(new InvalidRequestError('two')), 'Bearer error="invalid_request", error_description="two"');
    assert.equal(wwwAuthenticate(new InsufficientScopeError('needs "x"\\ é', { scope: 'openid learcredential' })), `Bearer error="insufficient_scope", error_description="needs 'x'/ ?", scope="openid learcredential"`);
    assert.equal(errorResponse(new InsufficientScopeError('no'))!.status, 403);
    assert.deepEqual(errorResponse(new InvalidTokenError('bad'))!.body, { error: 'invalid_token', error_description: 'bad' });
  });

  test('keys unavailable: 503 without a challenge; foreign errors: undefined', () => {
    const r = errorResponse(new KeySetUnavailableError('down'))!;
    assert.equal(r.status, 503);
    assert.equal(r.headers['www-authenticate'], undefined);
    assert.equal(errorResponse(new Error('bug')), undefined);
  });
});
