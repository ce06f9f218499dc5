import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign, verify } from 'node:crypto';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { identityFromHex, loadOrCreateDevIdentity } from './identity.ts';

/** The IN2 verifier's documented test key and its did:key. */
const IN2_TEST_KEY = '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5';
const IN2_TEST_DID = 'did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'dv-identity-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('identityFromHex', () => {
  test('derives the IN2 test did:key from the IN2 test private key', () => {
    assert.equal(identityFromHex(IN2_TEST_KEY).did, IN2_TEST_DID);
  });

  test('accepts the scalar with or without 0x, in any case', () => {
    const bare = IN2_TEST_KEY.slice(2);
    assert.equal(identityFromHex(bare).did, IN2_TEST_DID);
    assert.equal(identityFromHex(bare.toUpperCase()).did, IN2_TEST_DID);
    assert.equal(identityFromHex(`0X${bare}`).did, IN2_TEST_DID);
  });

  test('publishes a public JWK with kid = did, use sig and alg ES256, and no private member', () => {
    const { publicJwk, did } = identityFromHex(IN2_TEST_KEY);
    assert.deepEqual(Object.keys(publicJwk).sort(), ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    assert.equal(publicJwk.kid, did);
    assert.equal(publicJwk.kty, 'EC');
    assert.equal(publicJwk.crv, 'P-256');
    assert.equal(publicJwk.use, 'sig');
    assert.equal(publicJwk.alg, 'ES256');
    assert.equal('d' in publicJwk, false);
  });

  test('the identity is immutable', () => {
    const id = identityFromHex(IN2_TEST_KEY);
    assert.ok(Object.isFrozen(id));
    assert.ok(Object.isFrozen(id.publicJwk));
  });

  test('the private key signs what the did:key public key verifies', () => {
    const id = identityFromHex(IN2_TEST_KEY);
    assert.equal(id.privateKey.type, 'private');
    assert.equal(id.privateKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const sig = sign('sha256', Buffer.from('hello'), { key: id.privateKey, dsaEncoding: 'ieee-p1363' });
    assert.equal(verify('sha256', Buffer.from('hello'), { key: didKeyToKeyObject(IN2_TEST_DID), dsaEncoding: 'ieee-p1363' }, sig), true);
  });

  test('refuses anything but 32 bytes of hex', () => {
    for (const bad of ['', '0x', IN2_TEST_KEY.slice(0, -1), `${IN2_TEST_KEY}00`, IN2_TEST_KEY.replace('7', 'g'), ` ${IN2_TEST_KEY}`, 'Zm9v']) {
      assert.throws(() => identityFromHex(bad), { message: 'the identity private key must be 32 bytes of hex' }, bad);
    }
  });

  test('refuses a zero scalar (not a valid P-256 private key)', () => {
    assert.throws(() => identityFromHex('0'.repeat(64)));
  });
});

describe('loadOrCreateDevIdentity', () => {
  test('creates <dataDir>/identity.json once, with mode 0600, in a directory it creates', () => {
    const dataDir = join(tempDir(), 'data', 'nested');
    const { identity, created, path } = loadOrCreateDevIdentity(dataDir);
    assert.equal(created, true);
    assert.equal(path, join(dataDir, 'identity.json'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(dataDir).mode & 0o077, 0, 'the data folder is not readable by others');
    const saved = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    assert.match(String(saved.privateKey), /^[0-9a-f]{64}$/);
    assert.equal(saved.didKey, identity.did);
    assert.equal(identityFromHex(String(saved.privateKey)).did, identity.did);
  });

  test('reloads the same key on the next start instead of creating a new one', () => {
    const dataDir = tempDir();
    const first = loadOrCreateDevIdentity(dataDir);
    const before = readFileSync(first.path, 'utf8');
    const second = loadOrCreateDevIdentity(dataDir);
    assert.equal(second.created, false);
    assert.equal(second.identity.did, first.identity.did);
    assert.deepEqual(second.identity.publicJwk, first.identity.publicJwk);
    assert.equal(readFileSync(second.path, 'utf8'), before, 'the file is not rewritten');
  });

  test('two data folders get two different identities', () => {
    assert.notEqual(loadOrCreateDevIdentity(tempDir()).identity.did, loadOrCreateDevIdentity(tempDir()).identity.did);
  });

  test('loads an operator-provided identity file (the IN2 test key)', () => {
    const dataDir = tempDir();
    writeFileSync(join(dataDir, 'identity.json'), JSON.stringify({ privateKey: IN2_TEST_KEY }));
    const { identity, created } = loadOrCreateDevIdentity(dataDir);
    assert.equal(created, false);
    assert.equal(identity.did, IN2_TEST_DID);
  });

  test('refuses an identity file without a privateKey, or with an invalid one, instead of replacing it', () => {
    const dataDir = tempDir();
    const path = join(dataDir, 'identity.json');
    writeFileSync(path, JSON.stringify({ didKey: IN2_TEST_DID }));
    assert.throws(() => loadOrCreateDevIdentity(dataDir), { message: `${path} has no privateKey` });
    writeFileSync(path, JSON.stringify({ privateKey: 'nope' }));
    assert.throws(() => loadOrCreateDevIdentity(dataDir), { message: 'the identity private key must be 32 bytes of hex' });
    assert.equal(readFileSync(path, 'utf8'), JSON.stringify({ privateKey: 'nope' }));
  });
});
