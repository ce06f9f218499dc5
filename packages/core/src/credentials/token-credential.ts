/**
 * What H2M tokens carry of an employee credential (dome-verifier-wire.md §5.1–5.2): the `vc`
 * object normalised as IN2 V2 does — both the v1 names (`first_name`, `last_name`, `tmf_*`
 * powers) and the later ones (`firstName`, `lastName`, plain powers) present, so that resource
 * servers and Keycloak mappers written for either find `mandator`, `mandatee` and `power`;
 * `credentialStatus` and `credentialSubject.id` dropped; keys sorted as Jackson writes them.
 */
import { isRecord, sortedCopy } from '../shared/json.ts';
import type { LearCredential } from './lear-credential.ts';

const POWER_ALIASES = [['type', 'tmf_type'], ['domain', 'tmf_domain'], ['function', 'tmf_function'], ['action', 'tmf_action']] as const;
const MANDATEE_ALIASES = [['firstName', 'first_name'], ['lastName', 'last_name']] as const;

function both(obj: Record<string, unknown>, pairs: ReadonlyArray<readonly [string, string]>): Record<string, unknown> {
  const out = { ...obj };
  for (const [a, b] of pairs) {
    if (out[a] === undefined && out[b] !== undefined) out[a] = out[b];
    if (out[b] === undefined && out[a] !== undefined) out[b] = out[a];
  }
  return out;
}

/** JWT claims that sit beside the VCDM claims at the root of a VCDM 2.0 JWT VC. */
const JWT_ENVELOPE_CLAIMS = ['iss', 'sub', 'aud', 'nbf', 'exp', 'iat', 'jti'] as const;

/**
 * The credential object tokens carry: the `vc` claim of a legacy JWT VC, the VCDM claims of a
 * VCDM 2.0 JWT VC (its root without the JWT envelope claims — the verifier does the `vc`
 * wrapping, as IN2 V3), the mapped view of an SD-JWT VC; keys sorted as Jackson writes them.
 */
export function tokenCredentialVc(c: LearCredential): Record<string, unknown> {
  const vc: Record<string, unknown> = { ...c.vc };
  if (c.family === 'bumped') for (const k of JWT_ENVELOPE_CLAIMS) delete vc[k];
  return sortedCopy(vc) as Record<string, unknown>;
}

/**
 * The claims IN2 V3 adds to tokens (dome-verifier-v3.md §4.1): `credential_type` (the presented
 * configuration id) and, when the client is configured with one, `tenant`.
 */
export function credentialTokenClaims(c: Pick<LearCredential, 'credentialType'>, tenant: string | undefined): Record<string, string> {
  return { ...(c.credentialType ? { credential_type: c.credentialType } : {}), ...(tenant ? { tenant } : {}) };
}

export function employeeTokenVc(c: LearCredential): Record<string, unknown> {
  const vc: Record<string, unknown> = { ...tokenCredentialVc(c) };
  delete vc.credentialStatus;
  const subject = isRecord(vc.credentialSubject) ? { ...vc.credentialSubject } : {};
  delete subject.id;
  const mandate = isRecord(subject.mandate) ? { ...subject.mandate } : {};
  mandate.mandatee = both(c.mandatee, MANDATEE_ALIASES);
  if (Array.isArray(mandate.power)) mandate.power = mandate.power.map((p) => (isRecord(p) ? both(p, POWER_ALIASES) : p));
  subject.mandate = mandate;
  vc.credentialSubject = subject;
  return sortedCopy(vc) as Record<string, unknown>;
}

export interface Profile {
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  email_verified?: boolean;
}

/** OIDC profile claims of the mandatee (emitted for employees whatever the scopes, as IN2 v1.3.7+). */
export function employeeProfile(c: LearCredential): Profile {
  const m = c.mandatee;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const given = str(m.firstName) ?? str(m.first_name);
  const family = str(m.lastName) ?? str(m.last_name);
  const email = str(m.email) ?? str(m.emailAddress);
  const name = [given, family].filter(Boolean).join(' ');
  return {
    ...(name ? { name } : {}),
    ...(given ? { given_name: given } : {}),
    ...(family ? { family_name: family } : {}),
    ...(email ? { email, email_verified: true } : {}),
  };
}

/**
 * The token subject: legacy `credentialSubject.id`, else `mandatee.id` (IN2 V2 order); bumped
 * credentials: `mandatee.id` (their `credentialSubject.id` names the subject record).
 */
export function subjectOf(c: LearCredential): string | undefined {
  const id = typeof c.mandatee.id === 'string' ? c.mandatee.id : undefined;
  return c.family === 'bumped' ? id : (c.subjectId ?? id);
}
