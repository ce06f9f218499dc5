import { test } from 'node:test';
import assert from 'node:assert/strict';
import { discover, discoveryUrl, processDiscoveryResponse } from './discover.ts';
import { OAuthError } from '../oauth-error.ts';
import { fakeFetch, jsonResponse } from '../test-helpers.ts';

const ISSUER = 'https://verifier.example.org';
const doc = (issuer = ISSUER, extra: Record<string, unknown> = {}) => ({
  issuer,
  authorization_endpoint: `${issuer}/oidc/authorize`,
  token_endpoint: `${issuer}/oidc/token`,
  jwks_uri: `${issuer}/oidc/jwks`,
  ...extra,
});

async function rejectsWith(p: Promise<unknown>, error: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof OAuthError, String(e));
    assert.equal(e.error, error, e.message);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

test('discover GETs <issuer>/.well-known/openid-configuration (trailing slash dropped) and returns the metadata', async () => {
  const f = fakeFetch(() => jsonResponse(doc()));
  const md = await discover(`${ISSUER}/`, { fetch: f });
  assert.deepEqual(md, doc());
  assert.equal(f.calls.length, 1);
  assert.equal(f.calls[0]?.url, `${ISSUER}/.well-known/openid-configuration`);
  assert.equal(f.calls[0]?.method, 'GET');
  assert.equal(discoveryUrl('http://127.0.0.1:8080/verifier'), 'http://127.0.0.1:8080/verifier/.well-known/openid-configuration');
});

test('the document issuer must be the configured issuer (mix-up defence)', async () => {
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse(doc('https://evil.example'))) }), 'invalid_metadata', /issuer/);
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse({ ...doc(), issuer: undefined })) }), 'invalid_metadata', /issuer/);
});

test('required endpoints must be present and https (or loopback http); the machine profile needs only token_endpoint', async () => {
  const { authorization_endpoint: _a, jwks_uri: _j, ...tokenOnly } = doc();
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse(tokenOnly)) }), 'invalid_metadata', /authorization_endpoint/);
  assert.equal((await discover(ISSUER, { fetch: fakeFetch(() => jsonResponse(tokenOnly)), requiredEndpoints: ['token_endpoint'] })).token_endpoint, `${ISSUER}/oidc/token`);
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse(doc(ISSUER, { token_endpoint: 'http://verifier.example.org/oidc/token' }))) }), 'invalid_metadata', /token_endpoint/);
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse(doc(ISSUER, { jwks_uri: 42 }))) }), 'invalid_metadata', /jwks_uri/);
  const local = 'http://127.0.0.1:8080';
  assert.equal((await discover(local, { fetch: fakeFetch(() => jsonResponse(doc(local))) })).issuer, local);
});

test('an insecure issuer is refused before any request', async () => {
  const f = fakeFetch(() => jsonResponse(doc()));
  await assert.rejects(discover('http://verifier.example.org', { fetch: f }), TypeError);
  await assert.rejects(discover('https://verifier.example.org?x=1', { fetch: f }), TypeError);
  await assert.rejects(discover('not a url', { fetch: f }), TypeError);
  assert.equal(f.calls.length, 0);
});

test('HTTP errors, redirects, non-JSON, oversize and network failures are typed', async () => {
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => new Response('nope', { status: 404 })) }), 'http_404');
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } })) }), 'http_302');
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => new Response('<html>', { status: 200 })) }), 'invalid_metadata', /not JSON/);
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => jsonResponse([1, 2])) }), 'invalid_metadata', /object/);
  await rejectsWith(discover(ISSUER, { fetch: fakeFetch(() => new Response(`{"x":"${'a'.repeat(300_000)}"}`)) }), 'invalid_metadata', /larger/);
  await rejectsWith(
    discover(ISSUER, {
      fetch: fakeFetch(() => {
        throw new TypeError('fetch failed');
      }),
    }),
    'network_error',
  );
  // A server that never answers hits the timeout (AbortSignal.timeout timers are unref'd: keep the loop alive).
  const hanging: typeof fetch = (_input, init) =>
    new Promise((_resolve, reject) => {
      const keepAlive = setTimeout(() => undefined, 5_000);
      init?.signal?.addEventListener('abort', () => {
        clearTimeout(keepAlive);
        reject(init.signal?.reason);
      });
    });
  await rejectsWith(discover(ISSUER, { fetch: hanging, timeoutMs: 50 }), 'network_error', /timed out/);
});

test('processDiscoveryResponse works on a Response obtained elsewhere', async () => {
  const md = await processDiscoveryResponse(ISSUER, jsonResponse(doc()));
  assert.equal(md.jwks_uri, `${ISSUER}/oidc/jwks`);
});
