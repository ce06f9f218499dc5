/**
 * Liberal mapping of the five LEAR credential shapes DOME has issued (dome-verifier-wire.md
 * §6.1–6.5: employee v1/v2/v3, machine v1/v2; EUDIStack type names too) to one typed view.
 * IN2 requires exact `@context` arrays; we key on `type` and read both `tmf_*` and plain power
 * fields, `first_name` and `firstName`, issuer string or object.
 */
import { isRecord } from '../shared/json.ts';
import { stripFragment } from '@dome-verifier/did-key';

export type CredentialKind = 'machine' | 'employee';
/**
 * EUDISTACK-145 (dome-verifier-v3.md §7): `legacy` = the DOME VCDM 1.1-era types, `bumped` = the
 * VCDM 2.0 / SD-JWT types. Decided by type name only, never by `@context` or structure.
 */
export type CredentialFamily = 'legacy' | 'bumped';
export type CredentialShape = 'machine-v1' | 'machine-v2' | 'employee-v1' | 'employee-v2' | 'employee-v3';

export interface Power {
  readonly type: string | undefined;
  readonly domain: string | undefined;
  readonly function: string | undefined;
  readonly action: readonly string[];
}

export interface LearCredential {
  readonly kind: CredentialKind;
  readonly family: CredentialFamily;
  /**
   * The presented configuration id (IN2 V3 `credential_type`): the first type that is not
   * `VerifiableCredential`/`VerifiableAttestation` — for SD-JWT VCs the canonical type their
   * `vct` maps to (`eu.europa.ec.eudi.lce.1` → `learcredential.employee.sd.1`, IN2's "SD-JWT VCT
   * resolution"); the `vct` as presented stays in `vc.vct`.
   */
  readonly credentialType: string;
  readonly shape: CredentialShape;
  readonly types: readonly string[];
  /** The `vc` object exactly as presented. */
  readonly vc: Record<string, unknown>;
  readonly id: string | undefined;
  readonly issuerDid: string | undefined;
  readonly validFrom: unknown;
  readonly validUntil: unknown;
  readonly subjectId: string | undefined;
  readonly mandatee: Record<string, unknown>;
  readonly mandator: Record<string, unknown>;
  readonly powers: readonly Power[];
  /** The first `credentialStatus` entry (kept for callers that read one). */
  readonly credentialStatus: Record<string, unknown> | undefined;
  /** Every `credentialStatus` entry: VCDM 2.0 allows an object or a list; each one is checked. */
  readonly credentialStatuses: readonly Record<string, unknown>[];
}

/**
 * IN2's dispatch catalogue (`verifier.dispatch.rules.{legacy,bumped}`, dome-verifier-v3.md §6–7):
 * the raw DOME names and the versioned configuration ids of each family, matched exactly.
 */
export const LEGACY_TYPES: Readonly<Record<string, CredentialKind>> = Object.freeze({
  LEARCredentialEmployee: 'employee',
  'LEARCredentialEmployee.3': 'employee',
  'learcredential.employee.w3c.1': 'employee',
  'learcredential.employee.w3c.2': 'employee',
  'learcredential.employee.w3c.3': 'employee',
  LEARCredentialMachine: 'machine',
  'LEARCredentialMachine.2': 'machine',
  'learcredential.machine.w3c.1': 'machine',
  'learcredential.machine.w3c.2': 'machine',
});
export const BUMPED_TYPES: Readonly<Record<string, CredentialKind>> = Object.freeze({
  'LEARCredentialEmployee.4': 'employee',
  'learcredential.employee.w3c.4': 'employee',
  'learcredential.employee.sd.1': 'employee',
  'LEARCredentialMachine.3': 'machine',
  'learcredential.machine.w3c.3': 'machine',
  'learcredential.machine.sd.1': 'machine',
});
const GENERIC_TYPES = new Set(['VerifiableCredential', 'VerifiableAttestation']);

