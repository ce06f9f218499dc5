/**
 * Authorisation on the LEAR credential's powers (docs/resource-server.md). The verifier
 * enforces no power policy: resource servers do.
 */
import type { LearCredential } from './credential.ts';
import { InsufficientScopeError } from './errors.ts';
import type { VerifiedAccessToken } from './validator.ts';

export interface PowerQuery {
  /** e.g. `Onboarding`, `ProductOffering`, `Certification`. */
  function: string;
  /** e.g. `Execute`, `Create`; matches when it is one of the power's actions. */
  action: string;
  /** Default `DOME`. */
  domain?: string;
  /** Default `Domain`. */
  type?: string;
}

type CredentialOrToken = LearCredential | VerifiedAccessToken;

function credentialOf(c: CredentialOrToken): LearCredential {
  return 'credential' in c ? c.credential : c;
}

const same = (a: string | undefined, b: string): boolean => a !== undefined && a.toLowerCase() === b.toLowerCase();

/** True when a power of the credential has the query's type, domain and function and lists its action (case-insensitive). */
export function hasPower(c: CredentialOrToken, q: PowerQuery): boolean {
  const type = q.type ?? 'Domain';
  const domain = q.domain ?? 'DOME';
  return credentialOf(c).powers.some(
    (p) => same(p.type, type) && p.domains.some((d) => same(d, domain)) && same(p.function, q.function) && p.action.some((a) => same(a, q.action)),
  );
}

/**
 * `isLEAR` as the DOME PDP computes it (`pdp/pdp.go`): a power with type `Domain`, domain
 * `DOME`, function `Onboarding` and action `Execute`, compared case-insensitively over the
 * plain and `tmf_*` field names (the PDP reads string values only; array values are accepted
 * here too, as the credential models allow them).
 */
export function isLEAR(c: CredentialOrToken): boolean {
  return hasPower(c, { type: 'Domain', domain: 'DOME', function: 'Onboarding', action: 'Execute' });
}

/** The mandator's `organizationIdentifier` (e.g. `VATES-B60645900`). */
export function organizationOf(c: CredentialOrToken): string | undefined {
  return credentialOf(c).mandator.organizationIdentifier;
}

const describe = (q: PowerQuery): string => `${q.type ?? 'Domain'}/${q.domain ?? 'DOME'}/${q.function}/${q.action}`;

/** A check that throws {@link InsufficientScopeError} unless the token's credential has the power. */
export function requirePower(q: PowerQuery): (t: VerifiedAccessToken) => void {
  const what = describe(q);
  return (t) => {
    if (!hasPower(t, q)) throw new InsufficientScopeError(`the LEAR credential lacks the power ${what}`);
  };
}

/** A check that throws {@link InsufficientScopeError} (with the `scope` challenge attribute) unless the token has every scope. */
export function requireScope(...scopes: string[]): (t: VerifiedAccessToken) => void {
  const wanted = scopes.flatMap((s) => s.split(' ')).filter(Boolean);
  return (t) => {
    if (!wanted.every((s) => t.scopes.includes(s))) throw new InsufficientScopeError('the access token lacks a required scope', { scope: wanted.join(' ') });
  };
}

/** A requirement as the adapters accept it: a power, or a predicate on the verified token. */
export type Requirement = PowerQuery | ((t: VerifiedAccessToken) => boolean);

/** Throws {@link InsufficientScopeError} unless the token satisfies the requirement. */
export function enforce(requirement: Requirement | undefined, t: VerifiedAccessToken): void {
  if (requirement === undefined) return;
  if (typeof requirement === 'function') {
    if (!requirement(t)) throw new InsufficientScopeError('the access token does not grant access to this resource');
    return;
  }
  requirePower(requirement)(t);
}
