/**
 * Step 7 — each needed credential is within its validity: `validFrom`/`validUntil` (VCDM 2.0) or
 * `issuanceDate`/`expirationDate` (VCDM 1.1), ISO-8601 with a zone, and the JWT `nbf`/`exp`, each
 * when present, with the configured clock skew (VCVerifier stores `exp` and never reads it).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { parseIsoDateTime, readNumericDate } from '../../shared/time.ts';
import type { FiwarePresentationContext } from './context.ts';

function isoBound(v: unknown): number | undefined {
  if (v === undefined) return undefined;
  const t = parseIsoDateTime(v);
  if (t === undefined) throw new VerifierError('ERR_VC_MALFORMED', 'the credential validity dates must be ISO-8601 date-times with a zone');
  return t;
}

export const checkFiwareVcTime: Step<FiwarePresentationContext> = {
  name: 'fiware-vc-time',
  run({ deps, state }) {
    const { clockSkewSeconds, acceptMillisecondTimestamps } = deps.presentationPolicy;
    const skewMs = clockSkewSeconds * 1000;
    const now = deps.clock.now();
    for (const c of state.relevant ?? []) {
      const nbf = readNumericDate(c.jws.payload.nbf, acceptMillisecondTimestamps);
      const exp = readNumericDate(c.jws.payload.exp, acceptMillisecondTimestamps);
      if (!nbf.ok || !exp.ok) throw new VerifierError('ERR_VC_MALFORMED', 'the credential JWT nbf/exp must be NumericDates');
      const starts = [isoBound(c.object.validFrom), isoBound(c.object.issuanceDate), nbf.seconds === undefined ? undefined : nbf.seconds * 1000];
      const ends = [isoBound(c.object.validUntil), isoBound(c.object.expirationDate), exp.seconds === undefined ? undefined : exp.seconds * 1000];
      const notBefore = Math.max(...starts.map((t) => t ?? -Infinity));
      const notAfter = Math.min(...ends.map((t) => t ?? Infinity));
      if (now + skewMs < notBefore) throw new VerifierError('ERR_VC_NOT_YET_VALID', 'a credential is not yet valid');
      if (now - skewMs >= notAfter) throw new VerifierError('ERR_VC_EXPIRED', 'a credential has expired');
    }
  },
};
