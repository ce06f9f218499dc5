import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifierError } from '../shared/expect-verifier-error.ts';
import { gzipSync } from 'node:zlib';
import { createIntermediateCa, createRootCa, createSealCertificate, x5cOf, type DevCertificate } from '@dome-verifier/dev-issuer';
import { signJws, type JwsHeader } from '../jose/jws.ts';
import { createX5cVerifier, loadTrustAnchors } from '../keys/x509.ts';
import { FetchError, type FetchErrorReason, type FetchResponse } from '../ports/fetcher.ts';
import { fakeFetch, type FakeAnswer } from '../shared/fake-fetch.ts';
import { fixedClock } from '../ports/clock.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import type { ErrorCode } from '../errors/codes.ts';
import { bitAt, createStatusListChecker, decodeEncodedList } from './status-list.ts';

const encode = (bits: Buffer, prefix = 'u') => `${prefix}${gzipSync(bits).toString('base64url')}`;

function invalid(fn: () => unknown, message: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof VerifierError, `expected VerifierError, got ${String(e)}`);
    assert.equal(e.code, 'ERR_STATUS_LIST_INVALID');
    assert.equal(e.message, message);
    return true;
  });
}

describe('bitAt (MSB-first, as IN2 v2.0.12 and the W3C Bitstring Status List)', () => {
  test('index 0 is the most significant bit of byte 0', () => {
    const bits = Buffer.from([0x80]);
    assert.equal(bitAt(bits, 0), true);
    for (let i = 1; i < 8; i++) assert.equal(bitAt(bits, i), false, String(i));
  });

  test('index 7 is the least significant bit of byte 0', () => {
    const bits = Buffer.from([0x01]);
    assert.equal(bitAt(bits, 7), true);
    for (let i = 0; i < 7; i++) assert.equal(bitAt(bits, i), false, String(i));
  });

  test('index 8k+j reads bit 7−j of byte k', () => {
    const bits = Buffer.from([0x00, 0x40, 0x00, 0x05]); // byte 1 bit 6 → index 9; byte 3 bits 2,0 → indexes 29, 31
    const set = [...Array(32).keys()].filter((i) => bitAt(bits, i));
    assert.deepEqual(set, [9, 29, 31]);
  });

  test('all-ones and all-zeros bytes', () => {
    assert.equal([...Array(16).keys()].every((i) => bitAt(Buffer.from([0xff, 0xff]), i)), true);
    assert.equal([...Array(16).keys()].some((i) => bitAt(Buffer.alloc(2), i)), false);
  });
});

