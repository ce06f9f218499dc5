import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createDevChain, createSealCertificate, type DevCertificate } from './ca.ts';
import { generateP256 } from './keys.ts';
import { issueSdJwtVc, digestOfDisclosure } from './issue-sd-jwt.ts';
import { presentSdJwt } from './present-sd-jwt.ts';
import { encodeStatusList, issueTokenStatusList, packStatuses } from './issue-token-status-list.ts';

const ORG = 'VATES-T0000001';
const part = (jwt: string, i: number) => JSON.parse(Buffer.from(jwt.split('.')[i]!, 'base64url').toString());
let seal: DevCertificate;
let intermediate: DevCertificate;

before(async () => {
  const dev = await createDevChain();
  intermediate = dev.intermediate;
  seal = await createSealCertificate(dev.intermediate, { organizationIdentifier: ORG, organization: 'Test S.L.', country: 'ES', keyAlg: 'ES256' });
});

describe('dev issuer: SD-JWT VC (dome-wallet-pwa.md §6.3)', () => {
  test('issues the DOME shape: typ dc+sd-jwt with x5c, mandate._sd of three digests, cnf.jwk, status_list, trailing "~"', () => {
    const holder = generateP256();
    const s = issueSdJwtVc({
      seal, chain: [intermediate], organizationIdentifier: ORG, holderJwk: holder.publicJwk, mandatee: { id: holder.did },
      validFrom: new Date('2025-01-01T00:00:00Z'), validUntil: new Date('2026-01-01T00:00:00Z'), statusList: { uri: 'https://x.example/s', idx: 3 },
    });
    assert.ok(s.sdJwt.endsWith('~'));
    assert.equal(s.sdJwt, `${s.issuerJwt}~${s.disclosures.join('~')}~`);
    const header = part(s.issuerJwt, 0);
    assert.equal(header.typ, 'dc+sd-jwt');
    assert.equal(header.x5c.length, 2);
    const payload = part(s.issuerJwt, 1);
    assert.equal(payload.iss, `did:elsi:${ORG}`);
    assert.equal(payload.vct, 'learcredential.employee.sd.1');
    assert.equal(payload.mandate._sd_alg, 'sha-256');
    assert.deepEqual(payload.mandate._sd, s.disclosures.map(digestOfDisclosure));
    assert.deepEqual(payload.cnf, { jwk: holder.publicJwk });
    assert.deepEqual(payload.status, { status_list: { uri: 'https://x.example/s', idx: 3 } });
    const names = s.disclosures.map((d) => JSON.parse(Buffer.from(d, 'base64url').toString())[1]);
    assert.deepEqual(names, ['mandatee', 'mandator', 'power']);
  });

  test('the holder appends a KB-JWT {alg ES256, typ kb+jwt} over {iat, aud, nonce, sd_hash} with sd_hash over the stored string', () => {
    const holder = generateP256();
    const s = issueSdJwtVc({ seal, chain: [], organizationIdentifier: ORG, holderJwk: holder.publicJwk, mandatee: { id: holder.did }, validFrom: new Date(0), validUntil: new Date(1e12) });
    const p = presentSdJwt({ sdJwt: s.sdJwt, holderKey: holder.privateKey, clientId: 'did:key:zV', nonce: 'n1', iat: 1000 });
    assert.ok(p.startsWith(s.sdJwt));
    const kb = p.slice(s.sdJwt.length);
    assert.deepEqual(part(kb, 0), { alg: 'ES256', typ: 'kb+jwt' });
    assert.deepEqual(part(kb, 1), { iat: 1000, aud: 'did:key:zV', nonce: 'n1', sd_hash: createHash('sha256').update(s.sdJwt).digest('base64url') });
  });
});

describe('dev issuer: Token Status Lists', () => {
  test('the ietf encoding is ZLIB over LSB-first bits; the in2 encoding GZIP over MSB-first bits', () => {
    assert.deepEqual([...packStatuses([1, 0, 0, 0, 0, 0, 0, 0], 1, 'ietf')], [0x01]);
    assert.deepEqual([...packStatuses([1, 0, 0, 0, 0, 0, 0, 0], 1, 'in2')], [0x80]);
    assert.deepEqual([...packStatuses([1, 2, 0, 3], 2, 'ietf')], [0xc9]);
    assert.equal(Buffer.from(encodeStatusList([1], 1, 'ietf'), 'base64url')[0], 0x78);
    assert.deepEqual([...Buffer.from(encodeStatusList([1], 1, 'in2'), 'base64url').subarray(0, 2)], [0x1f, 0x8b]);
  });

  test('the draft 1-bit example statuses encode to the draft bytes', () => {
    assert.deepEqual([...packStatuses([1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1, 0, 1], 1, 'ietf')], [0xb9, 0xa3]);
  });

  test('a Status List Token has typ statuslist+jwt, sub = its URI, iat, and status_list {bits, lst}', () => {
    const jwt = issueTokenStatusList({ uri: 'https://x.example/s', bits: 2, encoding: 'in2', statuses: [0, 1, 2], seal, chain: [intermediate], organizationIdentifier: ORG, iat: new Date(1e12), ttl: 60 });
    assert.equal(part(jwt, 0).typ, 'statuslist+jwt');
    const p = part(jwt, 1);
    assert.equal(p.sub, 'https://x.example/s');
    assert.equal(p.iat, 1e9);
    assert.equal(p.ttl, 60);
    assert.equal(p.status_list.bits, 2);
    assert.equal(p.status_list.lst, encodeStatusList([0, 1, 2], 2, 'in2'));
  });
});
