import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { sign, verify, X509Certificate } from 'node:crypto';
import {
  createDevChain, createIntermediateCa, createRootCa, createSealCertificate, deserialiseDevCertificate,
  serialiseDevCertificate, x5cOf, type DevCertificate, type DevChain,
} from '../../../dev-issuer/src/ca.ts';
import {
  createX5cVerifier, loadTrustAnchors, organizationIdentifierOf, verifyX5cChain, X509ChainError,
  type TrustAnchors, type X509FailureReason,
} from './x509.ts';

const NOW = Date.now();
const DAY = 86_400_000;
const EC = { keyAlg: 'ES256' } as const; // fast key generation for the negative cases
const ACME = { organizationIdentifier: 'VATES-B60645900', organization: 'ACME SL', country: 'ES', serialNumber: 'B60645900' };

let dev: DevChain;
let anchors: TrustAnchors;
let rsaLeaf: DevCertificate;
let ecLeaf: DevCertificate;

before(async () => {
  dev = await createDevChain();
  anchors = loadTrustAnchors(dev.root.certificatePem);
  rsaLeaf = await createSealCertificate(dev.intermediate, ACME);
  ecLeaf = await createSealCertificate(dev.intermediate, { ...ACME, keyAlg: 'ES256' });
});

function rejects(x5c: unknown, reasons: X509FailureReason | X509FailureReason[], trust = anchors, now = NOW): void {
  const allowed = ([] as X509FailureReason[]).concat(reasons);
  assert.throws(() => verifyX5cChain(x5c, trust, now), (e: unknown) => {
    assert.ok(e instanceof X509ChainError, `expected X509ChainError, got ${String(e)}`);
    assert.ok(allowed.includes(e.reason), `reason ${e.reason} (${e.message}) not in ${allowed.join('|')}`);
    return true;
  });
}

const ecSeal = (issuer: DevCertificate, o: object = {}) => createSealCertificate(issuer, { ...ACME, ...EC, ...o });
const notAfterOf = (c: DevCertificate) => Date.parse(new X509Certificate(c.der).validTo);

describe('dev CA', () => {
  test('issues an eIDAS seal that node:crypto parses, with 2.5.4.97 as PrintableString', () => {
    const leaf = new X509Certificate(rsaLeaf.der);
    assert.equal(leaf.subject, 'C=ES\nO=ACME SL\nCN=ACME SL eSeal\nserialNumber=B60645900\norganizationIdentifier=VATES-B60645900');
    assert.equal(leaf.ca, false);
    assert.ok(rsaLeaf.der.includes(Buffer.from('0603550461130f', 'hex'))); // OID 2.5.4.97, PrintableString(15)
    assert.equal(rsaLeaf.x5c, rsaLeaf.der.toString('base64'));
    assert.equal(rsaLeaf.privateKey.asymmetricKeyType, 'rsa');
    assert.equal(ecLeaf.privateKey.asymmetricKeyType, 'ec');
    assert.ok(leaf.checkPrivateKey(rsaLeaf.privateKey));
    const root = new X509Certificate(dev.root.der);
    assert.ok(root.ca && new X509Certificate(dev.intermediate.der).ca);
    assert.equal(root.checkIssued(root), true);
  });

  test('serialises and deserialises a certificate with its key', () => {
    const s = serialiseDevCertificate(ecLeaf);
    assert.match(s.privateKeyPem, /^-----BEGIN PRIVATE KEY-----/);
    const back = deserialiseDevCertificate(s);
    assert.ok(back.der.equals(ecLeaf.der));
    assert.equal(back.certificatePem, ecLeaf.certificatePem);
    assert.equal(back.keyAlg, 'ES256');
    assert.throws(() => deserialiseDevCertificate({ ...s, keyAlg: 'RS256' }), /does not match/);
    assert.throws(() => deserialiseDevCertificate({ ...s, privateKeyPem: serialiseDevCertificate(rsaLeaf).privateKeyPem, keyAlg: 'RS256' }), /does not match/);
  });
});

