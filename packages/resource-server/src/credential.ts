/**
 * One typed view of the LEAR credential a DOME Verifier access token carries in its `vc` claim
 * (docs/resource-server.md): LEARCredentialEmployee v1/v2/v3 and LEARCredentialMachine
 * v1/v2, plus the EUDIStack type names. Liberal like the verifier: `tmf_*` and plain power
 * field names, `action` and `domain` as string or array, `first_name` and `firstName`,
 * `emailAddress` and `email`, issuer as string or object, and the claim as an object or a JSON
 * string (ISS accepts both).
 */
import { InvalidTokenError } from './errors.ts';

export type CredentialKind = 'machine' | 'employee';
export type CredentialShape = 'machine-v1' | 'machine-v2' | 'employee-v1' | 'employee-v2' | 'employee-v3';

export interface Power {
  readonly id?: string;
  /** `type` / `tmf_type`, e.g. `Domain`. */
  readonly type?: string;
  /** The first of `domains` (the usual single-domain case), e.g. `DOME`. */
  readonly domain?: string;
  /** `domain` / `tmf_domain` as a list (the 2024 POR shape uses `["DOME"]`). */
  readonly domains: readonly string[];
  /** `function` / `tmf_function`, e.g. `Onboarding`. */
  readonly function?: string;
  /** `action` / `tmf_action` as a list, e.g. `["Execute"]` or `["Create", "Update"]`. */
  readonly action: readonly string[];
}

/** The mandator (organisation), its original fields plus the unified names below. */
export interface Mandator {
  readonly id?: string;
  /** e.g. `VATES-B60645900`; `did:elsi:` + this is the organisation's DID. */
  readonly organizationIdentifier?: string;
  readonly organization?: string;
  readonly country?: string;
  readonly commonName?: string;
  /** `emailAddress` (v1/v2) or `email` (v3). */
  readonly email?: string;
  readonly serialNumber?: string;
  readonly [field: string]: unknown;
}

/** The mandatee (employee or machine), its original fields plus the unified names below. */
export interface Mandatee {
  /** The holder's DID (`did:key:zDna…`). */
  readonly id?: string;
  readonly email?: string;
  /** `firstName` (v2/v3) or `first_name` (v1). */
  readonly firstName?: string;
  /** `lastName` (v2/v3) or `last_name` (v1). */
  readonly lastName?: string;
  readonly nationality?: string;
  readonly employeeId?: string;
  readonly mobilePhone?: string;
  /** Machines: the service's domain. */
  readonly domain?: string;
  /** Machines. */
  readonly ipAddress?: string;
  /** Machines (v1). */
  readonly serviceName?: string;
  readonly [field: string]: unknown;
}

export interface LearCredential {
  readonly kind: CredentialKind;
  readonly shape: CredentialShape;
  readonly types: readonly string[];
  readonly id: string | undefined;
  /** Issuer DID (`did:elsi:…`), from `issuer` as string or `issuer.id`. */
  readonly issuer: string | undefined;
  /** `credentialSubject.id` (v2+/v3). */
  readonly subjectId: string | undefined;
  readonly mandateId: string | undefined;
  readonly validFrom: string | undefined;
  readonly validUntil: string | undefined;
  readonly mandator: Mandator;
  readonly mandatee: Mandatee;
  /** v1 `signer`, when present. */
  readonly signer: Mandator | undefined;
  readonly powers: readonly Power[];
  /** The `vc` object as carried by the token. */
  readonly raw: Record<string, unknown>;
}

/**
 * Legacy and VCDM 2.0 / SD-JWT type names (IN2's EUDISTACK-145 catalogue; compared lower-cased).
 * SD-JWT-derived tokens carry `type: ["VerifiableCredential", "learcredential.*.sd.1"]`.
 */
const MACHINE_TYPES = new Set([
  'learcredentialmachine', 'learcredentialmachine.2', 'learcredentialmachine.3',
  'learcredential.machine.w3c.1', 'learcredential.machine.w3c.2', 'learcredential.machine.w3c.3', 'learcredential.machine.sd.1',
]);
const EMPLOYEE_TYPES = new Set([
  'learcredentialemployee', 'learcredentialemployee.3', 'learcredentialemployee.4',
  'learcredential.employee.w3c.1', 'learcredential.employee.w3c.2', 'learcredential.employee.w3c.3', 'learcredential.employee.w3c.4', 'learcredential.employee.sd.1',
]);

const NO_CREDENTIAL = 'the token carries no LEAR credential';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

