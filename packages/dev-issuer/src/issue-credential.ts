/**
 * Development issuer of LEAR credentials as VC-JWTs, byte-shaped like the IN2 issuer output
 * (dome-verifier-wire.md §6): JWT envelope `{sub, nbf, iss, exp, iat, jti, vc}` signed JAdES-style
 * with an eIDAS seal certificate, header `{alg, typ:'JWT', x5c, sigT, crit:['sigT']}`.
 * Shapes: LEARCredentialMachine v1 (§6.4) / v2 (§6.5), LEARCredentialEmployee v1 (§6.1) /
 * v2 (§6.2) / v3 (§6.3).
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import { signJws, type JwsHeader } from '@dome-verifier/core/jws';
import { didKeyToJwk } from '@dome-verifier/did-key';
import { x5cOf, type DevCertificate } from './ca.ts';

export type CredentialKind = 'machine' | 'employee';
export type CredentialShape = 'v1' | 'v2' | 'v3';
export type CredentialAlg = 'RS256' | 'PS256' | 'ES256';
/**
 * `legacy`: the five DOME shapes (a `vc` claim, JWS `typ` `JWT`). `w3c-v2`: the "bumped" VCDM 2.0
 * shapes of the EUDIStack issuer (dome-wallet-pwa.md §6.2) — claims at the JWT root, JWS `typ`
 * `vc+jwt`, type `learcredential.employee.w3c.4` / `learcredential.machine.w3c.3`,
 * `credentialSubject.id` a `urn:uuid`, root `sub` = the mandatee (the holder), `cnf.jwk`.
 */
export type CredentialFormat = 'legacy' | 'w3c-v2';

/** The VCDM 2.0 type names of the bumped LEAR credentials. */
export const W3C_V2_TYPES = { employee: 'learcredential.employee.w3c.4', machine: 'learcredential.machine.w3c.3' } as const;

const VCDM2 = 'https://www.w3.org/ns/credentials/v2';

