/**
 * Step 4 — the issuer JWT's own validity (SD-JWT VC §3.2.2.2): `exp` not passed, `nbf` and
 * `iat` not in the future, each within the configured skew. Each is optional but, when present,
 * must be a NumericDate (seconds).
 */
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

const MAX_NUMERIC_DATE = 253402300799; // 9999-12-31T23:59:59Z

function numericDate(payload: Record<string, unknown>, claim: string): number | undefined {
  const v = payload[claim];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_NUMERIC_DATE) sdJwtFail('ISSUER_JWT_MALFORMED', `the issuer JWT ${claim} is not a NumericDate`);
  return v;
}

export const checkIssuerTime: Step<SdJwtContext> = {
  name: 'sd-jwt-issuer-time',
  run({ deps, policy, state }) {
    const payload = state.issuerJwt!.payload;
    const now = deps.clock.now() / 1000;
    const skew = policy.clockSkewSeconds;
    const exp = numericDate(payload, 'exp');
    const nbf = numericDate(payload, 'nbf');
    const iat = numericDate(payload, 'iat');
    if (exp !== undefined && now > exp + skew) sdJwtFail('JWT_EXPIRED', 'the SD-JWT VC has expired');
    if (nbf !== undefined && now < nbf - skew) sdJwtFail('JWT_NOT_YET_VALID', 'the SD-JWT VC is not yet valid (nbf)');
    if (iat !== undefined && now < iat - skew) sdJwtFail('JWT_NOT_YET_VALID', 'the SD-JWT VC was issued in the future (iat)');
  },
};
