import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONFIG_KEYS, verifierConfigSchema } from './schema.ts';

test('every leaf key has a one-line description and a type', () => {
  assert.ok(CONFIG_KEYS.length >= 35);
  for (const row of CONFIG_KEYS) {
    assert.ok(row.description.length > 10 && !row.description.includes('\n'), row.key);
    assert.ok(row.type.length > 0, row.key);
  }
});

test('the key table lists YAML paths and IN2 Helm env-var names', () => {
  const byKey = new Map(CONFIG_KEYS.map((r) => [r.key, r]));
  assert.equal(byKey.get('verifier.backend.identity.privateKey')?.env, 'VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY');
  assert.equal(byKey.get('verifier.backend.identity.privateKey')?.secret, true);
  assert.equal(byKey.get('verifier.backend.identity.didKey')?.env, 'VERIFIER_BACKEND_IDENTITY_DID_KEY');
  assert.equal(byKey.get('verifier.backend.trustFrameworks[i].trustedIssuersListUrl')?.env, 'VERIFIER_BACKEND_TRUST_FRAMEWORKS_<i>_TRUSTED_ISSUERS_LIST_URL');
  assert.deepEqual(byKey.get('server.port')?.aliases, ['PORT']);
  for (const key of [
    'server.host', 'logLevel', 'verifier.backend.url', 'verifier.backend.identity.verifiableCredential', 'verifier.backend.x509.trustAnchors',
    'verifier.backend.outbound.allowInsecure', 'verifier.backend.outbound.timeoutMs', 'verifier.backend.accessToken.typ',
    'verifier.backend.accessToken.expiresInSeconds', 'verifier.backend.security.clockSkewSeconds',
    'verifier.backend.security.maxAssertionLifetimeSeconds', 'verifier.backend.security.acceptMillisecondTimestamps',
    'verifier.backend.cache.trustedIssuersTtlSeconds', 'verifier.backend.cache.statusListTtlSeconds',
    'verifier.backend.cache.clientJwksTtlSeconds', 'verifier.backend.cache.revokedListTtlSeconds', 'verifier.backend.cache.failureTtlSeconds', 'verifier.backend.clientsRefreshSeconds',
    'verifier.backend.dataDir', 'verifier.frontend.urls.wallet', 'verifier.frontend.colors.secondaryContrast', 'verifier.frontend.logoSrc',
    'verifier.frontend.assets.baseUrl', 'verifier.frontend.defaultLang', 'verifier.backend.trustFrameworks[i].revokedCredentialListUrl',
  ]) {
    assert.ok(byKey.has(key), key);
  }
});

test('the schema applies leaf defaults to an empty skeleton', () => {
  const parsed = verifierConfigSchema.parse({
    server: {},
    verifier: { backend: { identity: {}, trustFrameworks: [], x509: {}, outbound: {}, did: {}, accessToken: {}, idToken: {}, refreshToken: {}, login: {}, requestObject: {}, security: {}, cache: {} }, frontend: { urls: {}, colors: {}, assets: {} } },
  });
  assert.equal(parsed.server.port, 8080);
  assert.equal(parsed.verifier.backend.outbound.timeoutMs, 2500);
  assert.equal(parsed.verifier.frontend.defaultLang, 'en');
});
