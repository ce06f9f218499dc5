import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../ports/clock.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { addressKey, createLoginAdmission } from './login-admission.ts';

const refusedWith = (code: string, retryAfterSeconds?: number) => (e: unknown) =>
  e instanceof VerifierError && e.code === code && (retryAfterSeconds === undefined || e.retryAfterSeconds === retryAfterSeconds);

test('a released slot (the login could not be stored) is free again at once', () => {
  const clock = fixedClock(0);
  const admission = createLoginAdmission({ maxPending: 2, maxPendingPerClient: 2, maxPendingPerIp: 2 }, clock, 120_000);
  const a = admission.admit('c', '192.0.2.1');
  admission.admit('c', '192.0.2.1');
  assert.throws(() => admission.admit('c', '192.0.2.1'), refusedWith('ERR_LOGIN_RATE_LIMITED', 120));
  a.release();
  a.release(); // idempotent
  assert.equal(admission.pending(), 1);
  admission.admit('c', '192.0.2.1');
  assert.equal(admission.pending(), 2);
});

test('IPv6 addresses of one /64 share the per-address cap; IPv4-mapped addresses count as IPv4', () => {
  assert.equal(addressKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2::ffff'), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002:0:0:0:1'), '2001:db8:1:2::/64');
  assert.equal(addressKey('::1'), '0:0:0:0::/64');
  assert.equal(addressKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(addressKey('192.0.2.7'), '192.0.2.7');
  const admission = createLoginAdmission({ maxPending: 100, maxPendingPerClient: 100, maxPendingPerIp: 2 }, fixedClock(0), 120_000);
  admission.admit('c', '2001:db8:1:2::1');
  admission.admit('c', '2001:db8:1:2::2');
  assert.throws(() => admission.admit('c', '2001:db8:1:2:ffff:ffff:ffff:ffff'), refusedWith('ERR_LOGIN_RATE_LIMITED'));
  admission.admit('c', '2001:db8:1:3::1');
});

test('memory stays bounded: a long run of admissions and expiries keeps only the live slots', () => {
  const clock = fixedClock(0);
  const admission = createLoginAdmission({ maxPending: 50, maxPendingPerClient: 50, maxPendingPerIp: 50 }, clock, 1_000);
  for (let i = 0; i < 100_000; i++) {
    try {
      admission.admit(`c${i % 7}`, `198.51.100.${i % 200}`);
    } catch (e) {
      assert.ok(refusedWith('ERR_LOGIN_CAPACITY')(e));
    }
    clock.advance(10);
  }
  assert.ok(admission.pending() <= 50);
  clock.advance(1_000);
  assert.equal(admission.pending(), 0);
});