/** Exact `@context` lists the verifiers map on (order and length matter for employees). */
export const LEAR_CONTEXTS = {
  machine: {
    v1: [VCDM2, 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialmachine/v1'],
    v2: [VCDM2, 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_machine/w3c/v2'],
  },
  employee: {
    v1: [VCDM2, 'https://trust-framework.dome-marketplace.eu/credentials/learcredentialemployee/v1'],
    v2: [VCDM2, 'https://www.dome-marketplace.eu/2025/credentials/learcredentialemployee/v2'],
    v3: [VCDM2, 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_employee/w3c/v3'],
  },
} as const;

export interface PowerInput {
  function: string;
  action: string | string[];
  /** Default 'DOME'. */
  domain?: string;
  /** Default 'Domain'. */
  type?: string;
}

export interface IssueOptions {
  kind: CredentialKind;
  /** Default `legacy`. `w3c-v2` ignores `shape` and needs a did:key mandatee or `cnfJwk`. */
  format?: CredentialFormat;
  /** machine: v1 | v2 (default v1); employee: v1 | v2 | v3 (default v2). */
  shape?: CredentialShape;
  /** Signing eIDAS seal (x5c leaf). */
  seal: DevCertificate;
  /** Rest of the x5c chain after the leaf, e.g. [intermediate]. */
  chain: DevCertificate[];
  /** Issuer organisation identifier, e.g. 'VATES-B60645900' ⇒ iss 'did:elsi:VATES-B60645900'. */
  organizationIdentifier: string;
  /** Default: the seal certificate's O, else 'DOME Demo Organisation'. */
  organization?: string;
  /** Default: the seal certificate's C, else 'ES'. */
  country?: string;
  /** `id` (did:key) plus any shape-specific fields overriding the defaults. */
  mandatee: { id: string; [field: string]: unknown };
  /** Partial override of the mandator (default: the issuing organisation). */
  mandator?: Record<string, unknown>;
  /** Partial override of the v1 `signer` (default: the issuing organisation). */
  signer?: Record<string, unknown>;
  /** Default machine: Onboarding/Execute; employee: Onboarding/Execute + ProductOffering/[Create,Update,Delete]. */
  powers?: PowerInput[];
  validFrom: Date;
  validUntil: Date;
  /** Credential id = JWT jti. Default: 'urn:uuid:<uuid>' (machine) / '<uuid>' (employee, as IN2 issues). */
  id?: string;
  /** An entry object, or a list of entries (VCDM 2.0); other values only for negative tests. */
  credentialStatus?: unknown;
  /** Default true: header `sigT` (signing time) + `crit: ["sigT"]` (JAdES B-T). */
  sigT?: boolean;
  /** Signing time for `sigT`. Default: now. */
  signingTime?: Date;
  /** Default: the seal's keyAlg (PS256 needs an RSA seal). */
  alg?: CredentialAlg;
  /** Holder key for `cnf: {jwk}` (machine v2 / V3 binding; `w3c-v2` default: the mandatee did:key's key). */
  cnfJwk?: object;
  /** JWT nbf/iat/exp in milliseconds instead of seconds (ISS quirk, for interop tests). */
  msTimestamps?: boolean;
  /** Replaces the shape's `@context` (negative tests). */
  context?: string[];
  /** Last-chance mutation of header/payload before signing (negative tests). */
  transform?: (parts: { header: JwsHeader; payload: Record<string, unknown> }) => void;
}

export interface IssuedCredential {
  jwt: string;
  /** The `vc` claim. */
  credential: Record<string, unknown>;
  payload: Record<string, unknown>;
  header: JwsHeader;
}

const DEFAULT_POWERS: Record<CredentialKind, PowerInput[]> = {
  machine: [{ type: 'Domain', domain: 'DOME', function: 'Onboarding', action: 'Execute' }],
  employee: [
    { type: 'Domain', domain: 'DOME', function: 'Onboarding', action: 'Execute' },
    { type: 'Domain', domain: 'DOME', function: 'ProductOffering', action: ['Create', 'Update', 'Delete'] },
  ],
};

/** `C=ES\nO=…\nCN=…` → record (first value wins). */
function subjectOf(cert: DevCertificate): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const line of new X509Certificate(cert.der).subject.split('\n')) {
      const i = line.indexOf('=');
      if (i > 0 && out[line.slice(0, i)] === undefined) out[line.slice(0, i)] = line.slice(i + 1);
    }
  } catch {
    /* not parseable: defaults only */
  }
  return out;
}

function iso(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new TypeError('invalid date');
  return d.toISOString();
}

/** Renames keys per `aliases` (from → to) unless `to` is already present. */
function alias(fields: Record<string, unknown>, aliases: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) {
    const to = aliases[k];
    if (to !== undefined && !(to in fields)) out[to] = v;
    else if (to === undefined) out[k] = v;
  }
  return out;
}

const TO_SNAKE = { firstName: 'first_name', lastName: 'last_name', mobilePhone: 'mobile_phone' };
const TO_CAMEL = { first_name: 'firstName', last_name: 'lastName', mobile_phone: 'mobilePhone' };

function serialFromOrgId(orgId: string): string {
  const i = orgId.lastIndexOf('-');
  return i === -1 ? orgId : orgId.slice(i + 1);
}

