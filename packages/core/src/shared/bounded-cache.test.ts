import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BoundedCache } from './bounded-cache.ts';

const T0 = 1_000_000;

describe('BoundedCache', () => {
  test('returns what was stored and undefined for unknown keys', () => {
    const c = new BoundedCache<string, number>(10);
    c.set('a', 1, 1000, T0);
    assert.equal(c.get('a', T0), 1);
    assert.equal(c.get('b', T0), undefined);
    assert.equal(c.size, 1);
  });

  test('an entry expires exactly ttl ms after it was set and is dropped when read', () => {
    const c = new BoundedCache<string, number>(10);
    c.set('a', 1, 1000, T0);
    assert.equal(c.get('a', T0 + 999), 1);
    assert.equal(c.size, 1);
    assert.equal(c.get('a', T0 + 1000), undefined);
    assert.equal(c.size, 0);
  });

  test('without a TTL an entry never expires', () => {
    const c = new BoundedCache<string, string>(10);
    c.set('a', 'x');
    assert.equal(c.get('a', Number.MAX_SAFE_INTEGER), 'x');
  });

  test('evicts the oldest inserted entry when full (insertion order, not recency of reads)', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1, 1000, T0);
    c.set('b', 2, 1000, T0);
    assert.equal(c.get('a', T0), 1); // a read does not make 'a' younger
    c.set('c', 3, 1000, T0);
    assert.equal(c.size, 2);
    assert.equal(c.get('a', T0), undefined);
    assert.equal(c.get('b', T0), 2);
    assert.equal(c.get('c', T0), 3);
  });

  test('setting an existing key replaces it, renews its expiry and makes it the youngest without evicting another entry', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('a', 1, 1000, T0);
    c.set('b', 2, 1000, T0);
    c.set('a', 10, 1000, T0 + 500);
    assert.equal(c.size, 2);
    assert.equal(c.get('b', T0), 2);
    c.set('c', 3, 1000, T0 + 500); // evicts 'b', now the oldest
    assert.equal(c.get('b', T0 + 500), undefined);
    assert.equal(c.get('a', T0 + 1400), 10);
  });

  test('expired entries still occupy room until read or evicted', () => {
    const c = new BoundedCache<string, number>(2);
    c.set('old', 1, 10, T0);
    c.set('b', 2, 1000, T0);
    assert.equal(c.size, 2);
    c.set('c', 3, 1000, T0 + 100);
    assert.equal(c.size, 2);
    assert.equal(c.get('b', T0 + 100), 2);
  });

  test('stores falsy values and distinguishes them from a miss', () => {
    const c = new BoundedCache<string, number | null>(10);
    c.set('zero', 0, 1000, T0);
    c.set('null', null, 1000, T0);
    assert.equal(c.get('zero', T0), 0);
    assert.equal(c.get('null', T0), null);
  });

  test('delete and clear remove entries', () => {
    const c = new BoundedCache<string, number>(10);
    c.set('a', 1);
    c.set('b', 2);
    c.delete('a');
    assert.equal(c.get('a'), undefined);
    assert.equal(c.size, 1);
    c.clear();
    assert.equal(c.size, 0);
    assert.equal(c.get('b'), undefined);
  });

  test('never holds more than maxEntries under many distinct keys', () => {
    const c = new BoundedCache<number, number>(100);
    for (let i = 0; i < 10_000; i++) c.set(i, i, 1000, T0);
    assert.equal(c.size, 100);
    assert.equal(c.get(9_999, T0), 9_999);
    assert.equal(c.get(9_899, T0), undefined);
  });
});
