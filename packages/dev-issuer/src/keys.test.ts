import { test } from 'node:test';
import assert from 'node:assert/strict';
import { didKeyToJwk } from '@dome-verifier/did-key';
import { generateP256, loadP256PrivateKey } from './keys.ts';

test('generateP256 yields a did:key whose decoded JWK equals the public JWK', () => {
  const k = generateP256();
  assert.match(k.did, /^did:key:zDna/);
  assert.deepEqual(didKeyToJwk(k.did), k.publicJwk);
  assert.equal(k.privateJwk.x, k.publicJwk.x);
});

test('loadP256PrivateKey accepts JWK object/JSON, PEM and hex (0x optional) and yields the same did', () => {
  const k = generateP256();
  const hex = Buffer.from(k.privateJwk.d, 'base64url').toString('hex');
  for (const input of [k.privateJwk, JSON.stringify(k.privateJwk), k.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), hex, `0x${hex}`]) {
    assert.equal(loadP256PrivateKey(input).did, k.did);
  }
  assert.throws(() => loadP256PrivateKey('nonsense'), TypeError);
  assert.throws(() => loadP256PrivateKey({ kty: 'EC', crv: 'P-256', x: k.publicJwk.x, y: k.publicJwk.y }), TypeError);
});
