/**
 * Two redemptions of one authorization code (or one refresh token) at the same time: whatever
 * the interleaving of their store operations, exactly one gets tokens, the other is refused as
 * reuse, and the reuse revokes what the winner got (OAuth 2.1 §4.1.3, RFC 9700 §4.14.2).
 *
 * The interleaving tests pause the first request after each of its store operations in turn and
 * run the second one to completion meanwhile, so every "one request overtakes the other at this
 * point" order is forced deterministically; the repeated test lets the real scheduler race them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createMemoryStore } from '@dome-verifier/core';
import { createRpWorld, oneWinnerOneReuse, refreshRefused, type RpWorld, type Res } from '../../support/h2m-session.ts';
import { observedStore, tagged, type ObservedStore } from '../../support/store-faults.ts';

describe('concurrent redemption of one code or refresh token', () => {
  let s: RpWorld;
  let store: ObservedStore;
  before(async () => {
    store = observedStore(createMemoryStore({ sweepIntervalMs: 3_600_000 }));
    // More than 100 logins from one address within one frozen instant: lift the per-address cap.
    s = await createRpWorld({ store, env: { VERIFIER_BACKEND_LOGIN_MAXPENDINGPERIP: '10000' } });
  });
  after(async () => {
    await s.w.close();
    await store.close();
  });

  /** Store operations request `first` makes on its own (so the sweep knows how many pause points there are). */
  async function soloOps(send: () => Promise<Res>): Promise<number> {
    const from = store.calls.length;
    const res = await tagged('solo', send);
    assert.equal(res.status, 200, JSON.stringify(res.json));
    return store.calls.slice(from).filter((c) => c.tag === 'solo').length;
  }

  /** Runs `first`, pausing it after its `k`-th store operation until `second` has completed. */
  async function interleave(k: number, first: () => Promise<Res>, second: () => Promise<Res>): Promise<Res[]> {
    let seen = 0;
    let secondResult: Promise<Res> | undefined;
    store.after = async (call) => {
      if (call.tag !== 'first' || ++seen !== k) return;
      secondResult = tagged('second', second);
      await secondResult;
    };
    try {
      const a = await tagged('first', first);
      const b = await (secondResult ?? tagged('second', second));
      return [a, b];
    } finally {
      store.after = undefined;
    }
  }

  test('code: for every point at which the second redemption overtakes the first, one wins and the reuse revokes the winner', async () => {
    const ops = await soloOps(async () => s.w.post(s.codeForm(await s.loginCode())));
    assert.ok(ops >= 4, `a code exchange makes several store operations (${ops})`);
    for (let k = 1; k <= ops + 1; k++) {
      const code = await s.loginCode();
      const results = await interleave(k, () => s.w.post(s.codeForm(code)), () => s.w.post(s.codeForm(code)));
      const winner = oneWinnerOneReuse(results);
      await refreshRefused(s, winner.json.refresh_token);
    }
  });

  test('refresh: for every point at which the second refresh overtakes the first, one wins and the reuse revokes the family', async () => {
    const ops = await soloOps(async () => s.w.post(s.refreshForm(String((await s.session()).refresh_token))));
    assert.ok(ops >= 4, `a refresh exchange makes several store operations (${ops})`);
    for (let k = 1; k <= ops + 1; k++) {
      const rt = String((await s.session()).refresh_token);
      const results = await interleave(k, () => s.w.post(s.refreshForm(rt)), () => s.w.post(s.refreshForm(rt)));
      const winner = oneWinnerOneReuse(results);
      await refreshRefused(s, winner.json.refresh_token);
    }
  });

  test('code: 50 rounds of two simultaneous redemptions — the winner is revoked every round', async () => {
    for (let round = 0; round < 50; round++) {
      const code = await s.loginCode();
      const winner = oneWinnerOneReuse(await Promise.all([s.w.post(s.codeForm(code)), s.w.post(s.codeForm(code))]));
      await refreshRefused(s, winner.json.refresh_token);
    }
  });

  test('refresh: 50 rounds of two simultaneous refreshes — the family is revoked every round', async () => {
    for (let round = 0; round < 50; round++) {
      const rt = String((await s.session()).refresh_token);
      const winner = oneWinnerOneReuse(await Promise.all([s.w.post(s.refreshForm(rt)), s.w.post(s.refreshForm(rt))]));
      await refreshRefused(s, winner.json.refresh_token);
    }
  });
});
