import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VerifierError } from '@dome-verifier/core';
import { createWorkQueue } from './work-queue.ts';

/** A scheduler the test runs by hand: each call to `run()` is one event-loop turn. */
function manualScheduler() {
  const pending: Array<() => void> = [];
  return {
    schedule: (fn: () => void) => void pending.push(fn),
    get pending() {
      return pending.length;
    },
    async run() {
      const fns = pending.splice(0);
      for (const fn of fns) fn();
      await new Promise((r) => setImmediate(r)); // let the started continuations run
    },
  };
}

test('requests start in the order they arrived, at most maxBatch per turn', async () => {
  const s = manualScheduler();
  const q = createWorkQueue({ maxDepth: 100, maxBatch: 3, schedule: s.schedule });
  const started: number[] = [];
  const all = Array.from({ length: 7 }, (_, i) => q.turn().then(() => void started.push(i)));
  assert.equal(q.depth, 7);
  assert.equal(s.pending, 1, 'one drain is scheduled, not one per request');
  await s.run();
  assert.deepEqual(started, [0, 1, 2]);
  assert.equal(q.depth, 4);
  await s.run();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  await s.run();
  assert.deepEqual(started, [0, 1, 2, 3, 4, 5, 6]);
  assert.equal(q.depth, 0);
  assert.equal(s.pending, 0, 'an empty queue schedules nothing');
  await Promise.all(all);
});

test('a request arriving while a batch waits joins the end of the queue', async () => {
  const s = manualScheduler();
  const q = createWorkQueue({ maxDepth: 100, maxBatch: 2, schedule: s.schedule });
  const started: string[] = [];
  const track = (name: string) => q.turn().then(() => void started.push(name));
  const a = [track('a'), track('b'), track('c')];
  await s.run();
  a.push(track('d'));
  await s.run();
  await s.run();
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  await Promise.all(a);
});

test('when maxDepth requests wait, the next is refused at once with ERR_SERVER_BUSY (503 temporarily_unavailable) and counted', async () => {
  const s = manualScheduler();
  const q = createWorkQueue({ maxDepth: 2, schedule: s.schedule });
  const waiting = [q.turn(), q.turn()];
  await assert.rejects(q.turn(), (e: unknown) => e instanceof VerifierError && e.code === 'ERR_SERVER_BUSY' && e.error === 'temporarily_unavailable' && e.status === 503);
  assert.equal(q.depth, 2, 'the refused request did not take a place');
  assert.equal(q.refused, 1);
  await s.run();
  await Promise.all(waiting);
  const again = q.turn();
  assert.equal(q.depth, 1, 'room again once the queue drained');
  await s.run();
  await again;
});

test('by default the work runs on a later event-loop turn (setImmediate), not in the caller or its microtasks', async () => {
  const q = createWorkQueue({ maxDepth: 10 });
  const order: string[] = [];
  setImmediate(() => order.push('earlier immediate'));
  const p = q.turn().then(() => void order.push('work'));
  queueMicrotask(() => order.push('microtask'));
  await p;
  assert.deepEqual(order, ['microtask', 'earlier immediate', 'work']);
});

test('bad sizes are rejected at construction', () => {
  assert.throws(() => createWorkQueue({ maxDepth: 0 }), RangeError);
  assert.throws(() => createWorkQueue({ maxDepth: 1, maxBatch: 0 }), RangeError);
  assert.throws(() => createWorkQueue({ maxDepth: 1.5 }), RangeError);
});

test('a request that waited longer than maxWaitMs is refused with ERR_SERVER_BUSY instead of started late, without using a place in the batch', async () => {
  const s = manualScheduler();
  let now = 0;
  const q = createWorkQueue({ maxDepth: 100, maxBatch: 2, maxWaitMs: 500, schedule: s.schedule, now: () => now });
  const outcome: string[] = [];
  const track = (name: string) => q.turn().then(() => void outcome.push(`${name} started`), (e: unknown) => void outcome.push(`${name} ${(e as VerifierError).code}`));
  const all = [track('a'), track('b')];
  now = 501;
  all.push(track('c'), track('d'));
  await s.run();
  assert.deepEqual(outcome, ['a ERR_SERVER_BUSY', 'b ERR_SERVER_BUSY', 'c started', 'd started']);
  assert.equal(q.expired, 2);
  assert.equal(q.depth, 0);
  await Promise.all(all);
});
