/**
 * Overload: token and wallet-response requests wait in one bounded FIFO work queue
 * (`server.maxQueuedRequests`). A request that finds it full is refused at once with
 * 503 temporarily_unavailable and Retry-After — before anything is parsed, verified or stored —
 * and the requests already waiting complete normally. The queue here has a manual scheduler so
 * that "full" is a state the test controls, not a race.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorkQueue, type WorkQueue } from '@dome-verifier/server';
import { createWorld, type World } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';

describe('overload: the bounded work queue', () => {
  let w: World;
  let queue: WorkQueue;
  const drains: Array<() => void> = [];
  const runQueue = () => drains.splice(0).forEach((drain) => drain());

  /** Resolves once `n` requests wait in the queue (the app has read and queued them). */
  async function queued(n: number): Promise<void> {
    for (let i = 0; i < 1000 && queue.depth < n; i++) await new Promise((r) => setImmediate(r));
    assert.equal(queue.depth, n);
  }

  before(async () => {
    queue = createWorkQueue({ maxDepth: 1, schedule: (drain) => void drains.push(drain) });
    w = await createWorld({ workQueue: queue });
  });
  after(() => w.close());

  test('a token request that finds the queue full gets 503 temporarily_unavailable with Retry-After, nothing stored; the waiting one is served', async () => {
    const first = w.post((await w.tokenRequest()).body);
    await queued(1);
    const res = await expectRejected(w, w.post((await w.tokenRequest()).body), 503, 'temporarily_unavailable', /overloaded; retry later/);
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(queue.refused, 1);

    runQueue();
    const ok = await first;
    assert.equal(ok.status, 200, JSON.stringify(ok.json));
    assert.equal(typeof ok.json.access_token, 'string');
  });

  test('the refused request succeeds when retried once the queue has room (its jti was never consumed)', async () => {
    const body = (await w.tokenRequest()).body;
    const blocker = w.post((await w.tokenRequest()).body);
    await queued(1);
    assert.equal((await w.post(body)).status, 503);
    runQueue();
    assert.equal((await blocker).status, 200);

    const retry = w.post(body);
    await queued(1);
    runQueue();
    const res = await retry;
    assert.equal(res.status, 200, JSON.stringify(res.json));
  });

  test('a wallet response that finds the queue full gets 503 temporarily_unavailable too', async () => {
    const blocker = w.post((await w.tokenRequest()).body);
    await queued(1);
    const res = await w.app.inject({ method: 'POST', url: '/oid4vp/auth-response', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'state=abc&vp_token=x' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error, 'temporarily_unavailable');
    assert.equal(res.headers['access-control-allow-origin'], '*', 'the wallet (a browser origin) can read the refusal');
    runQueue();
    assert.equal((await blocker).status, 200);
  });

  test('the queue depth and refusals are exported as metrics', async () => {
    const blocker = w.post((await w.tokenRequest()).body);
    await queued(1);
    const text = (await w.app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(text, /^verifier_work_queue_depth 1$/m);
    assert.match(text, /^verifier_work_queue_refused_total 3$/m);
    runQueue();
    await blocker;
    assert.match((await w.app.inject({ method: 'GET', url: '/metrics' })).body, /^verifier_work_queue_depth 0$/m);
  });
});
