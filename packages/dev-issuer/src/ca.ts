/**
 * Development eIDAS-style CA: root → "Qualified eSeal CA" intermediate → electronic-seal leaf
 * (libraries.md §6). Used to mint x5c chains for the dev issuer, the demo and the tests. NOT for
 * production: keys are generated in-process and persisted as plain PKCS#8 PEM.
 */
import 'reflect-metadata';
import { createRequire } from 'node:module';
import { createPrivateKey, KeyObject, randomBytes, webcrypto, X509Certificate } from 'node:crypto';

type CryptoKey = webcrypto.CryptoKey;
type Opaque = { readonly __opaque: unique symbol };
type Ext = Opaque;
type PeculiarCert = { readonly rawData: ArrayBuffer; readonly subjectName: Opaque; readonly publicKey: Opaque };
type CreateBase = { serialNumber: string; notBefore: Date; notAfter: Date; signingAlgorithm: object; extensions: Ext[] };

/**
 * The slice of @peculiar/x509 used here. Its bundled .d.ts needs lib "dom" (BufferSource,
 * CryptoKey, Algorithm… — @types/node 20 has no such globals), and with skipLibCheck off a
 * typed import fails the build; pulling lib "dom" into this Node-only program would leak browser
 * globals into every package. So the package is loaded untyped and described locally.
 */
interface PeculiarX509 {
  cryptoProvider: { set(crypto: unknown): void };
  Name: new (json: Array<Record<string, string[]>>) => Opaque;
  X509Certificate: new (raw: Uint8Array) => PeculiarCert;
  X509CertificateGenerator: {
    createSelfSigned(p: CreateBase & { name: Opaque; keys: webcrypto.CryptoKeyPair }): Promise<PeculiarCert>;
    create(p: CreateBase & { subject: Opaque; issuer: Opaque; publicKey: CryptoKey; signingKey: CryptoKey }): Promise<PeculiarCert>;
  };
  Extension: new (oid: string, critical: boolean, value: Uint8Array) => Ext;
  BasicConstraintsExtension: new (ca: boolean, pathLength?: number, critical?: boolean) => Ext;
  KeyUsagesExtension: new (usages: number, critical?: boolean) => Ext;
  KeyUsageFlags: Record<'digitalSignature' | 'nonRepudiation' | 'keyCertSign' | 'cRLSign', number>;
  SubjectKeyIdentifierExtension: { create(publicKey: CryptoKey | Opaque): Promise<Ext> };
  AuthorityKeyIdentifierExtension: { create(publicKey: CryptoKey | Opaque): Promise<Ext> };
}

const x509 = createRequire(import.meta.url)('@peculiar/x509') as PeculiarX509;
x509.cryptoProvider.set(webcrypto);

export type DevKeyAlg = 'RS256' | 'ES256';

export interface DevCertificate {
  certificatePem: string;
  der: Buffer;
  /** Standard base64 (padded) DER, as used in a JWS `x5c` header (RFC 7515 §4.1.6). */
  x5c: string;
  privateKey: KeyObject;
  keyAlg: DevKeyAlg;
}

export interface CreateCaOptions {
  commonName?: string;
  notBefore?: Date;
  notAfter?: Date;
  keyAlg?: DevKeyAlg;
}

export interface CreateIntermediateOptions extends CreateCaOptions {
  /** false ⇒ basicConstraints cA=FALSE (keyCertSign kept) — for negative 'not_ca' tests. Default true. */
  ca?: boolean;
}

export interface CreateSealOptions extends CreateCaOptions {
  /** OID 2.5.4.97, e.g. "VATES-B60645900". */
  organizationIdentifier: string;
  organization: string;
  /** ISO 3166 alpha-2. */
  country: string;
  /** OID 2.5.4.5; omitted when not given. */
  serialNumber?: string;
  /** true ⇒ mark the seal as a CA (cA=TRUE + keyCertSign) — for negative tests. Default false. */
  ca?: boolean;
}

export interface DevChain {
  root: DevCertificate;
  intermediate: DevCertificate;
}

const DAY = 86_400_000;
const KEY_ALGS = {
  RS256: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 },
  ES256: { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' },
} as const;
const KEY_TYPES = { RS256: 'rsa', ES256: 'ec' } as const;

/** QCStatements: QcCompliance + QcType = eseal (ETSI EN 319 412-5), pre-encoded DER. */
const QC_STATEMENTS_OID = '1.3.6.1.5.5.7.1.3';
const QC_STATEMENTS_ESEAL = Buffer.from('301f3008060604008e4601013013060604008e4601063009060704008e46010602', 'hex');

function name(attrs: ReadonlyArray<readonly [oid: string, value: string | undefined]>): Opaque {
  return new x509.Name(attrs.flatMap(([oid, value]) => (value === undefined ? [] : [{ [oid]: [value] }])));
}

function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0]! & 0x3f) | 0x40; // positive, no leading zero octet
  return b.toString('hex');
}

