import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUnverified, detectKind, InspectInputError } from './detect-kind.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const jwt = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'ES256', typ: 'JWT' }) => `${b64(header)}.${b64(claims)}.c2ln`;

const VERIFIER = 'https://verifier.example';

test('detectKind: a vp claim is a presentation', () => {
  assert.equal(detectKind(jwt({ iss: 'did:key:z1', vp: { verifiableCredential: ['a.b.c'] } })), 'vp');
});

test('detectKind: a vc claim or a root credentialSubject (VCDM 2.0) is a credential', () => {
  assert.equal(detectKind(jwt({ iss: 'did:elsi:X', vc: { type: ['VerifiableCredential'] } })), 'vc');
  assert.equal(detectKind(jwt({ type: ['VerifiableCredential'], credentialSubject: {} })), 'vc');
});

test('detectKind: a vp_token claim is a client assertion', () => {
  assert.equal(detectKind(jwt({ iss: 'did:key:z1', sub: 'did:key:z1', aud: VERIFIER, vp_token: 'ZXlK' })), 'client-assertion');
});

test('detectKind: typ oauth-authz-req+jwt, response_type or redirect_uri make a request object', () => {
  assert.equal(detectKind(jwt({ iss: 'rp' }, { alg: 'ES256', typ: 'oauth-authz-req+jwt' })), 'request-object');
  assert.equal(detectKind(jwt({ iss: 'rp' }, { alg: 'ES256', typ: 'application/OAUTH-AUTHZ-REQ+JWT' })), 'request-object');
  assert.equal(detectKind(jwt({ client_id: 'rp', response_type: 'code' })), 'request-object');
  assert.equal(detectKind(jwt({ client_id: 'rp', redirect_uri: 'https://rp/cb' })), 'request-object');
});

test('detectKind: scope + client_id + vc with iss = the verifier is an access token, not a credential', () => {
  const claims = { iss: VERIFIER, client_id: VERIFIER, aud: VERIFIER, scope: 'machine learcredential', vc: { type: ['LEARCredentialMachine'] } };
  assert.equal(detectKind(jwt(claims)), 'access-token', 'iss = client_id, as this verifier writes them');
  assert.equal(detectKind(jwt({ ...claims, client_id: 'other' }), { issuer: VERIFIER }), 'access-token', 'iss = the named verifier');
  assert.equal(detectKind(jwt({ ...claims, client_id: 'other' })), 'vc', 'iss is neither the verifier nor client_id');
  assert.equal(detectKind(jwt({ iss: VERIFIER, client_id: VERIFIER, vc: {} })), 'vc', 'no scope: not an access token');
});

test('detectKind: surrounding whitespace is ignored', () => {
  assert.equal(detectKind(`\n  ${jwt({ vp: {} })}  \n`), 'vp');
});

test('detectKind: no JWT, or a JWT of no known shape, throws InspectInputError', () => {
  for (const input of ['', 'not a jwt', 'a.b', `${b64({ alg: 'ES256' })}.${b64([1, 2])}.x`, `${b64({ alg: 'ES256' })}.!!!.x`]) {
    assert.throws(() => detectKind(input), InspectInputError, input);
  }
  assert.throws(() => detectKind(jwt({ iss: 'x', sub: 'y' })), /cannot tell which kind/);
});

test('decodeUnverified: header and claims without checks; undefined for anything else', () => {
  assert.deepEqual(decodeUnverified(jwt({ a: 1 }, { alg: 'none' })), { header: { alg: 'none' }, claims: { a: 1 } });
  assert.equal(decodeUnverified('a.b.c.d.e'), undefined);
  assert.equal(decodeUnverified(`${b64('str')}.${b64({})}.x`), undefined);
});

test('detectKind: an oversized input is refused as such', () => {
  assert.throws(() => detectKind(jwt({ vp: { x: 'a'.repeat(300 * 1024) } })), /exceeds/);
});
