import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindEnv, envNameToPath } from './env-binding.ts';
import { ConfigError } from './config-error.ts';

test('tokens are joined case-insensitively to match camelCase keys', () => {
  assert.deepEqual(envNameToPath('VERIFIER_BACKEND_IDENTITY_PRIVATEKEY'), ['verifier', 'backend', 'identity', 'privateKey']);
  assert.deepEqual(envNameToPath('VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY'), ['verifier', 'backend', 'identity', 'privateKey']);
  assert.deepEqual(envNameToPath('verifier_backend_identity_did_key'), ['verifier', 'backend', 'identity', 'didKey']);
  assert.deepEqual(envNameToPath('SERVER_PORT'), ['server', 'port']);
});

test('a numeric token under a list is the index', () => {
  assert.deepEqual(envNameToPath('VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL'), ['verifier', 'backend', 'trustFrameworks', 0, 'trustedIssuersListUrl']);
  assert.deepEqual(envNameToPath('VERIFIER_BACKEND_TRUST_FRAMEWORKS_12_TRUSTED_ISSUERS_LIST_URL'), ['verifier', 'backend', 'trustFrameworks', 12, 'trustedIssuersListUrl']);
  assert.equal(envNameToPath('VERIFIER_BACKEND_TRUST_FRAMEWORKS_NAME'), undefined);
});

test('names that stop at a map or run past a leaf do not bind', () => {
  assert.equal(envNameToPath('VERIFIER_BACKEND_IDENTITY'), undefined);
  assert.equal(envNameToPath('VERIFIER_BACKEND_URL_EXTRA'), undefined);
  assert.deepEqual(envNameToPath('VERIFIER_BACK_END_URL'), envNameToPath('VERIFIER_BACKEND_URL'));
});

test('only VERIFIER_* and SERVER_* names and the plain aliases are considered', () => {
  const b = bindEnv({ PORT: '1', HOST: 'h', LOG_LEVEL: 'warn', VERIFIER_DATA_DIR: 'd', SPRING_PROFILES_ACTIVE: 'x', PATH: '/bin', VERIFIER_CONFIG: 'f.yaml' });
  assert.deepEqual(b.tree, { server: { port: '1', host: 'h' }, logLevel: 'warn', verifier: { backend: { dataDir: 'd' } } });
  assert.deepEqual(b.warnings, []);
});

test('aliases win over the relaxed form', () => {
  const b = bindEnv({ SERVER_PORT: '1', PORT: '2', SERVER_HOST: 'a', HOST: 'b' });
  assert.deepEqual(b.tree, { server: { port: '2', host: 'b' } });
  assert.deepEqual([...b.keys].sort(), ['server.host', 'server.port']);
});

test('two spellings with different values: the first in sorted order is used, with a warning naming both', () => {
  const b = bindEnv({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: 'aa', VERIFIER_BACKEND_IDENTITY_PRIVATEKEY: 'bb' });
  assert.deepEqual(b.tree, { verifier: { backend: { identity: { privateKey: 'bb' } } } });
  assert.deepEqual(b.warnings, [
    'env vars VERIFIER_BACKEND_IDENTITY_PRIVATEKEY and VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY both set verifier.backend.identity.privateKey; VERIFIER_BACKEND_IDENTITY_PRIVATEKEY is used',
  ]);
  assert.ok(!b.warnings[0]!.includes('aa') && !b.warnings[0]!.includes('bb'));
});

test('values are trimmed and empty values skipped', () => {
  assert.deepEqual(bindEnv({ VERIFIER_BACKEND_URL: ' https://x.example.org\n', SERVER_PORT: '' }).tree, { verifier: { backend: { url: 'https://x.example.org' } } });
});

test('list indices must be contiguous and bounded', () => {
  assert.throws(() => bindEnv({ VERIFIER_BACKEND_TRUST_FRAMEWORKS_2_NAME: 'x' }), (e: unknown) => e instanceof ConfigError && e.key === 'verifier.backend.trustFrameworks[0]');
  assert.throws(() => bindEnv({ VERIFIER_BACKEND_TRUST_FRAMEWORKS_99999_NAME: 'x' }), (e: unknown) => e instanceof ConfigError && e.key === 'verifier.backend.trustFrameworks[99999]');
});

test("every env var DOME's dome-verifier chart 1.2.26 sets binds its key; its Spring logging levels are not ours", () => {
  const chart: Record<string, string> = {
    VERIFIER_FRONTEND_URLS_ONBOARDING: 'verifier.frontend.urls.onboarding',
    VERIFIER_FRONTEND_URLS_SUPPORT: 'verifier.frontend.urls.support',
    VERIFIER_FRONTEND_URLS_WALLET: 'verifier.frontend.urls.wallet',
    VERIFIER_FRONTEND_COLORS_PRIMARY: 'verifier.frontend.colors.primary',
    VERIFIER_FRONTEND_COLORS_PRIMARY_CONTRAST: 'verifier.frontend.colors.primaryContrast',
    VERIFIER_FRONTEND_COLORS_SECONDARY: 'verifier.frontend.colors.secondary',
    VERIFIER_FRONTEND_COLORS_SECONDARY_CONTRAST: 'verifier.frontend.colors.secondaryContrast',
    VERIFIER_FRONTEND_ASSETS_BASE_URL: 'verifier.frontend.assets.baseUrl',
    VERIFIER_FRONTEND_ASSETS_LOGO_PATH: 'verifier.frontend.assets.logoPath',
    VERIFIER_FRONTEND_ASSETS_FAVICON_PATH: 'verifier.frontend.assets.faviconPath',
    VERIFIER_FRONTEND_DEFAULT_LANG: 'verifier.frontend.defaultLang',
    VERIFIER_BACKEND_URL: 'verifier.backend.url',
    VERIFIER_BACKEND_IDENTITY_DID_KEY: 'verifier.backend.identity.didKey',
    VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: 'verifier.backend.identity.privateKey',
    VERIFIER_BACKEND_IDENTITY_VERIFIABLE_CREDENTIAL: 'verifier.backend.identity.verifiableCredential',
  };
  for (const [name, key] of Object.entries(chart)) assert.equal(envNameToPath(name)?.join('.'), key, name);
  const spring = { LOGGING_LEVEL_ES_IN2_VCVERIFIER: 'INFO', LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_SECURITY: 'INFO', LOGGING_LEVEL_ORG_SPRINGFRAMEWORK_WEB_FILTER: 'INFO', SPRING_CONFIG_ADDITIONAL_LOCATION: '/config/application.yaml' };
  const b = bindEnv(spring);
  assert.deepEqual(b.tree, {});
  assert.deepEqual(b.warnings, []);
});
