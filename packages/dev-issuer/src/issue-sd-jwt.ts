/**
 * Development issuer of LEAR SD-JWT VCs shaped like DOME's issuer output (dome-wallet-pwa.md
 * §6.3): header `{alg, typ: "dc+sd-jwt", x5c}` (eIDAS seal chain) or `{alg: ES256, typ, kid}`
 * for a did:key issuer; payload `{iss, iat, nbf, exp, vct, mandate: {_sd_alg, _sd: [3 digests]},
 * status?, cnf: {jwk}}`; disclosures `mandatee`, `mandator`, `power`; the issued string ends
 * with `~` (no KB-JWT: the holder appends it, see present-sd-jwt.ts).
 */
import { createHash, randomBytes, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core/jws';
import type { DevCertificate } from './ca.ts';
import { issuerSigning } from './issuer-key.ts';
import type { PowerInput } from './issue-credential.ts';

export interface IssueSdJwtOptions {
  /** Signing eIDAS seal (x5c leaf); omit with `didKeyIssuer`. */
  seal?: DevCertificate;
  /** Rest of the x5c chain after the leaf, e.g. [intermediate]. */
  chain?: DevCertificate[];
  /** Issuer organisation identifier ⇒ iss `did:elsi:<id>` (x5c issuers). */
  organizationIdentifier?: string;
  /** Sign with this P-256 private key and iss = its did:key, no x5c. */
  didKeyIssuer?: KeyObject;
  /** Holder public JWK for `cnf.jwk`. */
  holderJwk: object;
  /** Default learcredential.employee.sd.1. */
  vct?: string;
  mandatee: { id: string; [field: string]: unknown };
  mandator?: Record<string, unknown>;
  powers?: PowerInput[];
  validFrom: Date;
  validUntil: Date;
  /** `status.status_list` reference (IETF Token Status List). */
  statusList?: { uri: string; idx: number };
  /** Default 'ES256' with an EC seal, else 'RS256'. */
  alg?: 'ES256' | 'RS256' | 'PS256';
  /** Extra plain (always disclosed) payload claims. */
  claims?: Record<string, unknown>;
  /** Last-chance mutation of header/payload/disclosure list before signing (negative tests). */
  transform?: (parts: { header: JwsHeader; payload: Record<string, unknown>; disclosures: string[] }) => void;
}

export interface IssuedSdJwt {
  /** `<issuer-jwt>~<d1>~…~<dn>~` as the wallet stores it. */
  sdJwt: string;
  issuerJwt: string;
  disclosures: string[];
  header: JwsHeader;
  payload: Record<string, unknown>;
}

/** One disclosure `[salt, name, value]` (or `[salt, value]` with name undefined), base64url JSON. */
export function encodeDisclosure(name: string | undefined, value: unknown, salt = randomBytes(16).toString('base64url')): string {
  const arr = name === undefined ? [salt, value] : [salt, name, value];
  return Buffer.from(JSON.stringify(arr)).toString('base64url');
}

export function digestOfDisclosure(disclosure: string): string {
  return createHash('sha256').update(disclosure).digest('base64url');
}

function subjectAttr(cert: DevCertificate, attr: string): string | undefined {
  const m = new X509Certificate(cert.certificatePem).subject.split('\n').find((l) => l.startsWith(`${attr}=`));
  return m?.slice(attr.length + 1);
}

export function issueSdJwtVc(o: IssueSdJwtOptions): IssuedSdJwt {
  if (o.validUntil.getTime() <= o.validFrom.getTime()) throw new TypeError('validUntil must be after validFrom');
  const { header, iss, key } = issuerSigning(o, 'dc+sd-jwt');
  const orgId = o.organizationIdentifier ?? 'VATES-00000000';
  const organization = (o.seal && subjectAttr(o.seal, 'O')) ?? 'DOME Demo Organisation';
  const country = (o.seal && subjectAttr(o.seal, 'C')) ?? 'ES';
  const mandatee = { email: 'jane.doe@example.org', firstName: 'Jane', lastName: 'Doe', employeeId: 'E-0001', ...o.mandatee };
  const mandator = {
    organizationIdentifier: orgId, organization, commonName: 'DOME Demo LEAR', country, email: 'lear@example.org',
    serialNumber: `IDC${orgId.replace(/^VAT[A-Z]{2}-/, '')}`, ...o.mandator,
  };
  const power = (o.powers ?? [
    { function: 'Onboarding', action: 'Execute' },
    { function: 'ProductOffering', action: ['Create', 'Update', 'Delete'] },
  ]).map((p) => ({ type: p.type ?? 'Domain', domain: p.domain ?? 'DOME', function: p.function, action: p.action }));
  const disclosures = [encodeDisclosure('mandatee', mandatee), encodeDisclosure('mandator', mandator), encodeDisclosure('power', power)];
  const s = (d: Date) => Math.floor(d.getTime() / 1000);
  const payload: Record<string, unknown> = {
    iss,
    jti: `urn:uuid:${randomUUID()}`,
    iat: s(o.validFrom),
    nbf: s(o.validFrom),
    exp: s(o.validUntil),
    vct: o.vct ?? 'learcredential.employee.sd.1',
    mandate: { _sd_alg: 'sha-256', _sd: disclosures.map(digestOfDisclosure) },
    ...(o.statusList ? { status: { status_list: { uri: o.statusList.uri, idx: o.statusList.idx } } } : {}),
    cnf: { jwk: o.holderJwk },
    ...o.claims,
  };
  o.transform?.({ header, payload, disclosures });
  const issuerJwt = signJws(header, payload, key);
  return { sdJwt: `${issuerJwt}~${disclosures.map((d) => `${d}~`).join('')}`, issuerJwt, disclosures, header, payload };
}