export function credentialTypes(vc: Record<string, unknown>): string[] {
  const t = vc.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

const own = (table: Readonly<Record<string, CredentialKind>>, t: string): CredentialKind | undefined => (Object.hasOwn(table, t) ? table[t] : undefined);

/** Kind and family of the first catalogued type (machine before employee if both appear). */
export function classify(types: readonly string[]): { kind: CredentialKind; family: CredentialFamily } | undefined {
  let found: { kind: CredentialKind; family: CredentialFamily } | undefined;
  for (const t of types) {
    const legacy = own(LEGACY_TYPES, t);
    const bumped = own(BUMPED_TYPES, t);
    const hit = legacy ? { kind: legacy, family: 'legacy' as const } : bumped ? { kind: bumped, family: 'bumped' as const } : undefined;
    if (hit && (!found || (hit.kind === 'machine' && found.kind !== 'machine'))) found = hit;
  }
  return found;
}

export function kindOf(types: readonly string[]): CredentialKind | undefined {
  return classify(types)?.kind;
}

/** IN2 V3 `credential_type`: the first type that is not VerifiableCredential/VerifiableAttestation. */
export function credentialTypeOf(types: readonly string[]): string {
  return types.find((t) => !GENERIC_TYPES.has(t)) ?? '';
}

function contexts(vc: Record<string, unknown>): string {
  const c = vc['@context'];
  return (Array.isArray(c) ? c : [c]).filter((x) => typeof x === 'string').join(' ');
}

function shapeOf(kind: CredentialKind, vc: Record<string, unknown>, mandatee: Record<string, unknown>): CredentialShape {
  const ctx = contexts(vc);
  if (kind === 'machine') return ctx.includes('lear_credential_machine/w3c/v2') ? 'machine-v2' : 'machine-v1';
  if (ctx.includes('lear_credential_employee/w3c/v3')) return 'employee-v3';
  if (ctx.includes('learcredentialemployee/v2')) return 'employee-v2';
  if (ctx.includes('learcredentialemployee/v1')) return 'employee-v1';
  return 'first_name' in mandatee ? 'employee-v1' : 'employee-v2';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

function power(p: Record<string, unknown>): Power {
  const action = p.action ?? p.tmf_action;
  const domain = p.domain ?? p.tmf_domain;
  return {
    type: str(p.type) ?? str(p.tmf_type),
    domain: Array.isArray(domain) ? str(domain[0]) : str(domain),
    function: str(p.function) ?? str(p.tmf_function),
    action: (Array.isArray(action) ? action : [action]).filter((a): a is string => typeof a === 'string'),
  };
}

/** Status entries a credential may name (each can cost a fetch). */
export const MAX_STATUS_ENTRIES = 8;

export type MapResult = { ok: true; credential: LearCredential } | { ok: false; code: 'ERR_VC_TYPE' | 'ERR_VC_MALFORMED'; reason: string };

/** Maps a `vc` object; fails when the mandate structure every LEAR credential has is missing. */
export function mapLearCredential(vc: Record<string, unknown>): MapResult {
  const types = credentialTypes(vc);
  const classified = classify(types);
  if (!classified) return { ok: false, code: 'ERR_VC_TYPE', reason: 'is not a LEARCredentialEmployee or LEARCredentialMachine' };
  const subject = vc.credentialSubject;
  if (!isRecord(subject)) return { ok: false, code: 'ERR_VC_MALFORMED', reason: 'has no credentialSubject object' };
  const mandate = subject.mandate;
  if (!isRecord(mandate)) return { ok: false, code: 'ERR_VC_MALFORMED', reason: 'has no credentialSubject.mandate object' };
  const { mandatee, mandator } = mandate;
  if (!isRecord(mandatee)) return { ok: false, code: 'ERR_VC_MALFORMED', reason: 'has no mandate.mandatee object' };
  if (!isRecord(mandator)) return { ok: false, code: 'ERR_VC_MALFORMED', reason: 'has no mandate.mandator object' };
  const powers = Array.isArray(mandate.power) ? mandate.power.filter(isRecord).map(power) : [];
  const cs = vc.credentialStatus;
  const statuses = cs === undefined || cs === null ? [] : isRecord(cs) ? [cs] : Array.isArray(cs) ? cs : undefined;
  if (!statuses || (Array.isArray(cs) && (cs.length === 0 || cs.length > MAX_STATUS_ENTRIES)) || !statuses.every(isRecord)) {
    return { ok: false, code: 'ERR_VC_MALFORMED', reason: `has a credentialStatus that is not an entry object or a list of 1–${MAX_STATUS_ENTRIES} entry objects` };
  }
  const issuer = vc.issuer;
  const { kind, family } = classified;
  return {
    ok: true,
    credential: {
      kind,
      family,
      credentialType: credentialTypeOf(types),
      shape: shapeOf(kind, vc, mandatee),
      types,
      vc,
      id: str(vc.id),
      issuerDid: str(issuer) ?? (isRecord(issuer) ? str(issuer.id) : undefined),
      validFrom: vc.validFrom ?? vc.issuanceDate,
      validUntil: vc.validUntil ?? vc.expirationDate,
      subjectId: str(subject.id),
      mandatee,
      mandator,
      powers,
      credentialStatus: statuses[0],
      credentialStatuses: statuses,
    },
  };
}

/**
 * The DID the credential is bound to. Legacy: credentialSubject.id → VC JWT sub → mandatee.id
 * (IN2 V2 order). Bumped (VCDM 2.0, SD-JWT): `mandate.mandatee.id` — there
 * `credentialSubject.id` is a `urn:uuid` of the subject record, not the holder.
 */
export function boundDid(credential: LearCredential, jwtSub: unknown): string | undefined {
  const candidate = credential.family === 'bumped' ? str(credential.mandatee.id) : (credential.subjectId ?? str(jwtSub) ?? str(credential.mandatee.id));
  return candidate?.startsWith('did:') ? stripFragment(candidate) : undefined;
}
