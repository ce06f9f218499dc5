/** Date handling shared by the client-assertion, presentation and credential checks. */

const ISO_ZONED = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):?(\d{2}))$/i;

/**
 * ISO-8601 date-time with a zone (what IN2 `ZonedDateTime.parse` accepts) → ms epoch.
 * Impossible fields (Feb 30, 24:00, minute 60) are refused rather than rolled over.
 */
export function parseIsoDateTime(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  // The same credential dates come back request after request: remembered (bounded, cleared when full).
  if (parsedDates.has(value)) return parsedDates.get(value);
  const t = parseIsoDateTimeUncached(value);
  if (value.length <= 64) {
    if (parsedDates.size >= MAX_PARSED_DATES) parsedDates.clear();
    parsedDates.set(value, t);
  }
  return t;
}

const MAX_PARSED_DATES = 1024;
const parsedDates = new Map<string, number | undefined>();

function parseIsoDateTimeUncached(value: string): number | undefined {
  const m = ISO_ZONED.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth || hour! > 23 || minute! > 59 || second! > 59 || offH! > 18 || offM! > 59) return undefined;
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
