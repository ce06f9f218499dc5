import { test } from 'node:test';
import assert from 'node:assert/strict';
import { basePath, isValidAuthRequest, isValidState, joinUrl, safeAssetUrl, safeHttpUrl, walletHref } from './urls.ts';

const AUTH = 'openid4vp://?client_id=did%3Akey%3AzDnae&request_uri=https%3A%2F%2Fv.example%2Foid4vp%2Fauth-request%2F1';

test('safeHttpUrl accepts only absolute http(s) URLs without credentials', () => {
  assert.equal(safeHttpUrl('https://rp.example'), 'https://rp.example/');
  assert.equal(safeHttpUrl('http://localhost:3000/x?y=1'), 'http://localhost:3000/x?y=1');
  for (const bad of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', ' javascript:alert(1)', 'data:text/html,x', '/relative', '//rp.example', 'https://u:p@rp.example', 'ftp://x', '', undefined]) {
    assert.equal(safeHttpUrl(bad), undefined, String(bad));
  }
});

test('safeAssetUrl accepts http(s), data:image and scheme-less paths only', () => {
  assert.equal(safeAssetUrl('https://cdn.example/logo.svg'), 'https://cdn.example/logo.svg');
  assert.equal(safeAssetUrl('/img/logo.png'), '/img/logo.png');
  assert.equal(safeAssetUrl('data:image/png;base64,AAAA'), 'data:image/png;base64,AAAA');
  for (const bad of ['javascript:alert(1)', 'data:text/html,<b>', 'vbscript:x', 'a b', undefined, ' ']) assert.equal(safeAssetUrl(bad), undefined, String(bad));
});

test('joinUrl puts exactly one slash between base and path', () => {
  assert.equal(joinUrl('https://cdn.example/assets/', '/logo.svg'), 'https://cdn.example/assets/logo.svg');
  assert.equal(joinUrl('https://cdn.example/assets', 'logo.svg'), 'https://cdn.example/assets/logo.svg');
});

test('walletHref rewrites openid4vp:// to an https wallet URL, keeping the query', () => {
  assert.equal(walletHref(AUTH, 'https://wallet.dome-marketplace.eu'), `https://wallet.dome-marketplace.eu${AUTH.slice('openid4vp://'.length)}`);
  assert.equal(walletHref(AUTH, 'https://wallet.example/login?x=1'), `https://wallet.example/login?x=1&${AUTH.slice('openid4vp://?'.length)}`);
  assert.equal(walletHref('openid4vp://authorize?a=b', 'https://wallet.example/'), 'https://wallet.example/?a=b');
  assert.equal(walletHref(AUTH, ''), AUTH);
  assert.equal(walletHref(AUTH, undefined), AUTH);
  assert.equal(walletHref(AUTH, 'http://wallet.example'), AUTH);
  assert.equal(walletHref(AUTH, 'javascript:alert(1)'), AUTH);
});

test('walletHref for the wallet PWA: {wallet}/protocol/callback?authorization_request=<urlencoded openid4vp URL>', () => {
  const expected = `https://wallet.example/protocol/callback?authorization_request=${encodeURIComponent(AUTH)}`;
  assert.equal(walletHref(AUTH, 'https://wallet.example', 'pwa'), expected);
  assert.equal(walletHref(AUTH, 'https://wallet.example/', 'pwa'), expected);
  assert.equal(walletHref(AUTH, 'https://eudi.example/wallet/', 'pwa'), `https://eudi.example/wallet/protocol/callback?authorization_request=${encodeURIComponent(AUTH)}`);
  assert.equal(new URL(walletHref(AUTH, 'https://wallet.example', 'pwa')).searchParams.get('authorization_request'), AUTH, 'the PWA gets the whole openid4vp URL back');
  assert.equal(walletHref(AUTH, 'https://wallet.example', 'wallet-api'), `https://wallet.example${AUTH.slice('openid4vp://'.length)}`, 'the deployed wallet keeps its link');
  for (const bad of [undefined, '', 'http://wallet.example', 'javascript:alert(1)']) assert.equal(walletHref(AUTH, bad, 'pwa'), AUTH, String(bad));
});

test('input validation of authRequest and state', () => {
  assert.ok(isValidAuthRequest(AUTH));
  assert.ok(isValidAuthRequest(`openid4vp://?${'a'.repeat(4096 - 13)}`));
  assert.ok(!isValidAuthRequest(`openid4vp://?${'a'.repeat(4096 - 12)}`));
  for (const bad of ['https://evil.example', 'javascript:alert(1)', 'openid4vp://?a= b', 'openid4vp://?ñ', '', undefined, ['openid4vp://?a']]) {
    assert.ok(!isValidAuthRequest(bad), String(bad));
  }
  assert.ok(isValidState('x'));
  assert.ok(isValidState('s'.repeat(1024)));
  assert.ok(!isValidState('s'.repeat(1025)));
  assert.ok(!isValidState(''));
  assert.ok(!isValidState(['a', 'b']));
});

test('basePath is the issuer path without trailing slash', () => {
  assert.equal(basePath('https://verifier.example'), '');
  assert.equal(basePath('https://verifier.example/'), '');
  assert.equal(basePath('https://verifier.example/verifier/'), '/verifier');
  assert.equal(basePath('http://127.0.0.1:8080/a/b'), '/a/b');
});