export function issueLearCredential(o: IssueOptions): IssuedCredential {
  if (o.format === 'w3c-v2') return issueW3cV2(o);
  const shape = o.shape ?? (o.kind === 'machine' ? 'v1' : 'v2');
  if (o.kind === 'machine' && shape === 'v3') throw new TypeError('LEARCredentialMachine has shapes v1 and v2 only');
  if (!o.mandatee || typeof o.mandatee.id !== 'string' || o.mandatee.id.length === 0) throw new TypeError('mandatee.id is required');
  if (o.validUntil.getTime() <= o.validFrom.getTime()) throw new TypeError('validUntil must be after validFrom');

  const subject = subjectOf(o.seal);
  const orgId = o.organizationIdentifier;
  const issuerDid = `did:elsi:${orgId}`;
  const organization = o.organization ?? subject.O ?? 'DOME Demo Organisation';
  const country = o.country ?? subject.C ?? 'ES';
  const issuerObject = {
    id: issuerDid,
    organizationIdentifier: orgId,
    organization,
    country,
    commonName: subject.CN ?? organization,
    serialNumber: subject.serialNumber ?? serialFromOrgId(orgId),
  };
  const from = iso(o.validFrom);
  const until = iso(o.validUntil);
  const id = o.id ?? (o.kind === 'machine' ? `urn:uuid:${randomUUID()}` : randomUUID());
  const powers = o.powers ?? DEFAULT_POWERS[o.kind];
  const idlessPowers = (o.kind === 'machine' && shape === 'v2') || shape === 'v3';

  // Mandator: emailAddress in v1/v2-employee/machine-v1, email (+ did:elsi id) in machine v2 / employee v3.
  const mandatorIn = { ...o.mandator };
  const mandatorOrgId = typeof mandatorIn.organizationIdentifier === 'string' ? mandatorIn.organizationIdentifier : orgId;
  const baseMandator: Record<string, unknown> = {
    commonName: 'DOME Demo LEAR',
    country,
    emailAddress: 'lear@example.org',
    organization,
    organizationIdentifier: mandatorOrgId,
    serialNumber: serialFromOrgId(mandatorOrgId),
  };
  let mandator: Record<string, unknown>;
  if (idlessPowers) {
    const { emailAddress, ...rest } = { ...baseMandator, ...alias(mandatorIn, { emailAddress: 'email' }) };
    mandator = {
      id: `did:elsi:${mandatorOrgId}`,
      commonName: rest.commonName,
      country: rest.country,
      email: rest.email ?? emailAddress,
      organization: rest.organization,
      organizationIdentifier: rest.organizationIdentifier,
      serialNumber: rest.serialNumber,
      ...rest,
    };
  } else {
    mandator = { ...baseMandator, ...alias(mandatorIn, { email: 'emailAddress' }) };
  }

  const power = powers.map((p) => {
    const type = p.type ?? 'Domain';
    const domain = p.domain ?? 'DOME';
    if (o.kind === 'machine' && shape === 'v1') return { id: randomUUID(), tmf_type: type, tmf_domain: domain, tmf_function: p.function, tmf_action: p.action };
    if (o.kind === 'employee' && shape === 'v1') return { id: randomUUID(), tmf_action: p.action, tmf_domain: domain, tmf_function: p.function, tmf_type: type };
    if (idlessPowers) return { action: p.action, domain, function: p.function, type };
    return { id: randomUUID(), action: p.action, domain, function: p.function, type };
  });

  const signer = {
    commonName: issuerObject.commonName,
    country,
    emailAddress: 'seal@example.org',
    organization,
    organizationIdentifier: orgId,
    serialNumber: issuerObject.serialNumber,
    ...o.signer,
  };
  const lifeSpan = { start_date_time: from, end_date_time: until };
  const { id: mandateeId, ...mandateeFields } = o.mandatee;

  const context = o.context ?? [...(o.kind === 'machine' ? LEAR_CONTEXTS.machine[shape as 'v1' | 'v2'] : LEAR_CONTEXTS.employee[shape])];
  const typeName = o.kind === 'machine' ? 'LEARCredentialMachine' : 'LEARCredentialEmployee';
  /** The VC around a credentialSubject: v1 shapes carry the VCDM 1.1 dates too. */
  const envelope = (credentialSubject: Record<string, unknown>, extra: { legacyDates?: boolean; description?: string } = {}) => ({
    '@context': context,
    id,
    type: [typeName, 'VerifiableCredential'],
    ...(extra.description ? { description: extra.description } : {}),
    issuer: issuerObject,
    ...(extra.legacyDates ? { issuanceDate: from, validFrom: from, expirationDate: until, validUntil: until } : { validFrom: from, validUntil: until }),
    credentialSubject,
  });

  let vc: Record<string, unknown>;
  if (o.kind === 'machine' && shape === 'v1') {
    const mandatee = {
      id: mandateeId,
      serviceName: 'DOME demo machine',
      serviceType: 'API',
      version: '1.0',
      domain: 'http://localhost:8081',
      ipAddress: '127.0.0.1',
      description: 'Development machine client of the DOME Verifier demo',
      contact: { email: 'ops@example.org', phone: '+34 600 000 000' },
      ...mandateeFields,
    };
    vc = envelope({ mandate: { id: randomUUID(), life_span: lifeSpan, mandatee, mandator, power, signer } }, { legacyDates: true });
  } else if (o.kind === 'machine') {
    const mandatee = { id: mandateeId, domain: 'http://localhost:8081', ipAddress: '127.0.0.1', ...mandateeFields };
    vc = envelope({ id: mandateeId, mandate: { mandatee, mandator, power } }, { legacyDates: true });
  } else if (shape === 'v1') {
    const mandatee = {
      id: mandateeId,
      email: 'jane.doe@example.org',
      first_name: 'Jane',
      last_name: 'Doe',
      mobile_phone: '+34 600 000 000',
      ...alias(mandateeFields, TO_SNAKE),
    };
    vc = envelope({ mandate: { id: randomUUID(), life_span: lifeSpan, mandatee, mandator, power, signer } }, { legacyDates: true });
  } else if (shape === 'v2') {
    const mandatee = { id: mandateeId, email: 'jane.doe@example.org', firstName: 'Jane', lastName: 'Doe', nationality: 'ES', ...alias(mandateeFields, TO_CAMEL) };
    vc = envelope({ mandate: { id: randomUUID(), mandatee, mandator, power } }, { description: 'Verifiable Credential for employees of an organization' });
  } else {
    const mandatee = { id: mandateeId, employeeId: 'E-0001', email: 'jane.doe@example.org', firstName: 'Jane', lastName: 'Doe', ...alias(mandateeFields, TO_CAMEL) };
    vc = envelope({ id: mandateeId, mandate: { mandatee, mandator, power } });
  }
  if (o.credentialStatus !== undefined) vc.credentialStatus = o.credentialStatus;

  const scale = o.msTimestamps ? 1 : 1000;
  const t = (d: Date) => Math.floor(d.getTime() / scale);
  const payload: Record<string, unknown> = {
    sub: mandateeId,
    nbf: t(o.validFrom),
    iss: issuerDid,
    exp: t(o.validUntil),
    iat: t(o.validFrom),
    jti: id,
    vc,
  };
  if (o.cnfJwk !== undefined) payload.cnf = { jwk: o.cnfJwk };

  const alg = o.alg ?? o.seal.keyAlg;
  const header: JwsHeader = { alg, typ: 'JWT', x5c: x5cOf(o.seal, ...o.chain) };
  if (o.sigT ?? true) {
    header.sigT = (o.signingTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    header.crit = ['sigT'];
  }
  o.transform?.({ header, payload });
  return { jwt: signJws(header, payload, o.seal.privateKey), credential: vc, payload, header };
}

const EUDISTACK_CONTEXTS = {
  employee: 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_employee/w3c/v3',
  machine: 'https://credentials.eudistack.eu/.well-known/credentials/lear_credential_machine/w3c/v2',
} as const;

/** A VCDM 2.0 LEAR credential as the EUDIStack issuer emits it (dome-wallet-pwa.md §6.2). */
function issueW3cV2(o: IssueOptions): IssuedCredential {
  if (!o.mandatee || typeof o.mandatee.id !== 'string' || o.mandatee.id.length === 0) throw new TypeError('mandatee.id is required');
  if (o.validUntil.getTime() <= o.validFrom.getTime()) throw new TypeError('validUntil must be after validFrom');
  const cnfJwk = o.cnfJwk ?? (o.mandatee.id.startsWith('did:key:') ? didKeyToJwk(o.mandatee.id) : undefined);
  if (cnfJwk === undefined) throw new TypeError('w3c-v2 credentials carry cnf.jwk: give cnfJwk or a did:key mandatee');
  const subject = subjectOf(o.seal);
  const orgId = o.organizationIdentifier;
  const organization = o.organization ?? subject.O ?? 'DOME Demo Organisation';
  const country = o.country ?? subject.C ?? 'ES';
  const issuer = {
    id: `did:elsi:${orgId}`,
    organizationIdentifier: orgId,
    organization,
    country,
    commonName: subject.CN ?? organization,
    serialNumber: subject.serialNumber ?? serialFromOrgId(orgId),
  };
  const mandatorOrgId = typeof o.mandator?.organizationIdentifier === 'string' ? o.mandator.organizationIdentifier : orgId;
  const mandator = {
    organizationIdentifier: mandatorOrgId,
    organization,
    commonName: 'DOME Demo LEAR',
    country,
    email: 'lear@example.org',
    serialNumber: serialFromOrgId(mandatorOrgId),
    ...alias({ ...o.mandator }, { emailAddress: 'email' }),
  };
  const { id: mandateeId, ...mandateeFields } = o.mandatee;
  const mandatee =
    o.kind === 'machine'
      ? { id: mandateeId, domain: 'http://localhost:8081', ipAddress: '127.0.0.1', ...mandateeFields }
      : { id: mandateeId, employeeId: 'E-0001', email: 'jane.doe@example.org', firstName: 'Jane', lastName: 'Doe', ...alias(mandateeFields, TO_CAMEL) };
  const power = (o.powers ?? DEFAULT_POWERS[o.kind]).map((p) => ({ type: p.type ?? 'Domain', domain: p.domain ?? 'DOME', function: p.function, action: p.action }));
  const id = o.id ?? `urn:uuid:${randomUUID()}`;
  const credential: Record<string, unknown> = {
    '@context': o.context ?? [VCDM2, EUDISTACK_CONTEXTS[o.kind]],
    id,
    type: ['VerifiableCredential', W3C_V2_TYPES[o.kind]],
    description: o.kind === 'machine' ? 'Verifiable Credential for machines' : 'Verifiable Credential for employees of an organization',
    issuer,
    credentialSubject: { id: `urn:uuid:${randomUUID()}`, mandate: { mandatee, mandator, power } },
    validFrom: iso(o.validFrom),
    validUntil: iso(o.validUntil),
    ...(o.credentialStatus !== undefined ? { credentialStatus: o.credentialStatus } : {}),
  };
  const t = (d: Date) => Math.floor(d.getTime() / (o.msTimestamps ? 1 : 1000));
  const payload: Record<string, unknown> = {
    ...credential,
    iss: issuer.id,
    sub: mandateeId,
    jti: id,
    iat: t(o.validFrom),
    nbf: t(o.validFrom),
    exp: t(o.validUntil),
    cnf: { jwk: cnfJwk },
  };
  const header: JwsHeader = { alg: o.alg ?? o.seal.keyAlg, typ: 'vc+jwt', x5c: x5cOf(o.seal, ...o.chain) };
  if (o.sigT ?? true) {
    header.sigT = (o.signingTime ?? new Date()).toISOString().replace(/\.\d{3}Z$/, 'Z');
    header.crit = ['sigT'];
  }
  o.transform?.({ header, payload });
  return { jwt: signJws(header, payload, o.seal.privateKey), credential, payload, header };
}
