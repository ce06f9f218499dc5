import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';
import { loadConfig } from './load-config.ts';

// IN2 test identity (dome-verifier-wire.md §9).
const PRIVATE_KEY = '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5';
const PRIVATE_KEY_HEX = PRIVATE_KEY.slice(2);
const DID_KEY = 'did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup';
const OTHER_DID_KEY = 'did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv';

const root = mkdtempSync(join(tmpdir(), 'verifier-config-'));
after(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Writes `text` to a fresh temp file and returns its path. */
function yamlFile(text: string, name = 'application.yaml'): string {
  const dir = join(root, String(counter++));
  mkdirSync(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Asserts that `fn` throws a ConfigError for `key` and returns it. */
function throwsConfigError(fn: () => unknown, key: string, reason?: RegExp): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${String(e)}`);
    assert.equal(e.key, key);
    assert.ok(e.message.startsWith(`${key}: `), e.message);
    if (reason) assert.match(e.message, reason);
    return e;
  }
  assert.fail(`expected a ConfigError for ${key}`);
}

const IN2_YAML = `
server:
  port: 9000
logging:
  level:
    es.in2: DEBUG
    org.springframework.security: TRACE
spring:
  application:
    name: VC Verifier
  web:
    resources:
      static-locations:
        - classpath:/static/
management:
  endpoints:
    web:
      exposure:
        include: health, info, prometheus
verifier:
  frontend:
    urls:
      onboarding: "https://knowledgebase.example.org"
      support: "https://support.example.org"
      wallet: "https://wallet.example.org"
    colors:
      primary: "#112233"
      primaryContrast: "#fff"
    logoSrc: "img/logo.png"
    faviconSrc: "img/favicon.ico"
    defaultLang: es
  backend:
    url: https://verifier.example.org
    identity:
      didKey: "${DID_KEY}"
      privateKey: "${PRIVATE_KEY}"
      verifiableCredential: "eyJhbGciOi..."
    trustFrameworks:
      - name: DOME
        trustedIssuersListUrl: https://tir.example.org/v4/issuers/
        trustedServicesListUrl: https://raw.example.org/trusted_service_list.yaml
        revokedCredentialListUrl: https://raw.example.org/revoked_credential_list.yaml
`;

describe('defaults', () => {
  test('server.host: loopback for the no-configuration development verifier, all interfaces once a trust framework is configured; HOST or server.host wins', () => {
    const tf = {
      VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME: 'DOME',
      VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL: 'https://tir.example.org/',
      VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: 'https://tsl.example.org/list.yaml',
    };
    assert.equal(loadConfig({ env: {} }).server.host, '127.0.0.1');
    assert.equal(loadConfig({ env: { HOST: '0.0.0.0' } }).server.host, '0.0.0.0');
    assert.equal(loadConfig({ env: { SERVER_HOST: '::' } }).server.host, '::');
    assert.equal(loadConfig({ env: tf }).server.host, '0.0.0.0');
    assert.equal(loadConfig({ env: { ...tf, HOST: '127.0.0.2' } }).server.host, '127.0.0.2');
  });

  test('no file and no env gives the documented defaults', () => {
    const c = loadConfig({ env: {}, cwd: '/srv/verifier' });
    assert.deepEqual(c.server, {
      host: '127.0.0.1',
      port: 8080,
      maxQueuedRequests: 1024,
      maxQueueWaitMs: 1000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 15_000,
      keepAliveTimeoutMs: 5_000,
      logBufferBytes: 4096,
      maxConnections: 4096,
      maxConnectionsPerAddress: 0,
      trustProxy: 'loopback,linklocal,uniquelocal',
      management: {},
      rateLimit: { enabled: true, perIpPerSecond: 100, perIpBurst: 200, perClientPerSecond: 10, perClientBurst: 50, maxTrackedKeys: 100_000 },
    });
    assert.equal(c.logLevel, 'info');
    const b = c.verifier.backend;
    assert.equal(b.url, 'http://localhost:8080');
    assert.deepEqual(b.identity, {});
    assert.deepEqual(b.trustFrameworks, []);
    assert.deepEqual(b.x509, {});
    assert.deepEqual(b.outbound, { allowInsecure: false, timeoutMs: 2500 });
    assert.deepEqual(b.accessToken, { typ: 'JWT', expiresInSeconds: 3600, recordMachineTokens: false });
    assert.deepEqual(b.security, { clockSkewSeconds: 60, maxAssertionLifetimeSeconds: 300, acceptMillisecondTimestamps: true });
    assert.deepEqual(b.cache, { trustedIssuersTtlSeconds: 60, statusListTtlSeconds: 300, clientJwksTtlSeconds: 300, revokedListTtlSeconds: 60, failureTtlSeconds: 5 });
    assert.equal(b.clientsRefreshSeconds, 300);
    assert.equal(b.dataDir, '/srv/verifier/data');
    assert.deepEqual(c.verifier.frontend, {
      urls: {
        onboarding: 'https://knowledgebase.dome-marketplace.eu',
        support: 'https://ticketing.dome-marketplace.eu',
        // no wallet URL by default: the same-device button opens the openid4vp:// link
      },
      colors: { primary: '#2D58A7', primaryContrast: '#ffffff', secondary: '#14274A', secondaryContrast: '#00ADD3' },
      assets: {},
      defaultLang: 'en',
      walletKind: 'wallet-api',
      walletOrigins: '*',
    });
    assert.deepEqual(c.warnings, []);
    assert.deepEqual(c.sources, { env: [] });
  });

  test('the default url follows server.port', () => {
    assert.equal(loadConfig({ env: { PORT: '3000' } }).verifier.backend.url, 'http://localhost:3000');
  });

  test('the result is deep-frozen', () => {
    const c = loadConfig({ file: yamlFile(IN2_YAML), env: {} });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.server));
    assert.ok(Object.isFrozen(c.verifier.backend.trustFrameworks));
    assert.ok(Object.isFrozen(c.verifier.backend.trustFrameworks[0]));
    assert.ok(Object.isFrozen(c.warnings));
    assert.ok(Object.isFrozen(c.sources.env));
    assert.throws(() => {
      (c.server as { port: number }).port = 1;
    }, TypeError);
  });
});

describe('IN2 application.yaml', () => {
  test('an IN2-shaped application.yaml loads; spring/logging/management keys are ignored silently', () => {
    const file = yamlFile(IN2_YAML);
    const c = loadConfig({ file, env: {} });
    assert.equal(c.server.port, 9000);
    assert.equal(c.verifier.backend.url, 'https://verifier.example.org');
    assert.deepEqual(c.verifier.backend.identity, { privateKey: PRIVATE_KEY_HEX, didKey: DID_KEY, verifiableCredential: 'eyJhbGciOi...' });
    assert.deepEqual(c.verifier.backend.trustFrameworks, [
      {
        name: 'DOME',
        trustedIssuersListUrl: 'https://tir.example.org/v4/issuers/',
        trustedServicesListUrl: 'https://raw.example.org/trusted_service_list.yaml',
        revokedCredentialListUrl: 'https://raw.example.org/revoked_credential_list.yaml',
        legacyReadEnabled: true, bumpedReadEnabled: true,
      },
    ]);
    const f = c.verifier.frontend;
    assert.equal(f.urls.support, 'https://support.example.org');
    assert.deepEqual(f.colors, { primary: '#112233', primaryContrast: '#fff', secondary: '#14274A', secondaryContrast: '#00ADD3' });
    assert.equal(f.logoSrc, 'img/logo.png');
    assert.equal(f.faviconSrc, 'img/favicon.ico');
    assert.equal(f.defaultLang, 'es');
    assert.deepEqual(c.warnings, []);
    assert.deepEqual(c.sources, { file: [file], env: [] });
  });

  test('kebab-case, dotted and indexed keys bind like Spring relaxed names', () => {
    const c = loadConfig({
      env: {},
      file: yamlFile(`
verifier.backend.url: https://a.example.org
verifier:
  backend:
    trust-frameworks[0].name: DOME
    trust-frameworks[0]:
      trusted_issuers_list_url: https://tir.example.org/
      trusted-services-list-url: https://tsl.example.org/list.yaml
    outbound:
      allow-insecure: yes
`),
    });
    assert.equal(c.verifier.backend.url, 'https://a.example.org');
    assert.equal(c.verifier.backend.trustFrameworks[0]?.trustedIssuersListUrl, 'https://tir.example.org/');
    assert.equal(c.verifier.backend.outbound.allowInsecure, true);
  });

  test('an unquoted 0x private key stays text (YAML scalars are not typed)', () => {
    const c = loadConfig({ env: {}, file: yamlFile(`verifier: {backend: {identity: {privateKey: ${PRIVATE_KEY}}}}`) });
    assert.equal(c.verifier.backend.identity.privateKey, PRIVATE_KEY_HEX);
    assert.equal(c.verifier.backend.identity.didKey, DID_KEY);
  });

  test('empty YAML values mean "not set"', () => {
    const c = loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    url:\n    identity:\n      privateKey: ~\n') });
    assert.equal(c.verifier.backend.url, 'http://localhost:8080');
    assert.deepEqual(c.verifier.backend.identity, {});
  });

  test('${NAME:default} placeholders resolve against env, then other properties', () => {
    const c = loadConfig({
      env: { VERIFIER_PRIVATE: PRIVATE_KEY },
      file: yamlFile(`
spring.application.name: verifier
verifier:
  backend:
    url: \${PUBLIC_URL:https://fallback.example.org}
    identity:
      privateKey: \${VERIFIER_PRIVATE}
  frontend:
    assets:
      baseUrl: https://cdn.example.org/\${spring.application.name}
`),
    });
    assert.equal(c.verifier.backend.url, 'https://fallback.example.org');
    assert.equal(c.verifier.backend.identity.privateKey, PRIVATE_KEY_HEX);
    assert.equal(c.verifier.frontend.assets.baseUrl, 'https://cdn.example.org/verifier');
  });

  test('an unresolvable placeholder stops with the key named', () => {
    throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    url: ${NOPE}\n') }),
      'verifier.backend.url',
      /placeholder \$\{NOPE\} cannot be resolved/,
    );
  });

  test('documents for inactive Spring profiles are skipped', () => {
    const file = yamlFile(`
server:
  port: 9000
---
spring:
  config:
    activate:
      on-profile: prod
server:
  port: 9443
`);
    assert.equal(loadConfig({ file, env: {} }).server.port, 9000);
    assert.equal(loadConfig({ file, env: { SPRING_PROFILES_ACTIVE: 'dev,prod' } }).server.port, 9443);
  });

  test('invalid YAML stops without echoing the file text', () => {
    const e = throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    identity:\n      privateKey: s3cr3t: x\n') }),
      '--config',
      /invalid YAML .* at line 4/,
    );
    assert.doesNotMatch(e.message, /s3cr3t/);
  });
});

describe('file selection', () => {
  test('--config wins over VERIFIER_CONFIG, which wins over SPRING_CONFIG_ADDITIONAL_LOCATION', () => {
    const a = yamlFile('server: {port: 1001}');
    const b = yamlFile('server: {port: 1002}');
    const s = yamlFile('server: {port: 1003}');
    const env = { VERIFIER_CONFIG: b, SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${s}` };
    assert.equal(loadConfig({ file: a, env }).server.port, 1001);
    assert.equal(loadConfig({ env }).server.port, 1002);
    assert.equal(loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${s}` } }).server.port, 1003);
  });

  test('a relative --config path is resolved against cwd', () => {
    const file = yamlFile('server: {port: 1004}');
    const c = loadConfig({ file: 'application.yaml', cwd: join(file, '..'), env: {} });
    assert.equal(c.server.port, 1004);
    assert.deepEqual(c.sources.file, [file]);
  });

  test('SPRING_CONFIG_ADDITIONAL_LOCATION=file:/…/application.yaml is read', () => {
    const file = yamlFile(IN2_YAML);
    const c = loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${file}` } });
    assert.equal(c.verifier.backend.url, 'https://verifier.example.org');
    assert.deepEqual(c.sources.file, [file]);
  });

  test('SPRING_CONFIG_ADDITIONAL_LOCATION directory form reads application.yaml / application.yml inside', () => {
    const yaml = yamlFile('server: {port: 1005}', 'application.yaml');
    const dir = join(yaml, '..');
    const c = loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${dir}/` } });
    assert.equal(c.server.port, 1005);
    assert.deepEqual(c.sources.file, [yaml]);

    const empty = join(root, 'empty-dir');
    mkdirSync(empty);
    const none = loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${empty}/` } });
    assert.equal(none.sources.file, undefined);
    assert.deepEqual(none.warnings, [`SPRING_CONFIG_ADDITIONAL_LOCATION: no application.yaml or application.yml in ${empty}`]);

    const yml = yamlFile('server: {port: 1006}', 'application.yml');
    assert.equal(loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `${join(yml, '..')}/` } }).server.port, 1006);
  });

  test('a comma-separated location list is read in order, later wins, lists replaced whole', () => {
    const first = yamlFile(`
server: {port: 1007, host: 127.0.0.1}
verifier:
  backend:
    trustFrameworks:
      - {name: A, trustedIssuersListUrl: https://a.example.org/, trustedServicesListUrl: https://a.example.org/tsl}
      - {name: B, trustedIssuersListUrl: https://b.example.org/, trustedServicesListUrl: https://b.example.org/tsl}
`);
    const second = yamlFile(`
server: {port: 1008}
verifier:
  backend:
    trustFrameworks:
      - {name: C, trustedIssuersListUrl: https://c.example.org/, trustedServicesListUrl: https://c.example.org/tsl}
`);
    const c = loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${first}, file:${second}` } });
    assert.deepEqual({ host: c.server.host, port: c.server.port }, { host: '127.0.0.1', port: 1008 });
    assert.deepEqual(c.verifier.backend.trustFrameworks.map((t) => t.name), ['C']);
    assert.deepEqual(c.sources.file, [first, second]);
  });

  test('a missing file stops unless the location is optional:', () => {
    const missing = join(root, 'missing.yaml');
    throwsConfigError(() => loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `file:${missing}` } }), 'SPRING_CONFIG_ADDITIONAL_LOCATION', /not found/);
    throwsConfigError(() => loadConfig({ file: missing, env: {} }), '--config', /not found/);
    const c = loadConfig({ env: { SPRING_CONFIG_ADDITIONAL_LOCATION: `optional:file:${missing}` } });
    assert.equal(c.sources.file, undefined);
  });
});

describe('environment overrides', () => {
  test('the EUDISTACK-145 dual-read switches bind per trust framework and default to open', () => {
    const c = loadConfig({
      env: {
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_NAME: 'DOME',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL: 'https://e.example.org/',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDSERVICESLISTURL: 'https://e.example.org/tsl',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_LEGACYREADENABLED: 'false',
      },
    });
    assert.equal(c.verifier.backend.trustFrameworks[0]!.legacyReadEnabled, false);
    assert.equal(c.verifier.backend.trustFrameworks[0]!.bumpedReadEnabled, true);
  });

  test('env overrides win over the file', () => {
    const c = loadConfig({
      file: yamlFile(IN2_YAML),
      env: {
        VERIFIER_BACKEND_URL: 'https://env.example.org',
        SERVER_PORT: '9100',
        VERIFIER_FRONTEND_COLORS_SECONDARY: '#000',
        VERIFIER_BACKEND_OUTBOUND_ALLOW_INSECURE: 'TRUE',
        VERIFIER_BACKEND_ACCESS_TOKEN_TYP: 'at+jwt',
        VERIFIER_BACKEND_SECURITY_CLOCK_SKEW_SECONDS: '5',
      },
    });
    assert.equal(c.verifier.backend.url, 'https://env.example.org');
    assert.equal(c.server.port, 9100);
    assert.equal(c.verifier.frontend.colors.secondary, '#000');
    assert.equal(c.verifier.frontend.colors.primary, '#112233');
    assert.equal(c.verifier.backend.outbound.allowInsecure, true);
    assert.equal(c.verifier.backend.accessToken.typ, 'at+jwt');
    assert.equal(c.verifier.backend.security.clockSkewSeconds, 5);
    assert.deepEqual([...c.sources.env].sort(), [
      'server.port',
      'verifier.backend.accessToken.typ',
      'verifier.backend.outbound.allowInsecure',
      'verifier.backend.security.clockSkewSeconds',
      'verifier.backend.url',
      'verifier.frontend.colors.secondary',
    ]);
  });

  test('both VERIFIER_BACKEND_IDENTITY_PRIVATEKEY and VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY bind privateKey', () => {
    for (const name of ['VERIFIER_BACKEND_IDENTITY_PRIVATEKEY', 'VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY']) {
      const c = loadConfig({ env: { [name]: PRIVATE_KEY } });
      assert.equal(c.verifier.backend.identity.privateKey, PRIVATE_KEY_HEX, name);
      assert.deepEqual(c.sources.env, ['verifier.backend.identity.privateKey']);
    }
  });

  test('both …_DIDKEY and …_DID_KEY bind didKey', () => {
    for (const name of ['VERIFIER_BACKEND_IDENTITY_DIDKEY', 'VERIFIER_BACKEND_IDENTITY_DID_KEY']) {
      const c = loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, [name]: DID_KEY } });
      assert.equal(c.verifier.backend.identity.didKey, DID_KEY, name);
    }
  });

  test('the 0x prefix is optional and the key is normalised to lowercase hex', () => {
    const upper = PRIVATE_KEY_HEX.toUpperCase();
    for (const value of [PRIVATE_KEY, PRIVATE_KEY_HEX, `0X${upper}`, upper]) {
      const c = loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: value } });
      assert.equal(c.verifier.backend.identity.privateKey, PRIVATE_KEY_HEX);
      assert.equal(c.verifier.backend.identity.didKey, DID_KEY);
    }
  });

  test('list indices bind trustFrameworks entries (both spellings), relative paths resolved against cwd', () => {
    const c = loadConfig({
      cwd: '/srv/verifier',
      env: {
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_NAME: 'DOME',
        VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL: 'https://tir.example.org/v4/issuers/',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: 'tf/trusted_service_list.yaml',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_1_NAME: 'local',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_1_TRUSTED_ISSUERS_LIST_URL: './til/',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_1_TRUSTED_SERVICES_LIST_URL: 'file:/etc/verifier/tsl.yaml',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_1_REVOKED_CREDENTIAL_LIST_URL: 'https://r.example.org/revoked.yaml',
      },
    });
    assert.deepEqual(c.verifier.backend.trustFrameworks, [
      { name: 'DOME', trustedIssuersListUrl: 'https://tir.example.org/v4/issuers/', trustedServicesListUrl: '/srv/verifier/tf/trusted_service_list.yaml', legacyReadEnabled: true, bumpedReadEnabled: true },
      {
        name: 'local',
        trustedIssuersListUrl: '/srv/verifier/til/',
        trustedServicesListUrl: '/etc/verifier/tsl.yaml',
        revokedCredentialListUrl: 'https://r.example.org/revoked.yaml',
        legacyReadEnabled: true, bumpedReadEnabled: true,
      },
    ]);
    assert.ok(c.sources.env.includes('verifier.backend.trustFrameworks[1].revokedCredentialListUrl'));
  });

  test('an env-bound list replaces the file list whole (Spring semantics)', () => {
    const c = loadConfig({
      file: yamlFile(IN2_YAML),
      env: {
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME: 'env',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL: 'https://e.example.org/',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: 'https://e.example.org/tsl',
      },
    });
    assert.deepEqual(c.verifier.backend.trustFrameworks, [
      { name: 'env', trustedIssuersListUrl: 'https://e.example.org/', trustedServicesListUrl: 'https://e.example.org/tsl', legacyReadEnabled: true, bumpedReadEnabled: true },
    ]);
  });

  test('a gap in env list indices stops with the missing index named', () => {
    throwsConfigError(
      () => loadConfig({ env: { VERIFIER_BACKEND_TRUST_FRAMEWORKS_1_NAME: 'x' } }),
      'verifier.backend.trustFrameworks[0]',
      /contiguous/,
    );
  });

  test('PORT wins over the file and SERVER_PORT; HOST, LOG_LEVEL and VERIFIER_DATA_DIR bind', () => {
    const c = loadConfig({
      cwd: '/srv/verifier',
      file: yamlFile('server: {port: 9000, host: 10.0.0.1}\nlogLevel: warn\n'),
      env: { SERVER_PORT: '9100', PORT: '9200', HOST: '127.0.0.1', LOG_LEVEL: 'DEBUG', VERIFIER_DATA_DIR: 'state', VERIFIER_BACKEND_DATA_DIR: '/other' },
    });
    assert.deepEqual({ host: c.server.host, port: c.server.port }, { host: '127.0.0.1', port: 9200 });
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.verifier.backend.dataDir, '/srv/verifier/state');
    assert.deepEqual([...c.sources.env].sort(), ['logLevel', 'server.host', 'server.port', 'verifier.backend.dataDir']);
  });

  test('SERVER_MAX_QUEUED_REQUESTS binds server.maxQueuedRequests; a value below 1 stops start-up naming the key', () => {
    assert.equal(loadConfig({ env: { SERVER_MAX_QUEUED_REQUESTS: '16' } }).server.maxQueuedRequests, 16);
    assert.throws(() => loadConfig({ env: { SERVER_MAXQUEUEDREQUESTS: '0' } }), /server\.maxQueuedRequests.*between 1 and 1000000/);
  });

  test('server timeouts, connection caps, the management port and rate limits bind from env; the header timeout may not exceed the request timeout', () => {
    const c = loadConfig({
      env: {
        SERVER_HEADERS_TIMEOUT_MS: '2000',
        SERVER_REQUESTTIMEOUTMS: '3000',
        SERVER_MAX_CONNECTIONS: '10',
        SERVER_MANAGEMENT_PORT: '9464',
        SERVER_RATELIMIT_ENABLED: 'false',
        SERVER_RATE_LIMIT_PER_CLIENT_PER_SECOND: '3',
        SERVER_TRUST_PROXY: '10.0.0.0/8, ::1',
      },
    });
    assert.equal(c.server.headersTimeoutMs, 2000);
    assert.equal(c.server.requestTimeoutMs, 3000);
    assert.equal(c.server.maxConnections, 10);
    assert.deepEqual(c.server.management, { port: 9464 });
    assert.equal(c.server.rateLimit.enabled, false);
    assert.equal(c.server.rateLimit.perClientPerSecond, 3);
    assert.equal(c.server.trustProxy, '10.0.0.0/8, ::1');
    assert.throws(() => loadConfig({ env: { SERVER_HEADERS_TIMEOUT_MS: '20000', SERVER_REQUEST_TIMEOUT_MS: '15000' } }), /server\.headersTimeoutMs.*requestTimeoutMs/);
    assert.throws(() => loadConfig({ env: { SERVER_TRUST_PROXY: 'the-ingress' } }), /server\.trustProxy/);
    assert.throws(() => loadConfig({ env: { SERVER_TRUST_PROXY: '10.0.0.0/33' } }), /server\.trustProxy/);
    assert.throws(() => loadConfig({ env: { SERVER_MANAGEMENT_PORT: '0' } }), /server\.management\.port/);
  });

  test('empty env values are ignored', () => {
    const c = loadConfig({ file: yamlFile(IN2_YAML), env: { VERIFIER_BACKEND_URL: '', VERIFIER_BACKEND_IDENTITY_DID_KEY: '  ', PORT: '' } });
    assert.equal(c.verifier.backend.url, 'https://verifier.example.org');
    assert.equal(c.server.port, 9000);
    assert.deepEqual(c.sources.env, []);
  });

  test('unknown VERIFIER_*/SERVER_* env vars become warnings naming the variable, other env vars are ignored', () => {
    const c = loadConfig({
      env: { VERIFIER_SERVICE_HOST: '10.0.0.1', VERIFIER_CONFIG: '', SERVER_SERVLET_CONTEXT_PATH: '/x', SPRING_PROFILES_ACTIVE: 'prod', HOME: '/root' },
    });
    assert.deepEqual(c.warnings, ['unknown env var SERVER_SERVLET_CONTEXT_PATH ignored', 'unknown env var VERIFIER_SERVICE_HOST ignored']);
  });

  test('a bad SERVER_PORT is reported under server.port', () => {
    throwsConfigError(() => loadConfig({ env: { SERVER_PORT: 'tcp://10.0.0.1:80' } }), 'server.port', /must be an integer/);
    throwsConfigError(() => loadConfig({ env: { PORT: '70000' } }), 'server.port', /between 1 and 65535/);
  });
});

describe('identity checks', () => {
  test('a didKey that does not match privateKey stops with verifier.backend.identity.didKey named', () => {
    throwsConfigError(
      () => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, VERIFIER_BACKEND_IDENTITY_DID_KEY: OTHER_DID_KEY } }),
      'verifier.backend.identity.didKey',
      /does not match privateKey/,
    );
  });

  test('a didKey without privateKey stops with privateKey named', () => {
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_DID_KEY: DID_KEY } }), 'verifier.backend.identity.privateKey', /required/);
  });

  test('an identity certificate without privateKey stops with privateKey named; a certificate file path is made absolute, PEM text kept', () => {
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_CERTIFICATE: 'identity.pem' } }), 'verifier.backend.identity.privateKey', /required when verifier\.backend\.identity\.certificate is set/);
    const file = loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, VERIFIER_BACKEND_IDENTITY_CERTIFICATE: 'certs/identity.pem' }, cwd: '/srv/verifier' });
    assert.equal(file.verifier.backend.identity.certificate, '/srv/verifier/certs/identity.pem');
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    assert.equal(loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, VERIFIER_BACKEND_IDENTITY_CERTIFICATE: pem } }).verifier.backend.identity.certificate, pem);
  });

  test('a didKey that is not a P-256 did:key is rejected', () => {
    throwsConfigError(
      () => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, VERIFIER_BACKEND_IDENTITY_DID_KEY: 'did:web:example.org' } }),
      'verifier.backend.identity.didKey',
    );
  });

  test('privateKey must be hex, exactly 32 bytes and a valid P-256 scalar', () => {
    const cases: [string, RegExp][] = [
      [`0x${PRIVATE_KEY_HEX.slice(0, 62)}zz`, /hexadecimal/],
      [PRIVATE_KEY_HEX.slice(0, 62), /exactly 32 bytes/],
      [`${PRIVATE_KEY_HEX}00`, /exactly 32 bytes/],
      ['0x', /hexadecimal/],
      ['0'.repeat(64), /valid P-256 private key/],
      ['ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', /valid P-256 private key/], // n
      ['f'.repeat(64), /valid P-256 private key/],
    ];
    for (const [value, reason] of cases) {
      throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: value } }), 'verifier.backend.identity.privateKey', reason);
    }
  });

  test('secrets never appear in error messages', () => {
    const secret = `${PRIVATE_KEY_HEX.slice(0, 40)}nothex${PRIVATE_KEY_HEX.slice(46)}`;
    const e1 = throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: secret } }), 'verifier.backend.identity.privateKey');
    assert.ok(!e1.message.includes(secret) && !e1.message.includes(PRIVATE_KEY_HEX.slice(0, 40)), e1.message);
    const e2 = throwsConfigError(
      () => loadConfig({ env: { VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: PRIVATE_KEY, VERIFIER_BACKEND_IDENTITY_DID_KEY: OTHER_DID_KEY } }),
      'verifier.backend.identity.didKey',
    );
    assert.ok(!e2.message.includes(PRIVATE_KEY_HEX) && !e2.message.includes(OTHER_DID_KEY), e2.message);
    const e3 = throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile(`verifier: {backend: {identity: {privateKey: {nested: ${PRIVATE_KEY_HEX}}}}}`) }),
      'verifier.backend.identity.privateKey',
      /must be a hex string/,
    );
    assert.ok(!e3.message.includes(PRIVATE_KEY_HEX), e3.message);
  });
});

describe('value checks', () => {
  test('a trailing slash on verifier.backend.url is removed', () => {
    assert.equal(loadConfig({ env: { VERIFIER_BACKEND_URL: 'https://v.example.org/' } }).verifier.backend.url, 'https://v.example.org');
    assert.equal(loadConfig({ env: { VERIFIER_BACKEND_URL: 'https://v.example.org/verifier/' } }).verifier.backend.url, 'https://v.example.org/verifier');
  });

  test('verifier.backend.url with a query or fragment, or not http(s), is rejected', () => {
    for (const url of ['https://v.example.org/?a=1', 'https://v.example.org/#x', 'https://v.example.org?']) {
      throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_URL: url } }), 'verifier.backend.url', /query or fragment/);
    }
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_URL: 'ftp://v.example.org' } }), 'verifier.backend.url', /http/);
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_URL: 'v.example.org' } }), 'verifier.backend.url', /absolute/);
  });

  test('a bad colour is rejected naming the key', () => {
    throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  frontend:\n    colors:\n      primaryContrast: "blue"\n') }),
      'verifier.frontend.colors.primaryContrast',
      /#rgb or #rrggbb/,
    );
    throwsConfigError(() => loadConfig({ env: { VERIFIER_FRONTEND_COLORS_PRIMARY: '#12345' } }), 'verifier.frontend.colors.primary');
  });

  test('an unknown verifier.* key gives a warning, not an error', () => {
    const c = loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    foo: 1\n    plainListEntityBypassUrls: [a]\n  other: x\nserver:\n  servlet:\n    context-path: /v\nspring:\n  anything: 1\n') });
    assert.deepEqual(c.warnings, [
      'unknown key verifier.backend.foo ignored',
      'unknown key verifier.backend.plainListEntityBypassUrls ignored',
      'unknown key verifier.other ignored',
      'unknown key server.servlet ignored',
    ]);
  });

  test('a wrong type of a known key stops with the key named', () => {
    throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    outbound:\n      allowInsecure: "maybe"\n') }),
      'verifier.backend.outbound.allowInsecure',
      /must be a boolean/,
    );
    throwsConfigError(() => loadConfig({ env: {}, file: yamlFile('server:\n  port: [1, 2]\n') }), 'server.port', /must be an integer/);
    throwsConfigError(() => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    identity: abc\n') }), 'verifier.backend.identity', /must be a map/);
    throwsConfigError(() => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    trustFrameworks: DOME\n') }), 'verifier.backend.trustFrameworks', /must be a list/);
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_ACCESS_TOKEN_TYP: 'jwe' } }), 'verifier.backend.accessToken.typ', /JWT, at\+jwt/);
    throwsConfigError(() => loadConfig({ env: { VERIFIER_FRONTEND_DEFAULT_LANG: 'fr' } }), 'verifier.frontend.defaultLang');
    throwsConfigError(() => loadConfig({ env: { LOG_LEVEL: 'verbose' } }), 'logLevel');
  });

  test('DID resolution keys (verifier.backend.did.*) have defaults, bind from env and are range-checked', () => {
    assert.deepEqual(loadConfig({ env: {} }).verifier.backend.did, { cacheTtlSeconds: 300, webTimeoutMs: 2500, webMaxDocumentBytes: 65536, webAllowHttp: false });
    const c = loadConfig({ env: { VERIFIER_BACKEND_DID_CACHE_TTL_SECONDS: '60', VERIFIER_BACKEND_DID_WEB_TIMEOUT_MS: '1000', VERIFIER_BACKEND_DID_WEB_MAX_DOCUMENT_BYTES: '4096', VERIFIER_BACKEND_DID_WEB_ALLOW_HTTP: 'true' } });
    assert.deepEqual(c.verifier.backend.did, { cacheTtlSeconds: 60, webTimeoutMs: 1000, webMaxDocumentBytes: 4096, webAllowHttp: true });
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_DID_WEB_MAX_DOCUMENT_BYTES: '10' } }), 'verifier.backend.did.webMaxDocumentBytes', /between 1024 and 1048576/);
  });

  test('numeric keys are range-checked', () => {
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_OUTBOUND_TIMEOUT_MS: '50' } }), 'verifier.backend.outbound.timeoutMs', /between 100 and 10000/);
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_CACHE_STATUS_LIST_TTL_SECONDS: '0' } }), 'verifier.backend.cache.statusListTtlSeconds');
    throwsConfigError(() => loadConfig({ env: { VERIFIER_BACKEND_ACCESS_TOKEN_EXPIRES_IN_SECONDS: '1.5' } }), 'verifier.backend.accessToken.expiresInSeconds');
  });

  test('trust framework entries need name, trustedIssuersListUrl and trustedServicesListUrl', () => {
    const e = throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    trustFrameworks:\n      - name: DOME\n        trustedIssuersListUrl: https://tir.example.org/\n') }),
      'verifier.backend.trustFrameworks[0].trustedServicesListUrl',
      /is required/,
    );
    assert.equal(e.problems.length, 1);
    throwsConfigError(
      () => loadConfig({ env: {}, file: yamlFile('verifier:\n  backend:\n    trustFrameworks:\n      - name: DOME\n        trustedIssuersListUrl: ftp://tir.example.org/\n        trustedServicesListUrl: x.yaml\n') }),
      'verifier.backend.trustFrameworks[0].trustedIssuersListUrl',
    );
  });

  test('an http(s) trustedIssuersListUrl without a trailing slash gives a warning', () => {
    const c = loadConfig({
      env: {
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME: 'DOME',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL: 'https://tir.example.org/v4/issuers',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: 'https://tsl.example.org/list.yaml',
      },
    });
    assert.equal(c.verifier.backend.trustFrameworks[0]?.trustedIssuersListUrl, 'https://tir.example.org/v4/issuers');
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0]!, /^verifier\.backend\.trustFrameworks\[0\]\.trustedIssuersListUrl does not end with '\/'/);
  });

  test('x509.trustAnchors is resolved against cwd and not read', () => {
    const c = loadConfig({ cwd: '/srv/verifier', env: { VERIFIER_BACKEND_X509_TRUST_ANCHORS: 'certs/roots.pem' } });
    assert.deepEqual(c.verifier.backend.x509, { trustAnchors: '/srv/verifier/certs/roots.pem' });
  });
  test('trustFrameworks[i].dcqlProfiles is JSON text of DCQL profiles; bad JSON or a query without a type filter is refused naming the key', () => {
    const tf = { VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_NAME: 'DOME', VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL: 'https://tir.example.org/', VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDSERVICESLISTURL: 'https://tsl.example.org/tsl.yaml' };
    const profiles = { learcredential: [{ id: 'q', format: 'dc+sd-jwt', meta: { vct_values: ['learcredential.employee.sd.1'] } }] };
    const c = loadConfig({ env: { ...tf, VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_DCQLPROFILES: JSON.stringify(profiles) } });
    assert.deepEqual(c.verifier.backend.trustFrameworks[0]!.dcqlProfiles, profiles);
    assert.equal(loadConfig({ env: tf }).verifier.backend.trustFrameworks[0]!.dcqlProfiles, undefined, 'unset: the defaults apply');
    assert.throws(() => loadConfig({ env: { ...tf, VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_DCQLPROFILES: '{learcredential' } }), /trustFrameworks\[0\]\.dcqlProfiles.*JSON text/);
    assert.throws(
      () => loadConfig({ env: { ...tf, VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_DCQLPROFILES: '{"learcredential":[{"id":"q","format":"jwt_vc_json","meta":{}}]}' } }),
      /trustFrameworks\[0\]\.dcqlProfiles.*credential_definition\.type/,
    );
  });
});
