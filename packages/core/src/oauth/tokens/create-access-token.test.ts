import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import { identityFromHex } from '../../keys/identity.ts';
import { JoseError } from '../../jose/errors.ts';
import { createAccessToken, type AccessTokenInput, type Signer } from './create-access-token.ts';

const IN2_TEST_KEY = '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5';
const IN2_TEST_DID = 'did:key:zDnaekiwkWcXnHaW6au3BpmfWfrtVTJZrA3EHgLvcbm6EZnup';
const ISSUER = 'https://verifier.dome-marketplace.eu';
const NOW_S = 1_748_779_200;
const identity = identityFromHex(IN2_TEST_KEY);
const SIGNER: Signer = { key: identity.privateKey, kid: identity.did };
const MACHINE = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';
const VC = { '@context': ['https://www.w3.org/ns/credentials/v2'], credentialSubject: { mandate: { mandatee: { id: MACHINE } } }, id: 'urn:uuid:1', type: ['LEARCredentialMachine', 'VerifiableCredential'] };

const input = (o: Partial<AccessTokenInput> = {}): AccessTokenInput => ({
  issuer: ISSUER, audience: ISSUER, subject: MACHINE, scope: 'machine learcredential', vc: VC, nowSeconds: NOW_S, expiresInSeconds: 3600, typ: 'JWT', ...o,
});

function parts(token: string) {
  const [h, p, s] = token.split('.') as [string, string, string];
  return {
    headerText: Buffer.from(h, 'base64url').toString(),
    payloadText: Buffer.from(p, 'base64url').toString(),
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
    signingInput: `${h}.${p}`,
    signature: Buffer.from(s, 'base64url'),
  };
}

describe('createAccessToken', () => {
  test('the signer fixture is the IN2 test identity', () => {
    assert.equal(SIGNER.kid, IN2_TEST_DID);
  });

  test('signs ES256 with header {alg, kid: verifier did:key, typ: JWT} by default', () => {
    const { token } = createAccessToken(SIGNER, input());
    assert.equal(parts(token).headerText, `{"alg":"ES256","kid":"${IN2_TEST_DID}","typ":"JWT"}`);
  });

  test('writes typ at+jwt when configured', () => {
    const { token } = createAccessToken(SIGNER, input({ typ: 'at+jwt' }));
    assert.deepEqual(parts(token).header, { alg: 'ES256', kid: IN2_TEST_DID, typ: 'at+jwt' });
  });

  test('carries the DOME M2M claims in alphabetical order (as Jackson writes them)', () => {
    const { token, jti, expiresIn } = createAccessToken(SIGNER, input());
    const { payload, payloadText } = parts(token);
    assert.deepEqual(Object.keys(payload), ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub', 'vc']);
    assert.deepEqual(payload, {
      aud: ISSUER, client_id: ISSUER, exp: NOW_S + 3600, iat: NOW_S, iss: ISSUER, jti, scope: 'machine learcredential', sub: MACHINE, vc: VC,
    });
    assert.equal(expiresIn, 3600);
    assert.ok(payloadText.startsWith('{"aud":'));
  });

  test('client_id is the verifier URL, whatever the audience', () => {
    const { token } = createAccessToken(SIGNER, input({ audience: 'did:key:zRelyingParty' }));
    assert.equal(parts(token).payload.client_id, ISSUER);
    assert.equal(parts(token).payload.aud, 'did:key:zRelyingParty');
  });

  test('embeds the vc exactly as given (the caller passes the token form)', () => {
    const vc = { b: 1, a: { d: null, c: [1, { z: 0, y: 1 }] } };
    const { token } = createAccessToken(SIGNER, input({ vc }));
    assert.equal(JSON.stringify(parts(token).payload.vc), JSON.stringify(vc));
  });

  test('uses a fresh UUID v4 jti per token and returns it', () => {
    const a = createAccessToken(SIGNER, input());
    const b = createAccessToken(SIGNER, input());
    assert.match(a.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.notEqual(a.jti, b.jti);
    assert.equal(parts(a.token).payload.jti, a.jti);
  });

  test('the signature verifies with node:crypto using the public key of the verifier did:key', () => {
    const { token } = createAccessToken(SIGNER, input());
    const { signingInput, signature } = parts(token);
    assert.equal(signature.length, 64);
    const publicKey = didKeyToKeyObject(IN2_TEST_DID);
    assert.equal(verify('sha256', Buffer.from(signingInput), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), true);
    assert.equal(verify('sha256', Buffer.from(`${signingInput}x`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature), false);
    assert.equal(verify('sha256', Buffer.from(signingInput), { key: createPublicKey(identity.privateKey), dsaEncoding: 'ieee-p1363' }, signature), true);
  });

  test('adds extra claims after the standard ones', () => {
    const { token } = createAccessToken(SIGNER, input({ extra: { tenant: 'dome', aud: 'override' } }));
    const { payload } = parts(token);
    assert.equal(payload.tenant, 'dome');
    assert.equal(Object.keys(payload).at(-1), 'tenant');
    assert.equal(payload.aud, 'override');
  });

  test('refuses a signer key that is not P-256', () => {
    for (const key of [generateKeyPairSync('ed25519').privateKey, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey]) {
      assert.throws(() => createAccessToken({ key, kid: 'x' }, input()), (e: unknown) => e instanceof JoseError && e.code === 'ERR_JWS_KEY_MISMATCH');
    }
  });

  describe('with the JSON text of vc given (a cached credential)', () => {
    /** The payload as serializing the whole claim set writes it, jti taken from the token. */
    const expected = (o: Partial<AccessTokenInput>, jti: string) => {
      const i = input(o);
      return JSON.stringify({ aud: i.audience, client_id: i.issuer, exp: i.nowSeconds + i.expiresInSeconds, iat: i.nowSeconds, iss: i.issuer, jti, scope: i.scope, sub: i.subject, vc: i.vc, ...i.extra });
    };

    test('writes the very payload bytes serializing the claims would, with or without extra claims (even colliding ones)', () => {
      for (const extra of [undefined, {}, { credential_type: 'LEARCredentialMachine' }, { credential_type: 'x', tenant: 'dome' }, { aud: 'override' }, { vc: 'override' }, { tenant: undefined }, { toString: 'x' }]) {
        const o = { vcJson: JSON.stringify(VC), ...(extra ? { extra: extra as Record<string, unknown> } : {}) };
        const { token, jti } = createAccessToken(SIGNER, input(o));
        assert.equal(parts(token).payloadText, expected(o, jti), JSON.stringify(extra));
      }
    });

    test('embeds the given text as the vc member instead of serializing vc again', () => {
      const vcJson = JSON.stringify(VC, null, 1); // same value, other spelling: shows which one was written
      const { token } = createAccessToken(SIGNER, input({ vcJson, extra: { tenant: 'dome' } }));
      const { payloadText, payload } = parts(token);
      assert.ok(payloadText.includes(`"vc":${vcJson},"tenant":"dome"}`));
      assert.deepEqual(payload.vc, VC);
    });
  });
});
