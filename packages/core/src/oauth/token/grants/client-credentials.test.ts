import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { signJws } from '../../../jose/jws.ts';
import { VerifierError } from '../../../errors/verifier-error.ts';
import { decodeVpTokenClaim, MACHINE_SCOPE } from './client-credentials.ts';

const KEY = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const DID = 'did:key:zDnaehBC97ZSEc6cwHLXXr6Zfrj1Tv9bxtsuFGPkxcXMj6FaZ';

/**
 * A VP JWT whose standard base64 needs padding. (Base64 of JWT text never contains '+' or '/':
 * no JWT character has low six bits 62 or 63, so for real vp_tokens the two alphabets differ
 * only in padding.)
 */
function vpJwt(): string {
  for (let n = 0; n < 3; n++) {
    const jwt = signJws({ alg: 'ES256', typ: 'JWT', kid: DID }, { iss: DID, sub: DID, vp: { verifiableCredential: ['eyJ.eyJ.sig'] }, n: 'x'.repeat(n) }, KEY);
    if (jwt.length % 3 !== 0) return jwt;
  }
  throw new Error('unreachable: one of three consecutive lengths is not a multiple of 3');
}
const VP = vpJwt();
const STD = Buffer.from(VP).toString('base64');
const URL = Buffer.from(VP).toString('base64url');

function encodingRefused(value: unknown, message = 'vp_token must be base64 or base64url of a compact JWT, or the JWT itself'): void {
  assert.throws(() => decodeVpTokenClaim(value), (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_VP_TOKEN_ENCODING');
    assert.equal(e.message, message);
    assert.equal(e.status, 401);
    return true;
  }, JSON.stringify(value)?.slice(0, 40));
}

describe('decodeVpTokenClaim', () => {
  test('the fixture needs base64 padding', () => {
    assert.match(STD, /=$/);
    assert.equal(STD.replace(/=+$/, ''), URL);
  });

  test('decodes standard base64 with padding (what the IN2 issuer sends)', () => {
    assert.equal(decodeVpTokenClaim(STD), VP);
  });

  test('decodes standard base64 without padding', () => {
    assert.equal(decodeVpTokenClaim(STD.replace(/=+$/, '')), VP);
  });

  test('decodes base64url without padding (DOME wallets) and with padding', () => {
    assert.equal(decodeVpTokenClaim(URL), VP);
    assert.equal(decodeVpTokenClaim(`${URL}${'='.repeat((4 - (URL.length % 4)) % 4)}`), VP);
  });

  test('passes a raw compact JWT through unchanged', () => {
    assert.equal(decodeVpTokenClaim(VP), VP);
  });

  test('refuses a missing vp_token as a missing assertion claim', () => {
    assert.throws(() => decodeVpTokenClaim(undefined), (e: unknown) => {
      assert.ok(e instanceof VerifierError);
      assert.equal(e.code, 'ERR_ASSERTION_CLAIM_MISSING');
      assert.equal(e.message, 'the client assertion has no vp_token');
      return true;
    });
  });

  test('refuses a vp_token that is not a non-empty string', () => {
    for (const v of ['', null, 42, { vp: VP }, [VP], true]) encodingRefused(v, 'vp_token must be a string');
  });

  test('refuses text that is neither base64 nor a JWT', () => {
    for (const v of ['not base64!', 'hello', '%%%', 'eyJ hbGc', '=====']) encodingRefused(v);
  });

  test('refuses base64 that mixes the two alphabets', () => {
    const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x2e, 0x2e]); // standard "+/+/Li4=", url-safe "-_-_Li4"
    encodingRefused('+/-_Li4=');
    encodingRefused(`${bytes.toString('base64').slice(0, 2)}${bytes.toString('base64url').slice(2)}`);
  });

  test('refuses base64 of something that is not shaped as a compact JWS (three segments)', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    for (const text of ['hello', 'a.b', 'a.b.c.d', 'h.p.s.e.t', '.a.b', ' a.b.c', VP.replace(/\./g, '')]) encodingRefused(b64(text));
  });

  test('refuses base64 of a five-segment JWE', () => {
    encodingRefused(Buffer.from('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d').toString('base64'));
  });

  test('the machine scope is "machine learcredential"', () => {
    assert.equal(MACHINE_SCOPE, 'machine learcredential');
  });
});
