import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64Liberal, decodeBase64LiberalText, decodeBase64UrlCanonical, decodeBase64UrlCanonicalText } from './base64.ts';

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


/**
 * The definitions both decoders implement without re-encoding: accept exactly when re-encoding the
 * decoded bytes in an accepted form gives the text back.
 */
const oracle = {
  canonicalUrl(s: string): Buffer | undefined {
    const buf = Buffer.from(s, 'base64url');
    return buf.toString('base64url') === s ? buf : undefined;
  },
  liberal(s: string): Buffer | undefined {
    if (s.length === 0) return undefined;
    const buf = Buffer.from(s, 'base64');
    const std = buf.toString('base64');
    const url = buf.toString('base64url');
    const pad = std.endsWith('==') ? 2 : std.endsWith('=') ? 1 : 0;
    return s === std || s === url || s === std.slice(0, std.length - pad) || s === url + '='.repeat(pad) ? buf : undefined;
  },
};

/** Deterministic inputs: random texts over both alphabets, padding, junk and non-Latin-1 characters, and mutated valid encodings. */
function* samples(count: number): Generator<string> {
  let seed = 0x2545f491;
  const rnd = (k: number) => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % k;
  };
  const pool = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n\t.%*~\u0000\u00e9\u00ff\u0100\uffff\ud800'];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      let s = '';
      for (let j = rnd(14); j > 0; j--) s += pool[rnd(pool.length)];
      yield s;
    } else {
      const bytes = Buffer.from(Array.from({ length: rnd(12) }, () => rnd(256)));
      let s = [bytes.toString('base64url'), bytes.toString('base64')][rnd(2)]!;
      for (let m = rnd(4); m > 0; m--) {
        const at = rnd(s.length + 1);
        const c = pool[rnd(pool.length)]!;
        s = [s.slice(0, at) + c + s.slice(at), s.slice(0, at) + s.slice(at + 1), s.slice(0, at) + c + s.slice(at + 1)][rnd(3)]!;
      }
      yield s;
    }
  }
}

describe('strict base64 decoding without re-encoding', () => {
  test('decodeBase64UrlCanonical accepts exactly what re-encodes to the same base64url text, with the same bytes', () => {
    let accepted = 0;
    for (const s of samples(200_000)) {
      const want = oracle.canonicalUrl(s);
      const got = decodeBase64UrlCanonical(s);
      assert.deepEqual(got, want, JSON.stringify(s));
      if (want) accepted++;
    }
    assert.ok(accepted > 20_000, `the samples include valid encodings (${accepted})`);
  });

  test('decodeBase64Liberal accepts exactly the four canonical forms, with the same bytes', () => {
    let accepted = 0;
    for (const s of samples(200_000)) {
      const want = oracle.liberal(s);
      assert.deepEqual(decodeBase64Liberal(s), want, JSON.stringify(s));
      if (want) accepted++;
    }
    assert.ok(accepted > 20_000, `the samples include valid encodings (${accepted})`);
  });

  test('the text variants accept exactly what the byte variants accept, with the same bytes read as utf8 and as latin1', () => {
    let accepted = 0;
    for (const s of samples(100_000)) {
      const url = oracle.canonicalUrl(s);
      const lib = oracle.liberal(s);
      assert.equal(decodeBase64UrlCanonicalText(s, 'utf8'), url?.toString('utf8'), JSON.stringify(s));
      assert.equal(decodeBase64UrlCanonicalText(s, 'latin1'), url?.toString('latin1'), JSON.stringify(s));
      assert.equal(decodeBase64LiberalText(s, 'latin1'), lib?.toString('latin1'), JSON.stringify(s));
      assert.equal(decodeBase64LiberalText(s, 'utf8'), lib?.toString('utf8'), JSON.stringify(s));
      if (url) accepted++;
    }
    assert.ok(accepted > 10_000, `the samples include valid encodings (${accepted})`);
  });

  test('the text variants decode texts longer than their 64 KiB scratch buffer, and a short text after a long one leaves nothing of it behind', () => {
    const long = Buffer.alloc(70_000, 'é').toString('utf8');
    const enc = Buffer.from(long).toString('base64url');
    assert.equal(decodeBase64UrlCanonicalText(enc, 'utf8'), long);
    const mid = 'x'.repeat(60_000);
    assert.equal(decodeBase64UrlCanonicalText(Buffer.from(mid).toString('base64url'), 'utf8'), mid);
    assert.equal(decodeBase64UrlCanonicalText(Buffer.from('{"a":1}').toString('base64url'), 'utf8'), '{"a":1}');
    assert.equal(decodeBase64LiberalText(Buffer.from('hi').toString('base64'), 'latin1'), 'hi');
  });

  test('decodeBase64UrlCanonical refuses padding, the standard alphabet, stray characters and non-zero trailing bits', () => {
    for (const bad of ['aGk=', 'aA==', '+/+/', 'ab/c', 'aG k', 'aGk\n', 'aGkha', 'aGl', 'aB', 'é', 'aGk%3D']) {
      assert.equal(decodeBase64UrlCanonical(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(decodeBase64UrlCanonical('aGk')?.toString(), 'hi');
    assert.equal(decodeBase64UrlCanonical('-_-_ABA')?.toString('hex'), 'fbffbf0010');
    assert.equal(decodeBase64UrlCanonical('')?.length, 0);
  });
});
