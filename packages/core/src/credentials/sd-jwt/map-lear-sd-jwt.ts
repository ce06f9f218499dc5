/**
 * Maps the processed claims of a LEAR SD-JWT VC into the LEAR credential model the rest of the
 * code uses (lear-credential.ts, token-credential.ts). DOME's issuer emits
 * `vct: learcredential.employee.sd.1` with the disclosed children `mandate.{mandatee, mandator,
 * power}` at the root (dome-wallet-pwa.md §6.3); IN2's V3 asks for `eu.europa.ec.eudi.lce.1`
 * (machine: `learcredential.machine.sd.1` / `eu.europa.ec.eudi.lcm.1`, dome-verifier-v3.md §6).
 * The view is a VCDM-shaped object, so tokens expose `credentialSubject.mandate.{mandatee,
 * mandator, power}` at the paths relying parties read today:
 *
 *   type              ["VerifiableCredential", <canonical type>]   vct kept as `vct`
 *   issuer            iss                                          id      jti
 *   validFrom/Until   nbf (else iat) / exp, as ISO-8601            cnf     cnf
 *   credentialSubject { mandate }  (+ id = sub when present)
 *   credentialStatus  { type: "TokenStatusListEntry", statusPurpose: "revocation",
 *                       statusListCredential: status_list.uri, statusListIndex: idx }
 */
import { isRecord } from '../../shared/json.ts';
import { mapLearCredential, type LearCredential } from '../lear-credential.ts';
import { employeeTokenVc } from '../token-credential.ts';
import type { VerifiedSdJwt } from './verify-sd-jwt.ts';
import { sdJwtFail } from './errors.ts';

/** Accepted `vct` values → the type name the LEAR model classifies by. */
export const LEAR_SD_JWT_VCTS: Readonly<Record<string, string>> = Object.freeze({
  'learcredential.employee.sd.1': 'learcredential.employee.sd.1',
  'eu.europa.ec.eudi.lce.1': 'learcredential.employee.sd.1',
  'learcredential.machine.sd.1': 'learcredential.machine.sd.1',
  'eu.europa.ec.eudi.lcm.1': 'learcredential.machine.sd.1',
});

const iso = (seconds: unknown): string | undefined =>
  typeof seconds === 'number' && Number.isFinite(seconds) ? new Date(seconds * 1000).toISOString() : undefined;

/** The VCDM-shaped `vc` object of an SD-JWT LEAR credential (undefined members omitted). */
export function sdJwtLearVc(verified: Pick<VerifiedSdJwt, 'claims' | 'statusList'>): Record<string, unknown> {
  const c = verified.claims;
  const vct = typeof c.vct === 'string' ? c.vct : '';
  const type = LEAR_SD_JWT_VCTS[vct];
  if (!type) sdJwtFail('VCT_UNSUPPORTED', 'the SD-JWT VC vct is not a LEAR credential type');
  if (!isRecord(c.mandate)) sdJwtFail('MANDATE_INCOMPLETE', 'the SD-JWT VC discloses no mandate object');
  const { mandatee, mandator, power } = c.mandate;
  if (!isRecord(mandatee) || !isRecord(mandator) || !Array.isArray(power)) {
    sdJwtFail('MANDATE_INCOMPLETE', 'the SD-JWT VC must disclose mandate.mandatee, mandate.mandator and mandate.power');
  }
  const subject: Record<string, unknown> = { mandate: { ...c.mandate } };
  if (typeof c.sub === 'string') subject.id = c.sub;
  const vc: Record<string, unknown> = {
    type: ['VerifiableCredential', type],
    vct,
    id: typeof c.jti === 'string' ? c.jti : undefined,
    issuer: c.iss,
    validFrom: iso(c.nbf ?? c.iat),
    validUntil: iso(c.exp),
    credentialSubject: subject,
    cnf: c.cnf,
    credentialStatus: verified.statusList
      ? { type: 'TokenStatusListEntry', statusPurpose: 'revocation', statusListCredential: verified.statusList.uri, statusListIndex: verified.statusList.idx }
      : undefined,
  };
  for (const k of Object.keys(vc)) if (vc[k] === undefined) delete vc[k];
  return vc;
}

/** The LEAR credential of a verified SD-JWT VC; throws ERR_SD_JWT_VCT when it is not one. */
export function mapSdJwtLearCredential(verified: Pick<VerifiedSdJwt, 'claims' | 'statusList'>): LearCredential {
  const result = mapLearCredential(sdJwtLearVc(verified));
  if (!result.ok) sdJwtFail('MANDATE_INCOMPLETE', `the SD-JWT VC ${result.reason}`);
  return result.credential;
}

/**
 * The `vc` object access tokens carry for an SD-JWT VC login (issue #10 §6): the mapped view
 * normalised as for JWT VCs (employeeTokenVc), so relying parties read
 * `credentialSubject.mandate.{mandatee, mandator, power}` at the paths they read today; pair it
 * with `credentialTokenClaims(mapSdJwtLearCredential(v), tenant)` for `credential_type`/`tenant`.
 */
export function sdJwtTokenVc(verified: Pick<VerifiedSdJwt, 'claims' | 'statusList'>): Record<string, unknown> {
  return employeeTokenVc(mapSdJwtLearCredential(verified));
}
