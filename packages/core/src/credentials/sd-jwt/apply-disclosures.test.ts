import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDisclosures } from './apply-disclosures.ts';
import { decodeDisclosure, disclosureDigest } from './decode-disclosure.ts';
import { SdJwtError, type SdJwtFailure } from './errors.ts';

const d = (encoded: string) => decodeDisclosure(encoded, 16);
const b64 = (arr: unknown[]) => Buffer.from(JSON.stringify(arr)).toString('base64url');
const failure = (name: SdJwtFailure) => (e: unknown) => {
  assert.ok(e instanceof SdJwtError, String(e));
  assert.equal(e.failure, name);
  return true;
};

// RFC 9901 §5.7.3: every address member disclosed on its own, and the address itself disclosed.
const STREET = 'WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgInN0cmVldF9hZGRyZXNzIiwgIlNjaHVsc3RyLiAxMiJd';
const LOCALITY = 'WyJlbHVWNU9nM2dTTklJOEVZbnN4QV9BIiwgImxvY2FsaXR5IiwgIlNjaHVscGZvcnRhIl0';
const REGION = 'WyI2SWo3dE0tYTVpVlBHYm9TNXRtdlZBIiwgInJlZ2lvbiIsICJTYWNoc2VuLUFuaGFsdCJd';
const COUNTRY = 'WyJlSThaV205UW5LUHBOUGVOZW5IZGhRIiwgImNvdW50cnkiLCAiREUiXQ';
const ADDRESS = 'WyJRZ19PNjR6cUF4ZTQxMmExMDhpcm9BIiwgImFkZHJlc3MiLCB7Il9zZCI6IFsiNnZoOWJxLXpTNEdLTV83R3BnZ1ZiWXp6dTZvT0dYcm1OVkdQSFA3NVVkMCIsICI5Z2pWdVh0ZEZST0NnUnJ0TmNHVVhtRjY1cmRlemlfNkVyX2o3NmttWXlNIiwgIktVUkRQaDRaQzE5LTN0aXotRGYzOVY4ZWlkeTFvVjNhM0gxRGEyTjBnODgiLCAiV045cjlkQ0JKOEhUQ3NTMmpLQVN4VGpFeVc1bTV4NjVfWl8ycm8yamZYTSJdfV0';
const ADDRESS_DIGEST = 'HvrKX6fPV0v9K_yCVFBiLFHsMaxcD_114Em6VT8x1lg';
// RFC 9901 §5.1: nationalities as array-element disclosures.
const US = 'WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0';
const DE = 'WyJuUHVvUW5rUkZxM0JJZUFtN0FuWEZBIiwgIkRFIl0';
const GIVEN = 'WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd';

