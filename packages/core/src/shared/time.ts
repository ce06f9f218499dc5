/** Date handling shared by the client-assertion, presentation and credential checks. */

const ISO_ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** ISO-8601 date-time with a zone (what IN2 `ZonedDateTime.parse` accepts) → ms epoch. */
export function parseIsoDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string' || !ISO_ZONED.test(value)) return undefined;
  const t = Date.parse(value);
  return Number.isFinite(t) ? t : undefined;
}

/** Numeric dates above 10^11 are read as milliseconds (year 5138 in seconds). */
export const MILLISECONDS_THRESHOLD = 1e11;

export type NumericDate = { ok: true; seconds: number | undefined } | { ok: false };

/**
 * Reads a JWT NumericDate claim (RFC 7519 §2): absent → undefined, a finite non-negative number
 * → seconds, anything else (a string, NaN, negative) → not ok. With `acceptMilliseconds`, values
 * above 10^11 are converted from milliseconds: the DOME issuer service sends `iat`/`exp` in ms
 * (dome-verifier-wire.md Appendix A.5).
 */
export function readNumericDate(value: unknown, acceptMilliseconds: boolean): NumericDate {
  if (value === undefined) return { ok: true, seconds: undefined };
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return { ok: false };
  if (value > MILLISECONDS_THRESHOLD) {
    if (!acceptMilliseconds) return { ok: false };
    return { ok: true, seconds: Math.floor(value / 1000) };
  }
  return { ok: true, seconds: value };
}
