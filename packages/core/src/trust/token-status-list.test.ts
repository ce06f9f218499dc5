import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  createDevChain, createRootCa, createSealCertificate, encodeStatusList, generateP256, issueTokenStatusList,
  type DevCertificate, type IssueTokenStatusListOptions,
} from '@dome-verifier/dev-issuer';
import { fixedClock } from '../ports/clock.ts';
import { FetchError, type FetchResponse } from '../ports/fetcher.ts';
import { createX5cVerifier, loadTrustAnchors } from '../keys/x509.ts';
import { fakeFetch } from '../shared/fake-fetch.ts';
import { verifierError } from '../shared/expect-verifier-error.ts';
import {
  assertTokenStatusValid, createTokenStatusListChecker, decodeStatusListBytes, statusAt, type TokenStatusListOptions,
} from './token-status-list.ts';

const NOW = Date.parse('2025-06-01T12:00:00Z');
const ORG = 'VATES-T0000001';
const ISSUER = `did:elsi:${ORG}`;
const URI = 'https://issuer.example.org/status/1';
const NOT_BEFORE = new Date('2025-01-01T00:00:00Z');
const SEAL = { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256', notBefore: NOT_BEFORE } as const;

/** draft-ietf-oauth-status-list §4.1 / Appendix: 1-bit and 2-bit example lists (ZLIB, LSB first). */
const DRAFT_1BIT = { lst: 'eNrbuRgAAhcBXQ', bytes: [0xb9, 0xa3], statuses: [1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1] };
const DRAFT_2BIT = { lst: 'eNo76fITAAPfAgc', bytes: [0xc9, 0x44, 0xf9], statuses: [1, 2, 0, 3, 0, 1, 0, 1, 1, 2, 3, 3] };

let seal: DevCertificate;
let chain: DevCertificate[];
let otherSeal: DevCertificate;
let rogueSeal: DevCertificate;
let x5c: TokenStatusListOptions['x5c'];

before(async () => {
  const dev = await createDevChain({ notBefore: NOT_BEFORE });
  seal = await createSealCertificate(dev.intermediate, SEAL);
  chain = [dev.intermediate];
  otherSeal = await createSealCertificate(dev.intermediate, { ...SEAL, organizationIdentifier: 'VATES-X9999999' });
  rogueSeal = await createSealCertificate(await createRootCa({ keyAlg: 'ES256', notBefore: NOT_BEFORE }), SEAL);
  x5c = createX5cVerifier(loadTrustAnchors(dev.root.certificatePem));
});

function listToken(o: Partial<IssueTokenStatusListOptions> = {}): string {
  return issueTokenStatusList({ uri: URI, bits: 1, encoding: 'ietf', lst: DRAFT_1BIT.lst, seal, chain, organizationIdentifier: ORG, iat: new Date(NOW - 60_000), ...o });
}
const served = (jwt: string, status = 200): FetchResponse => ({ status, contentType: 'application/statuslist+jwt', body: Buffer.from(jwt) });

function checker(...answers: Parameters<typeof fakeFetch>) {
  const clock = fixedClock(NOW);
  const f = fakeFetch(...answers);
  const c = createTokenStatusListChecker({ fetch: f.fetch, x5c, now: () => clock.now(), ttlMs: 300_000 });
  return { ...f, clock, checker: c };
}
const invalid = (m: RegExp) => verifierError('ERR_STATUS_LIST_INVALID', m);

describe('Token Status List: lst decoding', () => {
  test('the draft 1-bit example is ZLIB and read least-significant bit first', () => {
    const { bytes, order } = decodeStatusListBytes(DRAFT_1BIT.lst, 1024);
    assert.deepEqual([...bytes], DRAFT_1BIT.bytes);
    assert.equal(order, 'lsb-first');
    assert.deepEqual(DRAFT_1BIT.statuses.map((_, i) => statusAt(bytes, 1, i, order)), DRAFT_1BIT.statuses);
  });

  test('the draft 2-bit example is read two bits per status, least significant first', () => {
    const { bytes, order } = decodeStatusListBytes(DRAFT_2BIT.lst, 1024);
    assert.deepEqual([...bytes], DRAFT_2BIT.bytes);
    assert.deepEqual(DRAFT_2BIT.statuses.map((_, i) => statusAt(bytes, 2, i, order)), DRAFT_2BIT.statuses);
  });

  test("IN2's encoding is GZIP and read most-significant bit first", () => {
    const { bytes, order } = decodeStatusListBytes(encodeStatusList([0, 0, 0, 0, 0, 0, 0, 1, 1], 1, 'in2'), 1024);
    assert.equal(order, 'msb-first');
    assert.deepEqual([...bytes], [0x01, 0x80]);
    assert.equal(statusAt(bytes, 1, 7, order), 1);
    assert.equal(statusAt(bytes, 1, 0, order), 0);
    assert.equal(statusAt(bytes, 1, 8, order), 1);
  });

  test("the draft's 1-bit statuses in IN2's encoding (GZIP of the bit-reversed bytes 9d c5) read the same statuses", () => {
    const { bytes, order } = decodeStatusListBytes(gzipSync(Buffer.from([0x9d, 0xc5])).toString('base64url'), 1024);
    assert.equal(order, 'msb-first');
    assert.deepEqual(DRAFT_1BIT.statuses.map((_, i) => statusAt(bytes, 1, i, order)), DRAFT_1BIT.statuses);
  });

  for (const bits of [1, 2, 4, 8] as const) {
    for (const encoding of ['ietf', 'in2'] as const) {
      test(`${bits}-bit statuses round-trip in the ${encoding} encoding`, () => {
        const statuses = Array.from({ length: 37 }, (_, i) => (i * 7 + 3) % (1 << bits));
        const { bytes, order } = decodeStatusListBytes(encodeStatusList(statuses, bits, encoding), 1024);
        assert.deepEqual(statuses.map((_, i) => statusAt(bytes, bits, i, order)), statuses);
      });
    }
  }

  test('a ZLIB zip bomb is refused once the output passes the cap', () => {
    const bomb = deflateSync(Buffer.alloc(8 * 1024 * 1024)).toString('base64url');
    assert.throws(() => decodeStatusListBytes(bomb, 1024 * 1024), invalid(/does not decompress within 1048576 bytes/));
  });

  test('a GZIP zip bomb is refused once the output passes the cap', () => {
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024)).toString('base64url');
    assert.throws(() => decodeStatusListBytes(bomb, 1024 * 1024), invalid(/does not decompress within/));
  });

  test('raw DEFLATE (neither ZLIB nor GZIP header) and non-base64url text are refused', () => {
    assert.throws(() => decodeStatusListBytes(deflateRawSync(Buffer.from([1, 2, 3])).toString('base64url'), 1024), invalid(/neither ZLIB nor GZIP/));
    assert.throws(() => decodeStatusListBytes('eNrbuRgAAhcBXQ==', 1024), invalid(/base64url/));
    assert.throws(() => decodeStatusListBytes('', 1024), invalid(/no lst/));
  });
});

