import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeDisclosure, disclosureDigest } from './decode-disclosure.ts';
import { SdJwtError } from './errors.ts';

/** RFC 9901 §5.1 (example issuance) and §5.7 (structured / recursive claims): disclosure → digest. */
const RFC9901 = [
  ['given_name', ['2GLC42sKQveCfGfryNRN9w', 'given_name', 'John'], 'WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd', 'jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4'],
  ['family_name', ['eluV5Og3gSNII8EYnsxA_A', 'family_name', 'Doe'], 'WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImZhbWlseV9uYW1lIiwgIkRvZSJd', 'TGf4oLbgwd5JQaHyKVQZU9UdGE0w5rtDsrZzfUaomLo'],
  ['phone_number_verified (boolean value)', ['Qg_O64zqAxe412a108iroA', 'phone_number_verified', true], 'WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgInBob25lX251bWJlcl92ZXJpZmllZCIsIHRydWVd', 'XQ_3kPKt1XyX7KANkqVR6yZ2Va5NrPIvPYbyMvRKBMM'],
  ['updated_at (number value)', ['G02NSrQfjFXQ7Io09syajA', 'updated_at', 1570000000], 'WyJHMDJOU3JRZmpGWFE3SW8wOXN5YWpBIiwgInVwZGF0ZWRfYXQiLCAxNTcwMDAwMDAwXQ', 'CrQe7S5kqBAHt-nMYXgc6bdt2SH5aTY1sU_M-PgkjPI'],
  ['address (object value)', ['AJx-095VPrpTtN4QMOqROA', 'address', { street_address: '123 Main St', locality: 'Anytown', region: 'Anystate', country: 'US' }], 'WyJBSngtMDk1VlBycFR0TjRRTU9xUk9BIiwgImFkZHJlc3MiLCB7InN0cmVldF9hZGRyZXNzIjogIjEyMyBNYWluIFN0IiwgImxvY2FsaXR5IjogIkFueXRvd24iLCAicmVnaW9uIjogIkFueXN0YXRlIiwgImNvdW50cnkiOiAiVVMifV0', 'XzFrzwscM6Gn6CJDc6vVK8BkMnfG8vOSKfpPIZdAfdE'],
] as const;

const RFC9901_ARRAY = [
  ['US', ['lklxF5jMYlGTPUovMNIvCA', 'US'], 'WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0', 'pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo'],
  ['DE', ['nPuoQnkRFq3BIeAm7AnXFA', 'DE'], 'WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0', '7Cf6JkPudry3lcbwHgeZ8khAv1U1OSlerP0VkBJrWZ0'],
] as const;

const failure = (name: SdJwtError['failure']) => (e: unknown) => {
  assert.ok(e instanceof SdJwtError, String(e));
  assert.equal(e.failure, name);
  assert.equal(e.code, name === 'DISCLOSURE_TOO_DEEP' ? 'ERR_SD_JWT_TOO_LARGE' : 'ERR_SD_JWT_DISCLOSURE');
  return true;
};
const b64 = (json: string) => Buffer.from(json).toString('base64url');

describe('disclosures (RFC 9901 §4.2)', () => {
  for (const [title, contents, encoded, digest] of RFC9901) {
    test(`RFC 9901 object-property disclosure ${title}: its digest is SHA-256 over the disclosure text`, () => {
      const d = decodeDisclosure(encoded, 16);
      assert.equal(d.digest, digest);
      assert.deepEqual([d.salt, d.name, d.value], contents);
    });
  }
  for (const [title, contents, encoded, digest] of RFC9901_ARRAY) {
    test(`RFC 9901 array-element disclosure "${title}" has two elements and no claim name`, () => {
      const d = decodeDisclosure(encoded, 16);
      assert.equal(d.digest, digest);
      assert.equal(d.name, undefined);
      assert.deepEqual([d.salt, d.value], contents);
    });
  }

  test('the digest is taken over the disclosure as presented, not over a re-encoding of its JSON', () => {
    // Same contents, different whitespace ⇒ a different disclosure and a different digest.
    const compact = b64('["2GLC42sKQveCfGfryNRN9w","given_name","John"]');
    assert.notEqual(disclosureDigest(compact), RFC9901[0][3]);
    assert.deepEqual(decodeDisclosure(compact, 16).value, 'John');
  });

  test('a disclosure that is not canonical unpadded base64url is refused', () => {
    assert.throws(() => decodeDisclosure(`${RFC9901[0][2]}=`, 16), failure('DISCLOSURE_MALFORMED'));
    assert.throws(() => decodeDisclosure(`${RFC9901[0][2].slice(0, -1)}+`, 16), failure('DISCLOSURE_MALFORMED'));
  });

  test('a disclosure must be a JSON array of two or three elements with a string salt and claim name', () => {
    for (const json of ['{"a":1}', '["salt"]', '["s","n","v","extra"]', '[1,"n","v"]', '["","n","v"]', '["s",7,"v"]', 'not json']) {
      assert.throws(() => decodeDisclosure(b64(json), 16), failure('DISCLOSURE_MALFORMED'), json);
    }
  });

  test('a disclosure repeating a member name inside its value is refused', () => {
    assert.throws(() => decodeDisclosure(b64('["s","n",{"a":1,"a":2}]'), 16), failure('DISCLOSURE_MALFORMED'));
  });

  test('a disclosed value nesting deeper than the cap is refused before it is walked', () => {
    const deep = `["s","n",${'['.repeat(20)}${']'.repeat(20)}]`;
    assert.throws(() => decodeDisclosure(b64(deep), 16), failure('DISCLOSURE_TOO_DEEP'));
    assert.doesNotThrow(() => decodeDisclosure(b64(`["s","n",${'['.repeat(15)}${']'.repeat(15)}]`), 16));
  });
});
