import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MILLISECONDS_THRESHOLD, parseIsoDateTime, readNumericDate } from './time.ts';

const T = Date.UTC(2025, 2, 1, 10, 0, 0); // 2025-03-01T10:00:00Z

describe('parseIsoDateTime', () => {
  test('reads an ISO-8601 date-time in UTC to milliseconds since the epoch', () => {
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00Z'), T);
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00.000Z'), T);
  });

  test('applies numeric zone offsets with or without a colon', () => {
    assert.equal(parseIsoDateTime('2025-03-01T11:00:00+01:00'), T);
    assert.equal(parseIsoDateTime('2025-03-01T11:00:00+0100'), T);
    assert.equal(parseIsoDateTime('2025-03-01T05:00:00-05:00'), T);
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00-0000'), T);
  });

  test('requires a zone (Z or an offset), as ZonedDateTime.parse does', () => {
    for (const s of ['2025-03-01T10:00:00', '2025-03-01T10:00:00.123', '2025-03-01', '2025-03-01T10:00']) {
      assert.equal(parseIsoDateTime(s), undefined, s);
    }
  });

  test('accepts fractions of one to nine digits (nanoseconds, as Java writes them), truncated to milliseconds', () => {
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00.1Z'), T + 100);
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00.123456Z'), T + 123);
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00.123456789Z'), T + 123);
    assert.equal(parseIsoDateTime('2025-03-01T10:00:00.1234567891Z'), undefined);
  });

  test('accepts a date-time without seconds and lower-case t/z', () => {
    assert.equal(parseIsoDateTime('2025-03-01T10:00Z'), T);
    assert.equal(parseIsoDateTime('2025-03-01t10:00:00z'), T);
  });

  test('refuses other formats, out-of-range fields and non-strings', () => {
    for (const v of [
      'Sat, 01 Mar 2025 10:00:00 GMT', '1740823200', '2025-03-01 10:00:00Z', ' 2025-03-01T10:00:00Z', '2025-03-01T10:00:00Z ',
      '2025-13-01T00:00:00Z', '2025-03-01T10:60:00Z', '2025-03-01T10:00:00+1:00', '+002025-03-01T10:00:00Z', '',
    ]) assert.equal(parseIsoDateTime(v), undefined, v);
    for (const v of [T, null, undefined, {}, new Date(T)]) assert.equal(parseIsoDateTime(v), undefined);
  });
});

describe('readNumericDate', () => {
  test('an absent claim is ok and undefined', () => {
    assert.deepEqual(readNumericDate(undefined, false), { ok: true, seconds: undefined });
    assert.deepEqual(readNumericDate(undefined, true), { ok: true, seconds: undefined });
  });

  test('a finite non-negative number is read as seconds, fractions kept', () => {
    assert.deepEqual(readNumericDate(1_740_823_200, false), { ok: true, seconds: 1_740_823_200 });
    assert.deepEqual(readNumericDate(0, false), { ok: true, seconds: 0 });
    assert.deepEqual(readNumericDate(1.5, false), { ok: true, seconds: 1.5 });
  });

  test('refuses strings, null, booleans, NaN, infinities and negative numbers', () => {
    for (const v of ['1740823200', null, true, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, {}, []]) {
      assert.deepEqual(readNumericDate(v, true), { ok: false }, String(v));
    }
  });

  test('converts values above 10^11 from milliseconds (floored) only when milliseconds are accepted', () => {
    assert.equal(MILLISECONDS_THRESHOLD, 1e11);
    assert.deepEqual(readNumericDate(1_740_823_200_999, true), { ok: true, seconds: 1_740_823_200 });
    assert.deepEqual(readNumericDate(1_740_823_200_999, false), { ok: false });
  });

  test('the threshold itself is still seconds; one above it is milliseconds', () => {
    assert.deepEqual(readNumericDate(1e11, false), { ok: true, seconds: 1e11 });
    assert.deepEqual(readNumericDate(1e11, true), { ok: true, seconds: 1e11 });
    assert.deepEqual(readNumericDate(1e11 + 1, true), { ok: true, seconds: 1e8 });
    assert.deepEqual(readNumericDate(1e11 + 1, false), { ok: false });
  });
});
