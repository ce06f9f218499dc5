/** The fuzzer's oracle treats another encoding of the same vp_token as unchanged, and nothing else. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vpTokenJwt } from './model.ts';

const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2lnYQ~~';
const b64url = Buffer.from(jwt).toString('base64url');
const b64 = Buffer.from(jwt).toString('base64');

test('the JWT, its base64url (padded or not) and its base64 are one vp_token', () => {
  assert.ok(b64.endsWith('=='), 'the fixture needs two padding characters');
  for (const v of [b64url, `${b64url}==`, b64, b64.replace(/=+$/, '')]) assert.equal(vpTokenJwt(v), `jwt:${jwt}`, v);
});

test('wrong padding, a stray character or non-zero trailing bits are different values', () => {
  for (const v of [`${b64url}=`, `${b64url}===`, `${b64url}A`, `${b64url}.`.replace('.', '%'), `${b64url.slice(0, -1)}${b64url.at(-1) === 'A' ? 'B' : 'A'}x`]) {
    assert.notEqual(vpTokenJwt(v), `jwt:${jwt}`, v);
  }
});
