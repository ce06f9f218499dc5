import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieValues } from './cookies.ts';

test('finds a cookie among several, trimming spaces and quotes', () => {
  assert.deepEqual(cookieValues('a=1; dv_login_x=abc.def;b=2', 'dv_login_x'), ['abc.def']);
  assert.deepEqual(cookieValues('dv_login_x="abc.def"', 'dv_login_x'), ['abc.def']);
  assert.deepEqual(cookieValues(' dv_login_x = v ', 'dv_login_x'), ['v']);
});

test('returns every value of a repeated name, in order, bounded', () => {
  assert.deepEqual(cookieValues('n=1; n=2; m=3; n=3', 'n'), ['1', '2', '3']);
  assert.deepEqual(cookieValues('n=1; n=2; n=3', 'n', 2), ['1', '2']);
  assert.deepEqual(cookieValues(['n=1', 'n=2'], 'n'), ['1', '2']);
});

test('ignores other names, prefixes, empty and oversized values', () => {
  assert.deepEqual(cookieValues(undefined, 'n'), []);
  assert.deepEqual(cookieValues('', 'n'), []);
  assert.deepEqual(cookieValues('xn=1; nn=2; n; n=', 'n'), []);
  assert.deepEqual(cookieValues(`n=${'a'.repeat(300)}`, 'n'), []);
});