describe('applying disclosures (RFC 9901 §7.1)', () => {
  test('RFC 9901 §5.7.3 recursive disclosures rebuild the address from the disclosed address and its disclosed members', () => {
    const claims = applyDisclosures({ iss: 'https://issuer.example.com', _sd: [ADDRESS_DIGEST], _sd_alg: 'sha-256' }, [STREET, LOCALITY, REGION, COUNTRY, ADDRESS].map(d), 16);
    assert.deepEqual(claims, { iss: 'https://issuer.example.com', address: { street_address: 'Schulstr. 12', locality: 'Schulpforta', region: 'Sachsen-Anhalt', country: 'DE' } });
  });

  test('RFC 9901 §5.7.3 with only some members disclosed yields only those members (undisclosed digests are dropped)', () => {
    const claims = applyDisclosures({ _sd: [ADDRESS_DIGEST] }, [REGION, COUNTRY, ADDRESS].map(d), 16);
    assert.deepEqual(claims, { address: { region: 'Sachsen-Anhalt', country: 'DE' } });
  });

  test('RFC 9901 §5.1 array-element disclosures {"...": digest} are replaced in place; undisclosed elements vanish', () => {
    const payload = { nationalities: [{ '...': disclosureDigest(US) }, 'FR', { '...': disclosureDigest(DE) }] };
    assert.deepEqual(applyDisclosures(payload, [US, DE].map(d), 16), { nationalities: ['US', 'FR', 'DE'] });
    assert.deepEqual(applyDisclosures(payload, [DE].map(d), 16), { nationalities: ['FR', 'DE'] });
  });

  test('decoy digests that match no disclosure are removed with the _sd array', () => {
    const claims = applyDisclosures({ _sd: [disclosureDigest(GIVEN), 'decoy-digest-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], a: 1 }, [d(GIVEN)], 16);
    assert.deepEqual(claims, { a: 1, given_name: 'John' });
  });

  test('a tampered disclosure (its digest referenced nowhere) is refused, not ignored', () => {
    const tampered = b64(['2GLC42sKQveCfGfryNRN9w', 'given_name', 'Mallory']);
    assert.throws(() => applyDisclosures({ _sd: [disclosureDigest(GIVEN)] }, [d(tampered)], 16), failure('DISCLOSURE_UNREFERENCED'));
  });

  test('a digest that appears twice in the payload is refused', () => {
    const g = disclosureDigest(GIVEN);
    assert.throws(() => applyDisclosures({ _sd: [g, g] }, [d(GIVEN)], 16), failure('DIGEST_DUPLICATE'));
    assert.throws(() => applyDisclosures({ _sd: [g], nested: { _sd: [g] } }, [d(GIVEN)], 16), failure('DIGEST_DUPLICATE'));
    assert.throws(() => applyDisclosures({ list: [{ '...': disclosureDigest(US) }, { '...': disclosureDigest(US) }] }, [d(US)], 16), failure('DIGEST_DUPLICATE'));
  });

  test('the same disclosure presented twice is refused', () => {
    assert.throws(() => applyDisclosures({ _sd: [disclosureDigest(GIVEN)] }, [d(GIVEN), d(GIVEN)], 16), failure('DIGEST_DUPLICATE'));
  });

  test('a disclosure may not name the reserved claims _sd or "..."', () => {
    for (const name of ['_sd', '...']) {
      const disc = b64(['salt-salt-salt', name, ['x']]);
      assert.throws(() => applyDisclosures({ _sd: [disclosureDigest(disc)] }, [d(disc)], 16), failure('DISCLOSURE_RESERVED_NAME'), name);
    }
  });

  test('a disclosure may not overwrite a claim the issuer signed in the clear', () => {
    const disc = b64(['salt-salt-salt', 'iss', 'did:elsi:VATES-EVIL']);
    assert.throws(() => applyDisclosures({ iss: 'did:elsi:VATES-GOOD', _sd: [disclosureDigest(disc)] }, [d(disc)], 16), failure('DISCLOSURE_CLAIM_CONFLICT'));
  });

  test('an object disclosure in an array slot, or an array-element disclosure in _sd, is refused', () => {
    assert.throws(() => applyDisclosures({ l: [{ '...': disclosureDigest(GIVEN) }] }, [d(GIVEN)], 16), failure('DISCLOSURE_MALFORMED'));
    assert.throws(() => applyDisclosures({ _sd: [disclosureDigest(US)] }, [d(US)], 16), failure('DISCLOSURE_MALFORMED'));
  });

  test('_sd must be an array of digest strings and "..." objects must have no other member', () => {
    assert.throws(() => applyDisclosures({ _sd: 'x' }, [], 16), failure('DISCLOSURE_MALFORMED'));
    assert.throws(() => applyDisclosures({ _sd: [42] }, [], 16), failure('DISCLOSURE_MALFORMED'));
    assert.throws(() => applyDisclosures({ l: [{ '...': 'abc', x: 1 }] }, [], 16), failure('DISCLOSURE_MALFORMED'));
  });

  test('a nested _sd_alg other than sha-256 inside a disclosed value is refused', () => {
    const disc = b64(['salt-salt-salt', 'mandate', { _sd_alg: 'sha-512', _sd: [] }]);
    assert.throws(() => applyDisclosures({ _sd: [disclosureDigest(disc)] }, [d(disc)], 16), failure('SD_ALG_UNSUPPORTED'));
  });

  test('a claim disclosed as "__proto__" stays an own claim and never changes the prototype of the result', () => {
    const disc = b64(['salt-salt-salt', '__proto__', { polluted: true }]);
    const claims = applyDisclosures({ _sd: [disclosureDigest(disc)] }, [d(disc)], 16);
    assert.equal(Object.getPrototypeOf(claims), Object.prototype);
    assert.equal((claims as { polluted?: boolean }).polluted, undefined);
    assert.deepEqual(Object.getOwnPropertyDescriptor(claims, '__proto__')?.value, { polluted: true });
  });

  test('recursive disclosures cannot nest the processed claims beyond the depth cap', () => {
    let inner = b64(['s0', 'leaf', 1]);
    const all = [inner];
    for (let i = 1; i <= 6; i++) {
      inner = b64([`s${i}`, `level${i}`, { _sd: [disclosureDigest(inner)] }]);
      all.push(inner);
    }
    const payload = { _sd: [disclosureDigest(inner)] };
    assert.throws(() => applyDisclosures(payload, all.map(d), 5), failure('DISCLOSURE_TOO_DEEP'));
    assert.doesNotThrow(() => applyDisclosures(payload, all.map(d), 8));
  });
});
