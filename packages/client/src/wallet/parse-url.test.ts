import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOpenId4VpUrl } from './parse-url.ts';
import { WalletError } from './wallet-error.ts';

const DID = 'did:key:zDnaeVYnWTZu5nbrH1qmBVMvNwSrtKnkRbCZ4xH5h2LQPnzdr';
const RURI = 'https://verifier.dome-marketplace.eu/oid4vp/auth-request/5d9b7c1e-0000-4000-8000-000000000001';
const QUERY = `client_id=${encodeURIComponent(DID)}&request_uri=${encodeURIComponent(RURI)}`;

function rejects(url: string, pattern: RegExp): void {
  assert.throws(() => parseOpenId4VpUrl(url), (e: unknown) => {
    assert.ok(e instanceof WalletError);
    assert.equal(e.code, 'bad_url');
    assert.match(e.message, pattern);
    return true;
  });
}

test('parses the openid4vp:// deep link the verifier generates (§2.4)', () => {
  assert.deepEqual(parseOpenId4VpUrl(`openid4vp://?${QUERY}`), { clientId: DID, requestUri: RURI });
});

test("accepts 'openid4vp:' without //, a path, surrounding whitespace and extra parameters", () => {
  assert.deepEqual(parseOpenId4VpUrl(`openid4vp:?${QUERY}`), { clientId: DID, requestUri: RURI });
  assert.deepEqual(parseOpenId4VpUrl(`  openid4vp://authorize?${QUERY}&state=af0ifjsldkj\n`), { clientId: DID, requestUri: RURI });
});

test('accepts an https wallet URL carrying the same query (same-device link)', () => {
  assert.deepEqual(parseOpenId4VpUrl(`https://wallet.dome-marketplace.eu?${QUERY}`), { clientId: DID, requestUri: RURI });
  assert.deepEqual(parseOpenId4VpUrl(`https://wallet.dome-marketplace.org/?${QUERY}`), { clientId: DID, requestUri: RURI });
});

test("unwraps the verifier's login page URL (authRequest=<openid4vp URL>)", () => {
  const login = `http://127.0.0.1:8080/login?authRequest=${encodeURIComponent(`openid4vp://?${QUERY}`)}&state=s1&homeUri=${encodeURIComponent('https://rp.example')}`;
  assert.deepEqual(parseOpenId4VpUrl(login), { clientId: DID, requestUri: RURI });
});

test('refuses unusable URLs with bad_url', () => {
  rejects('', /empty/);
  rejects('not a url', /not a URL/);
  rejects(`ftp://x/?${QUERY}`, /scheme/);
  rejects(`openid4vp://?request_uri=${encodeURIComponent(RURI)}`, /client_id/);
  rejects(`openid4vp://?client_id=${encodeURIComponent(DID)}`, /request_uri/);
  rejects(`openid4vp://?client_id=${encodeURIComponent(DID)}&request=eyJhbGciOiJFUzI1NiJ9.e30.x`, /by value/);
  rejects(`openid4vp://?client_id=${encodeURIComponent(DID)}&request_uri=%2Foid4vp%2Fauth-request%2F1`, /absolute/);
  rejects(`openid4vp://?client_id=${encodeURIComponent(DID)}&request_uri=${encodeURIComponent('file:///etc/passwd')}`, /http/);
  // only one level of authRequest unwrapping
  rejects(`https://v/login?authRequest=${encodeURIComponent(`https://v/login?authRequest=${encodeURIComponent(`openid4vp://?${QUERY}`)}`)}`, /client_id/);
});
