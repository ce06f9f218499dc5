import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAuthorizationUrl } from './authorization-url.ts';
import { OAuthError } from '../oauth-error.ts';

const md = { authorization_endpoint: 'https://verifier.example.org/oidc/authorize' };

test('plain mode: every parameter in the query, PKCE S256', () => {
  const url = buildAuthorizationUrl(md, { clientId: 'did:key:zDnaeRP', redirectUri: 'https://rp.example/cb', scope: 'openid learcredential', state: 's', nonce: 'n', codeChallenge: 'c' });
  assert.equal(`${url.origin}${url.pathname}`, md.authorization_endpoint);
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    client_id: 'did:key:zDnaeRP',
    response_type: 'code',
    redirect_uri: 'https://rp.example/cb',
    scope: 'openid learcredential',
    state: 's',
    nonce: 'n',
    code_challenge: 'c',
    code_challenge_method: 'S256',
  });
});

test('request_uri mode (DOME style): client_id, response_type, scope, state, nonce repeated outside; no redirect_uri', () => {
  const url = buildAuthorizationUrl(md, { clientId: 'did:key:zDnaeRP', scope: 'openid learcredential', state: 's', nonce: 'n', requestUri: 'https://rp.example/request.jwt?id=1' });
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    client_id: 'did:key:zDnaeRP',
    response_type: 'code',
    scope: 'openid learcredential',
    state: 's',
    nonce: 'n',
    request_uri: 'https://rp.example/request.jwt?id=1',
  });
  const byValue = buildAuthorizationUrl(md, { clientId: 'x', scope: 'learcredential', state: 's', request: 'a.b.c', extraParams: { ui_locales: 'es', state: 'ignored' } });
  assert.equal(byValue.searchParams.get('request'), 'a.b.c');
  assert.equal(byValue.searchParams.get('ui_locales'), 'es');
  assert.equal(byValue.searchParams.get('state'), 's');
});

test('misuse is refused', () => {
  assert.throws(() => buildAuthorizationUrl(md, { clientId: 'x', scope: 's', state: 's' }), /redirectUri/);
  assert.throws(() => buildAuthorizationUrl(md, { clientId: 'x', scope: 's', state: 's', request: 'a', requestUri: 'https://b' }), TypeError);
  assert.throws(() => buildAuthorizationUrl(md, { clientId: 'x', scope: 's', state: '', redirectUri: 'https://b' }), /state/);
  assert.throws(() => buildAuthorizationUrl({}, { clientId: 'x', scope: 's', state: 's', redirectUri: 'https://b' }), (e: unknown) => e instanceof OAuthError && e.error === 'invalid_metadata');
});
