import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRateLimiter } from './rate-limit.ts';

test('a key may make burst requests at once, then one per 1/perSecond; the refusal says how many seconds to wait', () => {
  let now = 0;
  const l = createRateLimiter({ perSecond: 2, burst: 3, maxKeys: 10, now: () => now });
  assert.deepEqual([l.take('a'), l.take('a'), l.take('a')], [0, 0, 0]);
  assert.equal(l.take('a'), 1, 'the fourth is refused with Retry-After 1');
  now = 499;
  assert.equal(l.take('a'), 1);
  now = 1000;
  assert.equal(l.take('a'), 0, 'refilled at 2 per second');
  assert.equal(l.take('b'), 0, 'another key has its own bucket');
});

test('a slow rate gives a Retry-After of whole seconds until the next token', () => {
  let now = 0;
  const l = createRateLimiter({ perSecond: 0.1, burst: 1, maxKeys: 10, now: () => now });
  assert.equal(l.take('a'), 0);
  assert.equal(l.take('a'), 10);
  now = 5000;
  assert.equal(l.take('a'), 5);
});

test('memory is bounded: past maxKeys the least recently seen key is forgotten', () => {
  const now = 0;
  const l = createRateLimiter({ perSecond: 1, burst: 1, maxKeys: 2, now: () => now });
  l.take('a');
  l.take('b');
  l.take('a'); // a is now the most recently seen
  l.take('c'); // evicts b
  assert.equal(l.size, 2);
  assert.equal(l.take('a'), 1, 'a is still remembered (and empty)');
  assert.equal(l.take('b'), 0, 'b was forgotten and starts with a full bucket');
  for (let i = 0; i < 10_000; i++) l.take(`k${i}`);
  assert.equal(l.size, 2);
});
