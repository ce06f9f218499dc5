import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../ports/clock.ts';
import { createMemoryStore } from '../../stores/memory-store.ts';
import { createLoginSessions } from './login-sessions.ts';

const NEW = { state: 's', clientId: 'c', redirectUri: 'https://rp.example/cb', scope: 'openid learcredential', authRequest: 'openid4vp://?request_uri=x' };

async function setup() {
  const clock = fixedClock(1_000_000);
  const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
  const logins = createLoginSessions(store, clock, 120_000, 10_000);
  const { session } = await logins.create(NEW);
  return { clock, store, logins, id: session.id };
}

test('one answer at a time: a second claim during the lease is refused with the time left; after the lease lapses it takes over', async () => {
  const { clock, store, logins, id } = await setup();
  const a = await logins.claim(id);
  assert.equal(a.ok, true);
  clock.advance(4_000);
  assert.deepEqual(await logins.claim(id), { ok: false, retryAfterMs: 6_000 });
  clock.advance(6_000);
  const b = await logins.claim(id);
  assert.equal(b.ok, true);
  assert.ok(a.ok && b.ok && a.lease !== b.lease, 'a fresh lease token');
  assert.equal(await logins.holds(id, a.lease), false, 'the lapsed holder is fenced off');
  assert.equal(await logins.holds(id, b.lease), true);
  await logins.release(id, a.lease);
  assert.equal(await logins.holds(id, b.lease), true, "a lapsed holder cannot release the new holder's lease");
  await logins.release(id, b.lease);
  assert.equal((await logins.claim(id)).ok, true, 'released: free at once');
  await store.close();
});

test('completion is a final transition: of two overlapping holders exactly one completes, the outcome is never overwritten', async () => {
  const { store, logins, id } = await setup();
  const results = await Promise.all([logins.complete(id, 'https://rp.example/cb?code=A'), logins.complete(id, 'https://rp.example/cb?code=B')]);
  assert.deepEqual([...results].sort(), [false, true]);
  const winner = results[0] ? 'A' : 'B';
  assert.equal((await logins.get(id))?.redirectTo, `https://rp.example/cb?code=${winner}`);
  assert.equal(await logins.fail(id, 'late failure'), false);
  const s = await logins.get(id);
  assert.equal(s?.status, 'complete');
  assert.equal(s?.error, undefined);
  await store.close();
});

test('viewForBinding finds a login by its handle alone (`id.secret`, the portal mode), and nothing for a wrong secret or a bare id; a failure keeps its error code', async () => {
  const clock = fixedClock(1_000_000);
  const store = createMemoryStore({ clock, sweepIntervalMs: 3_600_000 });
  const logins = createLoginSessions(store, clock, 120_000, 10_000);
  const { session, browserSecret } = await logins.create(NEW);
  assert.equal((await logins.viewForBinding(browserSecret))?.status, 'pending');
  assert.equal(await logins.viewForBinding(`${session.id}.${'A'.repeat(43)}`), undefined);
  assert.equal(await logins.viewForBinding(session.id), undefined);
  assert.equal(await logins.viewForBinding(undefined), undefined);
  assert.equal(await logins.viewForBrowser(browserSecret, 'another-state'), undefined, 'the cookie path still checks the RP state');
  assert.equal(await logins.fail(session.id, 'the presentation nonce is wrong', 'ERR_VP_NONCE'), true);
  const view = await logins.viewForBinding(browserSecret);
  assert.deepEqual([view?.status, view?.error, view?.errorCode], ['failed', 'the presentation nonce is wrong', 'ERR_VP_NONCE']);
  await store.close();
});