describe('decodeEncodedList', () => {
  const bits = Buffer.from([0x80, 0x00, 0xff, 0x01]);

  test('decodes multibase u + base64url(gzip(bits))', () => {
    assert.deepEqual(decodeEncodedList(encode(bits)), bits);
  });

  test('tolerates a missing u prefix and trailing padding', () => {
    assert.deepEqual(decodeEncodedList(encode(bits, '')), bits);
    // pick a list whose gzip length is not a multiple of 3, so that base64 needs padding
    const padBits = [bits, Buffer.concat([bits, Buffer.from([1])]), Buffer.concat([bits, Buffer.from([1, 2])])].find((b) => gzipSync(b).length % 3 !== 0)!;
    const padded = `u${gzipSync(padBits).toString('base64')}`.replace(/\+/g, '-').replace(/\//g, '_');
    assert.match(padded, /=$/);
    assert.deepEqual(decodeEncodedList(padded), padBits);
  });

  test('decodes the W3C minimum list of 131,072 entries', () => {
    const list = Buffer.alloc(16 * 1024);
    list[1000] = 0x10;
    const out = decodeEncodedList(encode(list));
    assert.equal(out.length, 16 * 1024);
    assert.equal(bitAt(out, 8 * 1000 + 3), true);
  });

  test('refuses a missing or empty encodedList', () => {
    for (const v of [undefined, null, '', 42, ['u']]) invalid(() => decodeEncodedList(v), 'status list has no encodedList');
  });

  test('refuses an encodedList outside the base64url alphabet (standard base64, whitespace, other multibase)', () => {
    for (const v of ['uH4sI+AAA', 'uH4sI/AAA', 'uH4sI AAA', 'u', 'u===', `${encode(bits)}\n`]) {
      invalid(() => decodeEncodedList(v), 'status list encodedList is not base64url');
    }
  });

  test('refuses data that is not gzip (zlib/deflate as in the IETF Token Status List, or plain bits)', () => {
    // (a base58btc multibase value has no "u" and is read as unprefixed base64url, then fails as gzip)
    for (const v of [`u${bits.toString('base64url')}`, `u${Buffer.from('x'.repeat(40)).toString('base64url')}`, 'zQmHash']) {
      invalid(() => decodeEncodedList(v), 'status list encodedList is not a gzip bitstring within 16 Mi entries');
    }
  });

  test('refuses a truncated gzip stream', () => {
    const gz = gzipSync(Buffer.alloc(1024, 0xaa));
    invalid(() => decodeEncodedList(`u${gz.subarray(0, gz.length - 8).toString('base64url')}`), 'status list encodedList is not a gzip bitstring within 16 Mi entries');
  });

  test('refuses a gzip bomb that inflates beyond 2 MiB (16 Mi entries)', () => {
    const bomb = gzipSync(Buffer.alloc(3 * 1024 * 1024));
    assert.ok(bomb.length < 8 * 1024, 'the bomb is small on the wire');
    invalid(() => decodeEncodedList(`u${bomb.toString('base64url')}`), 'status list encodedList is not a gzip bitstring within 16 Mi entries');
  });

  test('accepts a list of exactly 2 MiB', () => {
    assert.equal(decodeEncodedList(encode(Buffer.alloc(2 * 1024 * 1024))).length, 2 * 1024 * 1024);
  });
});

describe('createStatusListChecker', () => {
  const ORG = 'VATES-T0000001';
  const ISSUER = `did:elsi:${ORG}`;
  const URL = 'https://issuer.example/status/1';
  const NOW = Date.parse('2025-06-01T12:00:00Z');
  const TTL = 300_000;
  const NB = new Date('2025-01-01T00:00:00Z');

  let intermediate: DevCertificate;
  let seal: DevCertificate;
  let otherSeal: DevCertificate;
  let rogueRoot: DevCertificate;
  let rogueSeal: DevCertificate;
  let anchorsPem: string;

  before(async () => {
    const root = await createRootCa({ keyAlg: 'ES256', notBefore: NB });
    intermediate = await createIntermediateCa(root, { keyAlg: 'ES256', notBefore: NB });
    seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256', notBefore: NB });
    otherSeal = await createSealCertificate(intermediate, { organizationIdentifier: 'VATES-X9999999', organization: 'Other S.L.', country: 'ES', keyAlg: 'ES256', notBefore: NB });
    rogueRoot = await createRootCa({ keyAlg: 'ES256', commonName: 'Rogue', notBefore: NB });
    rogueSeal = await createSealCertificate(rogueRoot, { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256', notBefore: NB });
    anchorsPem = root.certificatePem;
  });

  /** Bits with `revokedIndexes` set (131,072 entries). */
  const listBits = (...revokedIndexes: number[]) => {
    const b = Buffer.alloc(16 * 1024);
    for (const i of revokedIndexes) b[i >> 3]! |= 0x80 >> (i & 7);
    return b;
  };

  interface ListOptions {
    signer?: DevCertificate;
    chain?: DevCertificate[];
    issuer?: unknown;
    purpose?: string;
    bits?: Buffer;
    wrapInVc?: boolean;
    header?: Partial<JwsHeader>;
    /** Extra list credential claims (validFrom, validUntil, …). */
    claims?: Record<string, unknown>;
  }

  /** A signed BitstringStatusListCredential JWT (VCDM 2.0 claims at the top level, as IN2 reads them). */
  function statusListJwt(o: ListOptions = {}): string {
    const signer = o.signer ?? seal;
    const claims = {
      '@context': ['https://www.w3.org/ns/credentials/v2'],
      type: ['VerifiableCredential', 'BitstringStatusListCredential'],
      issuer: o.issuer ?? ISSUER,
      credentialSubject: { id: `${URL}#list`, type: 'BitstringStatusList', statusPurpose: o.purpose ?? 'revocation', encodedList: encode(o.bits ?? listBits(42)) },
      ...o.claims,
    };
    const payload = o.wrapInVc ? { iss: typeof claims.issuer === 'string' ? claims.issuer : ISSUER, vc: claims } : { iss: ISSUER, ...claims };
    const header: JwsHeader = { alg: 'ES256', typ: 'vc+jwt', x5c: x5cOf(signer, ...(o.chain ?? [intermediate])), sigT: '2025-06-01T00:00:00Z', crit: ['sigT'], ...o.header };
    return signJws(header, payload, signer.privateKey);
  }

  const body = (text: string, status = 200): FetchResponse => ({ status, contentType: 'application/vc+jwt', body: Buffer.from(text) });
  const entry = (extra: Record<string, unknown> = {}) => ({ id: `${URL}#42`, type: 'BitstringStatusListEntry', statusPurpose: 'revocation', statusListIndex: '42', statusListCredential: URL, ...extra });

  function setup(...answers: FakeAnswer[]) {
    const clock = fixedClock(NOW);
    const { fetch, requests } = fakeFetch(...answers);
    const checker = createStatusListChecker({
      ttlMs: TTL,
      now: clock.now,
      x5c: createX5cVerifier(loadTrustAnchors(anchorsPem)),
      timeoutMs: 2500,
      fetch,
    });
    return { clock, checker, requests };
  }

  async function rejects(p: Promise<unknown>, code: ErrorCode, message: string): Promise<void> {
    await assert.rejects(p, verifierError(code, message));
  }

  test('reports a credential whose bit is set as revoked and one whose bit is clear as valid', async () => {
    const { checker, requests } = setup(body(statusListJwt({ bits: listBits(42) })));
    assert.equal(await checker.check(entry(), ISSUER), 'revoked');
    assert.equal(await checker.check(entry({ statusListIndex: '43' }), ISSUER), 'valid');
    assert.equal(await checker.check(entry({ statusListIndex: 41 }), ISSUER), 'valid');
    assert.equal(requests.length, 1);
    assert.deepEqual(requests[0], { url: URL, purpose: 'untrusted', maxBytes: 512 * 1024, accept: 'application/vc+jwt, application/jwt', timeoutMs: 2500 });
  });

  test('reports suspension for a suspension list', async () => {
    const { checker } = setup(body(statusListJwt({ purpose: 'suspension' })));
    assert.equal(await checker.check(entry({ statusPurpose: 'suspension' }), ISSUER), 'suspended');
  });

  test('reads a list whose claims are wrapped in a vc claim, and StatusList2021Entry entries', async () => {
    const { checker } = setup(body(statusListJwt({ wrapInVc: true })));
    assert.equal(await checker.check(entry({ type: 'StatusList2021Entry' }), ISSUER), 'revoked');
  });

  test('treats a missing statusPurpose as revocation', async () => {
    const { checker } = setup(body(statusListJwt()));
    assert.equal(await checker.check(entry({ statusPurpose: undefined }), ISSUER), 'revoked');
  });

  test('caches a list for the TTL and shares concurrent fetches', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { checker, requests, clock } = setup(async () => {
      await gate;
      return body(statusListJwt());
    }, body(statusListJwt({ bits: listBits() })));
    const pending = Promise.all([checker.check(entry(), ISSUER), checker.check(entry(), ISSUER)]);
    release();
    assert.deepEqual(await pending, ['revoked', 'revoked']);
    clock.advance(TTL - 1);
    assert.equal(await checker.check(entry(), ISSUER), 'revoked');
    assert.equal(requests.length, 1);
    clock.advance(1);
    assert.equal(await checker.check(entry(), ISSUER), 'valid');
    assert.equal(requests.length, 2);
  });

  test('refuses entries it cannot check, before fetching anything', async () => {
    const { checker, requests } = setup(new Error('no fetch expected'));
    await rejects(checker.check(entry({ statusListCredential: undefined }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list entry has no statusListCredential');
    await rejects(checker.check(entry({ statusListCredential: '' }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list entry has no statusListCredential');
    await rejects(checker.check(entry({ statusPurpose: 'message' }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list purpose "message" is not supported');
    await rejects(checker.check(entry({ type: 'TokenStatusList' }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list entry type is not supported');
    for (const statusListIndex of [undefined, -1, 1.5, '1.5', '-1', 'abc', '12345678901', '', Number.NaN, 2 ** 53]) {
      await rejects(checker.check(entry({ statusListIndex }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list entry has no valid statusListIndex');
    }
    assert.equal(requests.length, 0);
  });

  describe('W3C Bitstring Status List v1.0 credential rules', () => {
    test('a list credential past its validUntil, or before its validFrom, is refused (never read as "not revoked")', async () => {
      const expired = setup(body(statusListJwt({ claims: { validUntil: new Date(NOW - 1000).toISOString() } })));
      await rejects(expired.checker.check(entry({ statusListIndex: '43' }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list has expired (validUntil)');
      const early = setup(body(statusListJwt({ claims: { validFrom: new Date(NOW + 120_000).toISOString() } })));
      await rejects(early.checker.check(entry({ statusListIndex: '43' }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not yet valid (validFrom)');
      const bad = setup(body(statusListJwt({ claims: { validUntil: 'tomorrow' } })));
      await rejects(bad.checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list validFrom/validUntil must be ISO-8601 date-times with a zone');
    });

    test('a list within validFrom..validUntil is read, and cached no longer than its validUntil', async () => {
      const validUntil = new Date(NOW + 60_000).toISOString();
      const { checker, requests, clock } = setup(body(statusListJwt({ claims: { validFrom: new Date(NOW - 60_000).toISOString(), validUntil } })), body(statusListJwt({ bits: listBits() })));
      assert.equal(await checker.check(entry(), ISSUER), 'revoked');
      clock.advance(60_000);
      assert.equal(await checker.check(entry(), ISSUER), 'valid', 'refetched at validUntil, before the 300 s TTL');
      assert.equal(requests.length, 2);
    });

    test('an entry with statusSize other than 1 is refused before fetching; statusSize 1 is read', async () => {
      const { checker, requests } = setup(body(statusListJwt()));
      for (const statusSize of [2, 8, '1', 0]) {
        await rejects(checker.check(entry({ statusSize }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list entry statusSize other than 1 is not supported');
      }
      assert.equal(requests.length, 0);
      assert.equal(await checker.check(entry({ statusSize: 1 }), ISSUER), 'revoked');
    });
  });

  test('refuses an index beyond the end of the list', async () => {
    const { checker } = setup(body(statusListJwt({ bits: Buffer.from([0xff]) })));
    assert.equal(await checker.check(entry({ statusListIndex: 7 }), ISSUER), 'revoked');
    await rejects(checker.check(entry({ statusListIndex: 8 }), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list index lies beyond the end of the list');
  });

  test('refuses a list issued by another issuer than the credential', async () => {
    const { checker } = setup(body(statusListJwt()));
    await rejects(checker.check(entry(), 'did:elsi:VATES-X9999999'), 'ERR_STATUS_LIST_INVALID', 'status list is issued by another issuer than the credential');
  });

  test('refuses a list whose purpose differs from the entry', async () => {
    const { checker } = setup(body(statusListJwt({ purpose: 'suspension' })));
    await rejects(checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list purpose differs from the credential status entry');
  });

  test('refuses a list signed by the seal of another organisation than its did:elsi issuer', async () => {
    const { checker } = setup(body(statusListJwt({ signer: otherSeal })));
    await rejects(checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not signed by a certificate of its did:elsi issuer');
  });

  test('refuses a list whose issuer is not a did:elsi', async () => {
    for (const issuer of ['did:web:issuer.example', { id: 'did:web:issuer.example' }, 42]) {
      const { checker } = setup(body(statusListJwt({ issuer })));
      await rejects(checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not signed by a certificate of its did:elsi issuer');
    }
  });

  test('accepts an issuer object with id', async () => {
    const { checker } = setup(body(statusListJwt({ issuer: { id: ISSUER, name: 'x' } })));
    assert.equal(await checker.check(entry(), ISSUER), 'revoked');
  });

  test('refuses a list whose certificate chain does not reach a trust anchor', async () => {
    const { checker } = setup(body(statusListJwt({ signer: rogueSeal, chain: [rogueRoot] })));
    await rejects(checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list credential cannot be verified');
  });

  test('refuses a list whose signature does not verify, or that is not a JWS', async () => {
    const [h, p] = statusListJwt().split('.');
    const forged = `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`;
    const a = setup(body(forged));
    await rejects(a.checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list credential is invalid (ERR_JWS_SIGNATURE_INVALID)');
    const b = setup(body('{"not":"a jwt"}'));
    await rejects(b.checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list credential is invalid (ERR_JWS_MALFORMED)');
  });

  test('refuses a list without credentialSubject or with an undecodable encodedList', async () => {
    const noSubject = signJws({ alg: 'ES256', x5c: x5cOf(seal, intermediate) }, { iss: ISSUER, issuer: ISSUER }, seal.privateKey);
    await rejects(setup(body(noSubject)).checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list has no credentialSubject');
    const bomb = signJws({ alg: 'ES256', x5c: x5cOf(seal, intermediate) }, {
      iss: ISSUER, issuer: ISSUER, credentialSubject: { statusPurpose: 'revocation', encodedList: encode(Buffer.alloc(3 * 1024 * 1024)) },
    }, seal.privateKey);
    await rejects(setup(body(bomb)).checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list encodedList is not a gzip bitstring within 16 Mi entries');
  });

  test('HTTP 404 makes the list invalid; 5xx and 429 are temporary', async () => {
    await rejects(setup(body('', 404)).checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list answered HTTP 404');
    for (const status of [500, 503, 429]) {
      await rejects(setup(body('', status)).checker.check(entry(), ISSUER), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the status list is unavailable; try again later');
    }
  });

  test('a refused URL makes the list invalid; a timeout or network failure fails closed as temporary', async () => {
    for (const reason of ['blocked', 'bad_url', 'too_large'] as FetchErrorReason[]) {
      await rejects(setup(new FetchError(reason, reason)).checker.check(entry(), ISSUER), 'ERR_STATUS_LIST_INVALID', `status list URL is not acceptable (${reason})`);
    }
    for (const reason of ['timeout', 'network'] as FetchErrorReason[]) {
      await rejects(setup(new FetchError(reason, reason)).checker.check(entry(), ISSUER), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the status list is unreachable; try again later');
    }
  });

  test('does not cache failures', async () => {
    const { checker, requests } = setup(body('', 503), body(statusListJwt()));
    await rejects(checker.check(entry(), ISSUER), 'ERR_TRUST_SERVICE_UNAVAILABLE', 'the status list is unavailable; try again later');
    assert.equal(await checker.check(entry(), ISSUER), 'revoked');
    assert.equal(requests.length, 2);
  });

  describe('PlainListEntity (IN2 V2)', () => {
    const plain = (extra: Record<string, unknown> = {}) => ({ id: 'x', type: 'PlainListEntity', statusPurpose: 'revocation', statusListIndex: 'nonce-2', statusListCredential: URL, ...extra });
    const jsonBody = (doc: unknown): FetchResponse => ({ status: 200, contentType: 'application/json', body: Buffer.from(typeof doc === 'string' ? doc : JSON.stringify(doc)) });

    test('is revoked when statusListIndex is one of the listed nonces, valid otherwise', async () => {
      const { checker, requests } = setup(jsonBody([{ nonce: 'nonce-1' }, { nonce: 'nonce-2' }, 'junk']));
      assert.equal(await checker.check(plain(), ISSUER), 'revoked');
      assert.equal(await checker.check(plain({ statusListIndex: 'nonce-3' }), ISSUER), 'valid');
      assert.equal(requests.length, 1);
      assert.equal(requests[0]?.accept, 'application/json');
    });

    test('refuses an answer that is not a JSON array', async () => {
      await rejects(setup(jsonBody({ nonce: 'nonce-2' })).checker.check(plain(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not a JSON array');
      await rejects(setup(jsonBody('<html>')).checker.check(plain(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not JSON');
    });

    test('refuses an empty body and a rate-limit message (never read as "not revoked")', async () => {
      await rejects(setup(jsonBody('')).checker.check(plain(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not JSON');
      await rejects(setup(jsonBody({ message: 'rate limited' })).checker.check(plain(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list is not a JSON array');
    });

    test('refuses a deeply nested answer instead of overflowing the stack on it', async () => {
      const deep = `[{"nonce":${'['.repeat(50_000)}${']'.repeat(50_000)}}]`;
      await rejects(setup(jsonBody(deep)).checker.check(plain(), ISSUER), 'ERR_STATUS_LIST_INVALID', 'status list nests deeper than 32 levels');
    });
  });
});
