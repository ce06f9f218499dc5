/**
 * A code or refresh exchange is consumed only when it succeeds: a store write refused half way
 * (Redis timeout → 503) leaves the code / refresh token usable and nothing behind, and a refresh
 * token presented by a client it was not issued to is refused without being used up.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '@dome-verifier/core';
import { newMachine } from '../../support/world.ts';
import { expectRejected } from '../../support/expect.ts';
import { createRpWorld, rpClientEntry, type RpWorld } from '../../support/h2m-session.ts';
import { failingWrites, type FailingStore } from '../../support/store-faults.ts';

describe('a store write refused during a code or refresh exchange', () => {
  const memory = createMemoryStore({ sweepIntervalMs: 3_600_000 });
  let store: FailingStore;
  let s: RpWorld;
  before(async () => {
    store = failingWrites(memory);
    s = await createRpWorld({ store });
  });
  after(async () => {
    await s.w.close();
    await store.close();
  });

  /** How many writes a successful exchange makes (each is refused once in the sweep). */
  async function writesOf(form: URLSearchParams): Promise<number> {
    store.failWrite(0);
    const res = await s.w.post(form);
    assert.equal(res.status, 200, JSON.stringify(res.json.error));
    return store.writes;
  }

  async function refusedThenRetried(form: URLSearchParams, n: number): Promise<Record<string, unknown>> {
    const size = memory.size;
    store.failWrite(n);
    const res = await s.w.post(form);
    const refusedKey = store.writeKeys[n - 1]?.replace(/:.*/, ':…');
    assert.equal(res.status, 503, `write ${n} (${refusedKey}) refused: ${JSON.stringify(res.json.error_description)}`);
    assert.equal(res.json.error, 'temporarily_unavailable');
    assert.equal(res.headers['retry-after'], '5');
    assert.equal(res.json.access_token, undefined);
    assert.equal(memory.size, size, `write ${n} (${refusedKey}) refused: nothing is left in the store`);
    store.failWrite(0);
    const retry = await s.w.post(form); // the very same request: its assertion jti was released
    assert.equal(retry.status, 200, `write ${n} (${refusedKey}) refused: the retry must succeed, got ${JSON.stringify(retry.json.error_description)}`);
    return retry.json;
  }

  test('code exchange: whichever write is refused, the answer is 503 temporarily_unavailable and the retry redeems the code', async () => {
    const writes = await writesOf(s.codeForm(await s.loginCode()));
    assert.ok(writes >= 3, `a code exchange writes the assertion jti, the refresh token and the code's consumption (${writes})`);
    for (let n = 1; n <= writes; n++) {
      const tokens = await refusedThenRetried(s.codeForm(await s.loginCode()), n);
      const refreshed = await s.w.post(s.refreshForm(String(tokens.refresh_token)));
      assert.equal(refreshed.status, 200, 'the refresh token of the retried exchange works');
    }
  });

  test('refresh exchange: whichever write is refused, the answer is 503 temporarily_unavailable and the retry rotates the token', async () => {
    const writes = await writesOf(s.refreshForm(String((await s.session()).refresh_token)));
    assert.ok(writes >= 3, `a refresh exchange writes the assertion jti, the new refresh token and the old one's consumption (${writes})`);
    for (let n = 1; n <= writes; n++) {
      const tokens = await refusedThenRetried(s.refreshForm(String((await s.session()).refresh_token)), n);
      const again = await s.w.post(s.refreshForm(String(tokens.refresh_token)));
      assert.equal(again.status, 200, 'the rotated refresh token of the retried exchange works');
    }
  });
});

describe('a refresh token presented by another client', () => {
  const other = newMachine();
  let s: RpWorld;
  before(async () => {
    s = await createRpWorld({ clients: [rpClientEntry(other)] });
  });
  after(() => s.w.close());

  test("is refused with invalid_grant, is not used up, and the owner's next refresh still works", async () => {
    const rt = String((await s.session()).refresh_token);
    await expectRejected(s.w, s.w.post(s.refreshForm(rt, s.w, other)), 400, 'invalid_grant', /^the refresh token was issued to another client$/);
    const owner = await s.w.post(s.refreshForm(rt));
    assert.equal(owner.status, 200, JSON.stringify(owner.json.error_description));
    const next = await s.w.post(s.refreshForm(String(owner.json.refresh_token)));
    assert.equal(next.status, 200, 'the family was not revoked');
  });

  test("an already rotated token presented by another client does not revoke the owner's session", async () => {
    const rt1 = String((await s.session()).refresh_token);
    const rotated = await s.w.post(s.refreshForm(rt1));
    assert.equal(rotated.status, 200);
    await expectRejected(s.w, s.w.post(s.refreshForm(rt1, s.w, other)), 400, 'invalid_grant', /^the refresh token was issued to another client$/);
    const owner = await s.w.post(s.refreshForm(String(rotated.json.refresh_token)));
    assert.equal(owner.status, 200, "the owner's current token still works");
  });
});