const strings = (v: unknown): string[] => (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string' && x.length > 0);

/** Copies the defined values of `extra` over `raw`. */
function merge<T>(raw: Record<string, unknown>, extra: Record<string, string | undefined>): T {
  const out: Record<string, unknown> = { ...raw };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v;
  return out as T;
}

function mandator(m: Record<string, unknown>): Mandator {
  return merge<Mandator>(m, {
    id: str(m.id),
    organizationIdentifier: str(m.organizationIdentifier),
    organization: str(m.organization) ?? str(m.o),
    country: str(m.country) ?? str(m.c),
    commonName: str(m.commonName) ?? str(m.cn),
    email: str(m.emailAddress) ?? str(m.email),
    serialNumber: str(m.serialNumber),
  });
}

function mandatee(m: Record<string, unknown>): Mandatee {
  return merge<Mandatee>(m, {
    id: str(m.id),
    email: str(m.email) ?? str(m.emailAddress),
    firstName: str(m.firstName) ?? str(m.first_name),
    lastName: str(m.lastName) ?? str(m.last_name),
    nationality: str(m.nationality),
    employeeId: str(m.employeeId) ?? str(m.employee_id),
    mobilePhone: str(m.mobilePhone) ?? str(m.mobile_phone),
    domain: str(m.domain),
    ipAddress: str(m.ipAddress),
    serviceName: str(m.serviceName),
  });
}

function power(p: Record<string, unknown>): Power {
  const domains = strings(p.domain ?? p.tmf_domain);
  const out: { -readonly [K in keyof Power]: Power[K] } = {
    domains,
    action: strings(p.action ?? p.tmf_action),
  };
  const id = str(p.id);
  const type = str(p.type) ?? str(p.tmf_type);
  const fn = str(p.function) ?? str(p.tmf_function);
  if (id !== undefined) out.id = id;
  if (type !== undefined) out.type = type;
  if (domains[0] !== undefined) out.domain = domains[0];
  if (fn !== undefined) out.function = fn;
  return out;
}

function contexts(vc: Record<string, unknown>): string {
  return strings(vc['@context']).join(' ');
}

function shapeOf(kind: CredentialKind, vc: Record<string, unknown>, m: Record<string, unknown>): CredentialShape {
  const ctx = contexts(vc);
  if (kind === 'machine') return ctx.includes('lear_credential_machine/w3c/v2') ? 'machine-v2' : 'machine-v1';
  if (ctx.includes('lear_credential_employee/w3c/v3') || strings(vc.type).includes('learcredential.employee.w3c.4')) return 'employee-v3';
  if (ctx.includes('learcredentialemployee/v2')) return 'employee-v2';
  if (ctx.includes('learcredentialemployee/v1')) return 'employee-v1';
  return 'first_name' in m || 'life_span' in m ? 'employee-v1' : 'employee-v2';
}

function fail(reason: string): never {
  throw new InvalidTokenError(`${NO_CREDENTIAL} (${reason})`);
}

/**
 * Parses the `vc` claim (object or JSON string) into a {@link LearCredential}.
 * @throws InvalidTokenError when it is not a LEAR credential with a mandate, mandator and mandatee.
 */
export function parseLearCredential(vc: unknown): LearCredential {
  let value = vc;
  // A JSON string (ISS accepts one); tolerate one more level of encoding.
  for (let i = 0; i < 2 && typeof value === 'string'; i++) {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      fail('the vc claim is not JSON');
    }
  }
  if (value === undefined || value === null) fail('no vc claim');
  if (!isRecord(value)) fail('the vc claim is not an object');
  const types = strings(value.type);
  const lower = types.map((t) => t.toLowerCase());
  const kind: CredentialKind | undefined = lower.some((t) => MACHINE_TYPES.has(t)) ? 'machine' : lower.some((t) => EMPLOYEE_TYPES.has(t)) ? 'employee' : undefined;
  if (!kind) fail('not a LEARCredentialEmployee or LEARCredentialMachine');
  const subject = value.credentialSubject;
  if (!isRecord(subject)) fail('no credentialSubject');
  const mandate = subject.mandate;
  if (!isRecord(mandate)) fail('no credentialSubject.mandate');
  if (!isRecord(mandate.mandator)) fail('no mandate.mandator');
  if (!isRecord(mandate.mandatee)) fail('no mandate.mandatee');
  const issuer = value.issuer;
  return {
    kind,
    shape: shapeOf(kind, value, mandate.mandatee),
    types,
    id: str(value.id),
    issuer: str(issuer) ?? (isRecord(issuer) ? str(issuer.id) : undefined),
    subjectId: str(subject.id),
    mandateId: str(mandate.id),
    validFrom: str(value.validFrom) ?? str(value.issuanceDate),
    validUntil: str(value.validUntil) ?? str(value.expirationDate),
    mandator: mandator(mandate.mandator),
    mandatee: mandatee(mandate.mandatee),
    signer: isRecord(mandate.signer) ? mandator(mandate.signer) : undefined,
    powers: Array.isArray(mandate.power) ? mandate.power.filter(isRecord).map(power) : [],
    raw: value,
  };
}
