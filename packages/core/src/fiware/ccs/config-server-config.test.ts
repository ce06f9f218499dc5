import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../config/config-error.ts';
import { isLoopbackHost, loadConfig } from '../../config/load-config.ts';

const TOKEN = 'a-bearer-token-of-at-least-32-characters';
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const load = (env: Record<string, string>) => loadConfig({ env, cwd: '/tmp' }).verifier.fiware.configServer;
const refused = (env: Record<string, string>, key: string, reason: RegExp) =>
  assert.throws(
    () => load(env),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.key, key);
      assert.match(e.message, reason);
      assert.ok(!e.message.includes(TOKEN), 'the token is never echoed');
      return true;
    },
  );

describe('verifier.fiware.configServer: not open to anyone', () => {
  test('defaults: off, port 8090, loopback host, no token, no mTLS, a 5 s cache', () => {
    assert.deepEqual(load({}), { enabled: false, port: 8090, host: '127.0.0.1', cacheSeconds: 5 });
  });

  test('loopback hosts need no credentials', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) {
      assert.equal(isLoopbackHost(host), true, host);
      assert.equal(load({ VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIGSERVER_HOST: host }).host, host);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'verifier', '128.0.0.1']) assert.equal(isLoopbackHost(host), false, host);
  });

  test('enabled on a non-loopback host without a token or mTLS is invalid configuration naming bearerToken', () => {
    refused({ VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIGSERVER_HOST: '0.0.0.0' }, 'verifier.fiware.configServer.bearerToken', /not a loopback address/);
  });

  test('a non-loopback host is accepted with a bearer token, or with mTLS', () => {
    const env = { VERIFIER_FIWARE_CONFIGSERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIGSERVER_HOST: '0.0.0.0' };
    assert.equal(load({ ...env, VERIFIER_FIWARE_CONFIGSERVER_BEARERTOKEN: TOKEN }).bearerToken, TOKEN);
    const tls = load({ ...env, VERIFIER_FIWARE_CONFIGSERVER_TLSCERT: PEM, VERIFIER_FIWARE_CONFIGSERVER_TLSKEY: PEM, VERIFIER_FIWARE_CONFIGSERVER_CLIENTCA: 'ca.pem' });
    assert.equal(tls.tlsCert, PEM.trim(), 'PEM text is kept');
    assert.equal(tls.clientCa, '/tmp/ca.pem', 'a path is made absolute');
  });

  test('mTLS needs all three of tlsCert, tlsKey and clientCa', () => {
    refused({ VERIFIER_FIWARE_CONFIGSERVER_TLSCERT: PEM, VERIFIER_FIWARE_CONFIGSERVER_TLSKEY: PEM }, 'verifier.fiware.configServer.clientCa', /mTLS needs all three/);
    refused({ VERIFIER_FIWARE_CONFIGSERVER_CLIENTCA: PEM }, 'verifier.fiware.configServer.tlsCert', /mTLS needs all three/);
  });

  test('a bearer token shorter than 32 characters is refused', () => {
    refused({ VERIFIER_FIWARE_CONFIGSERVER_BEARERTOKEN: 'short' }, 'verifier.fiware.configServer.bearerToken', /at least 32 characters/);
  });

  test('a non-loopback host is harmless while the API is off', () => {
    assert.equal(load({ VERIFIER_FIWARE_CONFIGSERVER_HOST: '0.0.0.0' }).enabled, false);
  });
});
