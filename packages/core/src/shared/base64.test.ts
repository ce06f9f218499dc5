import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64Liberal } from './base64.ts';

/** Bytes whose standard encoding uses both '+' and '/' (and needs padding). */
const BYTES = Buffer.from([0xfb, 0xff, 0xbf, 0x00, 0x10]);
const STD = BYTES.toString('base64'); // "+/+/ABA="
const URL = BYTES.toString('base64url'); // "-_-_ABA"

const decoded = (s: string) => decodeBase64Liberal(s)?.toString('hex');

describe('decodeBase64Liberal', () => {
  test('the fixture uses both alphabets where they differ', () => {
    assert.equal(STD, '+/+/ABA=');
    assert.equal(URL, '-_-_ABA');
  });

  test('decodes standard base64 with padding (the IN2 issuer encoding)', () => {
    assert.equal(decoded(STD), BYTES.toString('hex'));
    assert.equal(decodeBase64Liberal('aGk=')?.toString(), 'hi');
    assert.equal(decodeBase64Liberal('aA==')?.toString(), 'h');
  });

  test('decodes standard base64 without padding', () => {
    assert.equal(decoded(STD.replace(/=+$/, '')), BYTES.toString('hex'));
    assert.equal(decodeBase64Liberal('aGk')?.toString(), 'hi');
    assert.equal(decodeBase64Liberal('aA')?.toString(), 'h');
  });

  test('decodes url-safe base64, unpadded (DOME wallets) or padded', () => {
    assert.equal(decoded(URL), BYTES.toString('hex'));
    assert.equal(decoded(`${URL}=`), BYTES.toString('hex'));
  });

  test('refuses text that mixes the standard and url-safe alphabets', () => {
    assert.equal(decodeBase64Liberal('+/-_ABA='), undefined);
    assert.equal(decodeBase64Liberal('ab+c-d'), undefined);
    assert.equal(decodeBase64Liberal('ab/c_d'), undefined);
  });

  test('refuses a body whose length is 1 modulo 4 (not a whole number of bytes)', () => {
    assert.equal(decodeBase64Liberal('a'), undefined);
    assert.equal(decodeBase64Liberal('aGk=a'), undefined);
    assert.equal(decodeBase64Liberal('aGkha'), undefined);
    assert.equal(decodeBase64Liberal('aGkha==='), undefined);
  });

  test('refuses empty text, characters outside both alphabets, inner padding and more than two padding characters', () => {
    for (const bad of ['', ' ', 'aGk =', 'aG\nk=', 'aG=k', 'aGk*', 'a===', 'aGk===', 'aGk==', '=', '==', 'é', 'aGk%3D']) {
      assert.equal(decodeBase64Liberal(bad), undefined, JSON.stringify(bad));
    }
  });

  test('refuses non-canonical encodings (non-zero trailing bits), so one byte string has one accepted spelling per form', () => {
    assert.equal(decodeBase64Liberal('aGl=')?.toString(), undefined); // canonical: aGk=
    assert.equal(decodeBase64Liberal('aGl'), undefined);
    assert.equal(decodeBase64Liberal('aB=='), undefined); // canonical: aA==
  });

  test('decodes a base64-encoded compact JWT back to the same text in both alphabets', () => {
    const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl_-';
    for (const encoded of [Buffer.from(jwt).toString('base64'), Buffer.from(jwt).toString('base64url')]) {
      assert.equal(decodeBase64Liberal(encoded)?.toString('utf8'), jwt);
    }
  });
});