async function generateKeys(keyAlg: DevKeyAlg): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(KEY_ALGS[keyAlg], true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

async function signingKeyOf(issuer: DevCertificate): Promise<CryptoKey> {
  const pkcs8 = issuer.privateKey.export({ type: 'pkcs8', format: 'der' });
  return webcrypto.subtle.importKey('pkcs8', pkcs8, KEY_ALGS[issuer.keyAlg], false, ['sign']);
}

async function issue(
  issuer: DevCertificate | undefined,
  subject: Opaque,
  o: CreateCaOptions,
  validityDays: number,
  extensions: Ext[],
): Promise<DevCertificate> {
  const keyAlg = o.keyAlg ?? 'RS256';
  const keys = await generateKeys(keyAlg);
  const notBefore = o.notBefore ?? new Date(Date.now() - 5 * 60_000);
  const notAfter = o.notAfter ?? new Date(notBefore.getTime() + validityDays * DAY);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const common = { serialNumber: randomSerial(), notBefore, notAfter };
  let cert: PeculiarCert;
  if (issuer === undefined) {
    cert = await x509.X509CertificateGenerator.createSelfSigned({
      ...common, name: subject, keys, signingAlgorithm: KEY_ALGS[keyAlg], extensions: [...extensions, ski],
    });
  } else {
    const issuerCert = new x509.X509Certificate(issuer.der);
    const aki = await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey);
    cert = await x509.X509CertificateGenerator.create({
      ...common, subject, issuer: issuerCert.subjectName, publicKey: keys.publicKey, signingKey: await signingKeyOf(issuer),
      signingAlgorithm: KEY_ALGS[issuer.keyAlg], extensions: [...extensions, ski, aki],
    });
  }
  const der = Buffer.from(cert.rawData);
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return {
    certificatePem: certificateToPem(der),
    der,
    x5c: der.toString('base64'),
    privateKey: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    keyAlg,
  };
}

function caExtensions(ca: boolean, pathLength: number): Ext[] {
  return [
    new x509.BasicConstraintsExtension(ca, ca ? pathLength : undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
  ];
}

/** Self-signed root CA: basicConstraints cA (critical, pathLen 1), keyUsage keyCertSign|cRLSign. */
export async function createRootCa(o: CreateCaOptions = {}): Promise<DevCertificate> {
  const subject = name([['2.5.4.6', 'ES'], ['2.5.4.10', 'DOME Dev QTSP'], ['2.5.4.3', o.commonName ?? 'DOME Dev eIDAS Root CA']]);
  return issue(undefined, subject, o, 3650, caExtensions(true, 1));
}

/** Intermediate "Qualified eSeal CA" (pathLen 0). `ca: false` yields a non-CA issuer for negative tests. */
export async function createIntermediateCa(issuer: DevCertificate, o: CreateIntermediateOptions = {}): Promise<DevCertificate> {
  const subject = name([['2.5.4.6', 'ES'], ['2.5.4.10', 'DOME Dev QTSP'], ['2.5.4.3', o.commonName ?? 'DOME Dev Qualified eSeal CA']]);
  return issue(issuer, subject, o, 1825, caExtensions(o.ca ?? true, 0));
}

/**
 * eIDAS electronic-seal leaf: subject C, O, CN, serialNumber (2.5.4.5), organizationIdentifier
 * (2.5.4.97, PrintableString); keyUsage digitalSignature|nonRepudiation (critical); QCStatements
 * QcCompliance + QcType eseal. RSA-2048 (RS256) by default, P-256 with `keyAlg: 'ES256'`.
 */
export async function createSealCertificate(issuer: DevCertificate, o: CreateSealOptions): Promise<DevCertificate> {
  const subject = name([
    ['2.5.4.6', o.country],
    ['2.5.4.10', o.organization],
    ['2.5.4.3', o.commonName ?? `${o.organization} eSeal`],
    ['2.5.4.5', o.serialNumber],
    ['2.5.4.97', o.organizationIdentifier],
  ]);
  const ca = o.ca ?? false;
  const ku = x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation | (ca ? x509.KeyUsageFlags.keyCertSign : 0);
  return issue(issuer, subject, o, 365, [
    new x509.BasicConstraintsExtension(ca, undefined, true),
    new x509.KeyUsagesExtension(ku, true),
    new x509.Extension(QC_STATEMENTS_OID, false, QC_STATEMENTS_ESEAL),
  ]);
}

/** Root + intermediate, both with the given validity window (defaults: now-5min, 10 / 5 years). */
export async function createDevChain(o: { notBefore?: Date; notAfter?: Date } = {}): Promise<DevChain> {
  const root = await createRootCa(o);
  return { root, intermediate: await createIntermediateCa(root, o) };
}

/** The `x5c` header value for the given certificates, leaf first. */
export function x5cOf(...certs: DevCertificate[]): string[] {
  return certs.map((c) => c.x5c);
}

export function certificateToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function serialiseDevCertificate(c: DevCertificate): { certificatePem: string; privateKeyPem: string; keyAlg: string } {
  return { certificatePem: c.certificatePem, privateKeyPem: c.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, keyAlg: c.keyAlg };
}

/** Inverse of serialiseDevCertificate; checks keyAlg, key type and that the key matches the certificate. */
export function deserialiseDevCertificate(s: { certificatePem: string; privateKeyPem: string; keyAlg: string }): DevCertificate {
  if (s.keyAlg !== 'RS256' && s.keyAlg !== 'ES256') throw new Error(`unsupported dev certificate keyAlg: ${s.keyAlg}`);
  const cert = new X509Certificate(s.certificatePem);
  const privateKey = createPrivateKey(s.privateKeyPem);
  if (privateKey.asymmetricKeyType !== KEY_TYPES[s.keyAlg]) throw new Error(`private key type ${privateKey.asymmetricKeyType} does not match ${s.keyAlg}`);
  if (!cert.checkPrivateKey(privateKey)) throw new Error('private key does not match the certificate');
  const der = cert.raw;
  return { certificatePem: certificateToPem(der), der, x5c: der.toString('base64'), privateKey, keyAlg: s.keyAlg };
}