describe('loadTrustAnchors', () => {
  test('loads one or more PEM certificates and drops duplicates', () => {
    const pem = `# dev anchors\n${dev.root.certificatePem}\n${dev.intermediate.certificatePem}${dev.root.certificatePem}`;
    assert.equal(loadTrustAnchors(pem).certificates.length, 2);
  });

  test('refuses text without certificates or with a broken one', () => {
    assert.throws(() => loadTrustAnchors(''), /no "-----BEGIN CERTIFICATE-----" block/);
    assert.throws(() => loadTrustAnchors('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /certificate #1 is not a valid/);
  });
});

describe('verifyX5cChain', () => {
  test('accepts root → intermediate → RSA leaf and EC leaf', () => {
    for (const leaf of [rsaLeaf, ecLeaf]) {
      const chain = verifyX5cChain(x5cOf(leaf, dev.intermediate, dev.root), anchors, NOW);
      assert.equal(chain.organizationIdentifier, 'VATES-B60645900');
      assert.match(chain.subject, /^organizationIdentifier=VATES-B60645900$/m);
      assert.equal(chain.leafKey.asymmetricKeyType, leaf.keyAlg === 'RS256' ? 'rsa' : 'ec');
      assert.equal(chain.notAfter, Math.min(notAfterOf(leaf), notAfterOf(dev.intermediate), notAfterOf(dev.root)));
      const data = Buffer.from('header.payload');
      assert.ok(verify('sha256', data, chain.leafKey, sign('sha256', data, leaf.privateKey)));
    }
  });

  test('accepts leaf + intermediate when the root is the anchor, and a pinned intermediate', () => {
    assert.equal(verifyX5cChain(x5cOf(rsaLeaf, dev.intermediate), anchors, NOW).organizationIdentifier, 'VATES-B60645900');
    assert.ok(verifyX5cChain(x5cOf(rsaLeaf), loadTrustAnchors(dev.intermediate.certificatePem), NOW));
    rejects(x5cOf(rsaLeaf), 'untrusted'); // leaf alone: its issuer is not an anchor
  });

  test('rejects chains ending in an unknown root, and self-signed leaves', async () => {
    const other = await createRootCa({ ...EC, commonName: 'Other Root CA' });
    const foreign = await ecSeal(other);
    rejects(x5cOf(foreign, other), 'untrusted');
    rejects(x5cOf(foreign), 'untrusted');
    rejects(x5cOf(other), 'untrusted');
    rejects(x5cOf(rsaLeaf, dev.intermediate, other), 'untrusted');
    const impostor = await createRootCa(EC); // same DN as the anchor, different key
    rejects(x5cOf(impostor), ['untrusted', 'bad_signature']);
    rejects(x5cOf(await createIntermediateCa(impostor, EC)), ['untrusted', 'bad_signature']);
  });

  test('rejects expired and not-yet-valid certificates anywhere in the chain', async () => {
    const expiredLeaf = await ecSeal(dev.intermediate, { notBefore: new Date(NOW - 30 * DAY), notAfter: new Date(NOW - DAY) });
    rejects(x5cOf(expiredLeaf, dev.intermediate, dev.root), 'expired');
    const oldInter = await createIntermediateCa(dev.root, { ...EC, notBefore: new Date(NOW - 30 * DAY), notAfter: new Date(NOW - DAY) });
    rejects(x5cOf(await ecSeal(oldInter), oldInter), 'expired');
    const futureLeaf = await ecSeal(dev.intermediate, { notBefore: new Date(NOW + DAY) });
    rejects(x5cOf(futureLeaf, dev.intermediate), 'not_yet_valid');
    rejects(x5cOf(rsaLeaf, dev.intermediate), 'expired', anchors, notAfterOf(rsaLeaf) + 1000);
    rejects(x5cOf(rsaLeaf, dev.intermediate), 'not_yet_valid', anchors, NOW - DAY);
  });

  test('rejects an expired anchor', async () => {
    const oldRoot = await createRootCa({ ...EC, notBefore: new Date(NOW - 30 * DAY), notAfter: new Date(NOW - DAY) });
    const inter = await createIntermediateCa(oldRoot, EC);
    rejects(x5cOf(await ecSeal(inter), inter), 'expired', loadTrustAnchors(oldRoot.certificatePem));
  });

  test('rejects an issuer without the CA basic constraint', async () => {
    const notCa = await createIntermediateCa(dev.root, { ...EC, ca: false });
    assert.equal(new X509Certificate(notCa.der).ca, false);
    rejects(x5cOf(await ecSeal(notCa), notCa, dev.root), 'not_ca');
    rejects(x5cOf(await ecSeal(notCa), notCa), 'not_ca');
    rejects(x5cOf(await ecSeal(rsaLeaf), rsaLeaf, dev.intermediate), ['not_ca', 'untrusted']);
  });

  test('rejects wrong order, a forged issuer link and a broken signature', async () => {
    rejects(x5cOf(dev.intermediate, rsaLeaf, dev.root), 'untrusted');
    rejects(x5cOf(rsaLeaf, dev.root, dev.intermediate), 'untrusted');
    const fakeInter = await createIntermediateCa(dev.root, EC); // same DN as the real intermediate, other key
    rejects(x5cOf(await ecSeal(fakeInter), dev.intermediate, dev.root), ['bad_signature', 'untrusted']);
    const tampered = Buffer.from(rsaLeaf.der);
    tampered[tampered.length - 1]! ^= 0x01; // last byte of the signature value
    rejects([tampered.toString('base64'), dev.intermediate.x5c], 'bad_signature');
  });

  test('rejects malformed x5c values', () => {
    const b64 = rsaLeaf.x5c;
    for (const bad of [
      undefined, null, 'MIIB', {}, [], [42], [''], ['not base64!'], ['QUJD'], ['QUJDRA'], [`${b64}\n`],
      [b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')], [b64.slice(0, 100)],
      [Buffer.concat([rsaLeaf.der, Buffer.from([0, 0])]).toString('base64')], ['QR=='], // trailing data; non-canonical
      [Buffer.from(rsaLeaf.certificatePem).toString('base64')], // PEM inside base64
    ]) rejects(bad, 'malformed');
    rejects(new Array(6).fill(b64), 'too_long');
    rejects(['A'.repeat(30_000)], 'too_long');
  });

  test('extracts organizationIdentifier from the DER subject', async () => {
    assert.equal(organizationIdentifierOf(rsaLeaf.der), 'VATES-B60645900');
    assert.equal(organizationIdentifierOf(dev.root.der), undefined);
    assert.equal(organizationIdentifierOf(Buffer.from([0x30, 0x05, 0x30])), undefined);
    const utf8 = await createSealCertificate(dev.intermediate, { organizationIdentifier: 'VATES-Ä, x+y\nz', organization: 'Ä, Corp+', country: 'ES', keyAlg: 'ES256' });
    const chain = verifyX5cChain(x5cOf(utf8, dev.intermediate), anchors, NOW);
    assert.equal(chain.organizationIdentifier, 'VATES-Ä, x+y\nz');
    assert.match(chain.subject, /^organizationIdentifier=VATES-Ä\\, x\\\+y\\0Az$/m); // OpenSSL escapes
  });
});

describe('createX5cVerifier', () => {
  test('caches verdicts but re-checks validity on every hit', () => {
    const verifier = createX5cVerifier(anchors);
    const x5c = x5cOf(rsaLeaf, dev.intermediate, dev.root);
    const first = verifier(x5c, NOW);
    const second = verifier([...x5c], NOW + 1000);
    assert.equal(second, first); // same object: served from the cache
    assert.equal(second.leafKey, first.leafKey);
    assert.throws(() => verifier(x5c, NOW - DAY), (e: unknown) => e instanceof X509ChainError && e.reason === 'not_yet_valid');
    assert.throws(() => verifier(x5c, first.notAfter + 1), (e: unknown) => e instanceof X509ChainError && e.reason === 'expired');
    assert.notEqual(verifier(x5c, NOW), first); // expired entry was dropped and re-verified
  });

  test('does not cache failures, validates shape first, and evicts beyond maxEntries', () => {
    const verifier = createX5cVerifier(anchors, { maxEntries: 1 });
    assert.throws(() => verifier(x5cOf(rsaLeaf), NOW), (e: unknown) => e instanceof X509ChainError && e.reason === 'untrusted');
    assert.throws(() => verifier([`${rsaLeaf.x5c}.x`], NOW), (e: unknown) => e instanceof X509ChainError && e.reason === 'malformed');
    assert.throws(() => verifier('nope', NOW), (e: unknown) => e instanceof X509ChainError && e.reason === 'malformed');
    const a = verifier(x5cOf(rsaLeaf, dev.intermediate), NOW);
    assert.equal(verifier(x5cOf(rsaLeaf, dev.intermediate), NOW), a);
    verifier(x5cOf(ecLeaf, dev.intermediate), NOW);
    assert.notEqual(verifier(x5cOf(rsaLeaf, dev.intermediate), NOW), a); // evicted
    assert.throws(() => createX5cVerifier(anchors, { maxEntries: 0 }), RangeError);
  });

  test('with the chain cached, a header whose entries are joined, split, padded wrongly or off the alphabet is still refused as malformed', () => {
    const verifier = createX5cVerifier(anchors);
    const x5c = x5cOf(rsaLeaf, dev.intermediate);
    verifier(x5c, NOW); // cached now
    const malformed = (e: unknown) => e instanceof X509ChainError && e.reason === 'malformed';
    // Joined with '.', the cache key of the two entries; never a hit.
    assert.throws(() => verifier([x5c.join('.')], NOW), malformed);
    assert.throws(() => verifier([`${x5c[0]!}==`, x5c[1]!], NOW), malformed);
    assert.throws(() => verifier([`${x5c[0]!.slice(0, 8)}-_${x5c[0]!.slice(10)}`, x5c[1]!], NOW), malformed);
    assert.throws(() => verifier([x5c[0]!, ''], NOW), malformed);
    assert.throws(() => verifier([x5c[0]!, 42], NOW), malformed);
    assert.throws(() => verifier(Array(6).fill(x5c[0]!), NOW), (e: unknown) => e instanceof X509ChainError && e.reason === 'too_long');
    assert.equal(verifier([...x5c], NOW).organizationIdentifier, 'VATES-B60645900');
  });
});
