import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPkce, pkceChallenge, randomNonce, randomState } from './pkce.ts';

test('S256 challenge matches RFC 7636 appendix B', () => {
  assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  assert.throws(() => pkceChallenge('short'), TypeError);
});

test('createPkce, randomState and randomNonce return fresh 43-character base64url values', () => {
  const a = createPkce();
  const b = createPkce();
  assert.equal(a.method, 'S256');
  assert.match(a.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(a.challenge, pkceChallenge(a.verifier));
  assert.notEqual(a.verifier, b.verifier);
  assert.match(randomState(), /^[A-Za-z0-9_-]{43}$/);
  assert.match(randomNonce(), /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(randomState(), randomState());
});