describe('Token Status List: checking a credential', () => {
  test('IETF encoding: a status 1 entry is revoked, a status 0 entry valid (draft vector)', async () => {
    const { checker: c, requests } = checker(served(listToken()));
    assert.deepEqual(await c.check({ uri: URI, idx: 0 }, ISSUER), { status: 'revoked', value: 1 });
    assert.deepEqual(await c.check({ uri: URI, idx: 1 }, ISSUER), { status: 'valid', value: 0 });
    assert.equal(requests.length, 1, 'cached');
    assert.deepEqual({ ...requests[0], timeoutMs: undefined }, { url: URI, purpose: 'untrusted', maxBytes: 512 * 1024, accept: 'application/statuslist+jwt', timeoutMs: undefined });
  });

  test('IN2 encoding: the entry at idx 7 is revoked (MSB first), idx 0 valid', async () => {
    const { checker: c } = checker(served(listToken({ encoding: 'in2', lst: undefined, statuses: [0, 0, 0, 0, 0, 0, 0, 1] })));
    assert.equal((await c.check({ uri: URI, idx: 7 }, ISSUER)).status, 'revoked');
    assert.equal((await c.check({ uri: URI, idx: 0 }, ISSUER)).status, 'valid');
  });

  for (const encoding of ['ietf', 'in2'] as const) {
    test(`a revoked credential is refused with ERR_VC_REVOKED (${encoding} encoding)`, async () => {
      const { checker: c } = checker(served(listToken({ encoding, lst: undefined, statuses: [0, 1, 0] })));
      await assert.rejects(assertTokenStatusValid(c, { uri: URI, idx: 1 }, ISSUER), verifierError('ERR_VC_REVOKED', 'the credential is revoked (token status list)'));
      await assertTokenStatusValid(c, { uri: URI, idx: 0 }, ISSUER);
    });
  }

  test('2-bit lists: status 2 is suspended (refused), status 3 counts as revoked (draft vector)', async () => {
    const { checker: c } = checker(served(listToken({ bits: 2, lst: DRAFT_2BIT.lst })));
    assert.deepEqual(await c.check({ uri: URI, idx: 1 }, ISSUER), { status: 'suspended', value: 2 });
    assert.deepEqual(await c.check({ uri: URI, idx: 3 }, ISSUER), { status: 'revoked', value: 3 });
    await assert.rejects(assertTokenStatusValid(c, { uri: URI, idx: 1 }, ISSUER), verifierError('ERR_VC_REVOKED', /suspended/));
  });

  test('a list signed by a did:key issuer is accepted for credentials of that did:key', async () => {
    const k = generateP256();
    const { checker: c } = checker(served(listToken({ didKeyIssuer: k.privateKey })));
    assert.equal((await c.check({ uri: URI, idx: 1 }, k.did)).status, 'valid');
  });

  const refusals: Array<[string, () => string, RegExp]> = [
    ['typ other than statuslist+jwt', () => listToken({ transform: ({ header }) => { header.typ = 'JWT'; } }), /typ must be "statuslist\+jwt"/],
    ['sub other than the URI fetched', () => listToken({ transform: ({ payload }) => { payload.sub = 'https://issuer.example.org/status/2'; } }), /sub is not the URI/],
    ['no iat', () => listToken({ transform: ({ payload }) => { delete payload.iat; } }), /no numeric iat/],
    ['exp passed', () => listToken({ exp: new Date(NOW - 1000) }), /has expired/],
    ['bits 3', () => listToken({ transform: ({ payload }) => { (payload.status_list as { bits: number }).bits = 3; } }), /bits must be 1, 2, 4 or 8/],
    ['a seal of another organisation', () => listToken({ seal: otherSeal }), /organizationIdentifier does not match/],
    ['a chain to no trust anchor', () => listToken({ seal: rogueSeal, chain: [] }), /certificate chain is untrusted/],
    ['a payload changed after signing', () => { const t = listToken().split('.'); const o = listToken({ lst: encodeStatusList([0, 0], 1, 'ietf') }).split('.'); return `${t[0]}.${o[1]}.${t[2]}`; }, /token is invalid \(ERR_JWS_SIGNATURE_INVALID\)/],
  ];
  for (const [what, token, message] of refusals) {
    test(`a Status List Token with ${what} is refused (ERR_STATUS_LIST_INVALID, 401)`, async () => {
      const { checker: c } = checker(served(token()));
      await assert.rejects(c.check({ uri: URI, idx: 0 }, ISSUER), (e: unknown) => invalid(message)(e) && (e as { status: number }).status === 401);
    });
  }

  test('a list of another issuer than the credential is refused', async () => {
    const { checker: c } = checker(served(listToken()));
    await assert.rejects(c.check({ uri: URI, idx: 0 }, 'did:elsi:VATES-X9999999'), invalid(/another issuer/));
  });

  test('an idx beyond the end of the list is refused, not read as valid', async () => {
    const { checker: c } = checker(served(listToken()));
    await assert.rejects(c.check({ uri: URI, idx: 16 }, ISSUER), invalid(/beyond the end/));
  });

  test('a zip bomb served as a Status List Token is refused', async () => {
    const { checker: c } = checker(served(listToken({ lst: deflateSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64url') })));
    await assert.rejects(c.check({ uri: URI, idx: 0 }, ISSUER), invalid(/does not decompress within 4194304 bytes/));
  });

  test('an unreachable list fails closed with 503 and the failure is not cached', async () => {
    const { checker: c, requests } = checker(new FetchError('timeout', 'timed out'), served(listToken()));
    await assert.rejects(c.check({ uri: URI, idx: 0 }, ISSUER), verifierError('ERR_TRUST_SERVICE_UNAVAILABLE', 'the token status list is unreachable; try again later'));
    assert.equal((await c.check({ uri: URI, idx: 0 }, ISSUER)).status, 'revoked');
    assert.equal(requests.length, 2);
  });

  test('HTTP 5xx/429 answers 503; HTTP 404 and a blocked (SSRF) URI answer 401', async () => {
    await assert.rejects(checker(served('', 502)).checker.check({ uri: URI, idx: 0 }, ISSUER), verifierError('ERR_TRUST_SERVICE_UNAVAILABLE', /unavailable/));
    await assert.rejects(checker(served('', 429)).checker.check({ uri: URI, idx: 0 }, ISSUER), verifierError('ERR_TRUST_SERVICE_UNAVAILABLE', /unavailable/));
    await assert.rejects(checker(served('', 404)).checker.check({ uri: URI, idx: 0 }, ISSUER), invalid(/answered HTTP 404/));
    await assert.rejects(checker(new FetchError('blocked', 'private address')).checker.check({ uri: URI, idx: 0 }, ISSUER), invalid(/not acceptable \(blocked\)/));
  });

  test('the token ttl bounds the cache: the list is fetched again once ttl has passed', async () => {
    const { checker: c, clock, requests } = checker(served(listToken({ ttl: 60 })));
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    clock.advance(59_000);
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    assert.equal(requests.length, 1);
    clock.advance(2_000);
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    assert.equal(requests.length, 2);
  });

  test('the token exp bounds the cache: an entry is never served past exp', async () => {
    const { checker: c, clock, requests } = checker(served(listToken({ exp: new Date(NOW + 10_000) })), served(listToken({ exp: new Date(NOW + 600_000) })));
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    clock.advance(11_000);
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    assert.equal(requests.length, 2);
  });

  test('without ttl or exp the configured TTL applies', async () => {
    const { checker: c, clock, requests } = checker(served(listToken()));
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    clock.advance(299_000);
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    assert.equal(requests.length, 1);
    clock.advance(2_000);
    await c.check({ uri: URI, idx: 0 }, ISSUER);
    assert.equal(requests.length, 2);
  });
});
