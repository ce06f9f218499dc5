/**
 * The behaviour every `Store` implementation must have, as a reusable node:test suite: the
 * in-memory store runs it in memory-store.test.ts, the Redis store in store-redis. It uses real
 * time with short TTLs (50–300 ms), so it works for stores that cannot take an injected clock.
 *
 * Not a *.test.ts file: importing it registers nothing until `runStoreContract` is called.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../ports/store.ts';

/** What the contract needs from a store under test; `ping`, when present, must say true. */
export type ContractStore = Store & { ping?(): Promise<boolean> };

export interface StoreContractOptions {
  /** Skip the whole suite with this reason (e.g. no Redis configured). */
  skip?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Registers the contract tests under `describe(name)`. `makeStore` must return a fresh, empty
 * store (or an isolated view, e.g. a unique key prefix) for every test; the test closes it.
 */
export function runStoreContract(name: string, makeStore: () => Promise<ContractStore>, options: StoreContractOptions = {}): void {
  describe(`Store contract: ${name}`, options.skip ? { skip: options.skip } : {}, () => {
    const withStore = (title: string, body: (store: ContractStore) => Promise<void>) =>
      test(title, async () => {
        const store = await makeStore();
        try {
          await body(store);
        } finally {
          await store.close();
        }
      });

    withStore('get of a missing key is undefined (not null); take and delete of a missing key are harmless', async (store) => {
      assert.equal(await store.get('missing'), undefined);
      assert.equal(await store.take('missing'), undefined);
      await store.delete('missing');
      assert.equal(await store.get('missing'), undefined);
    });

    withStore('setIfAbsent stores once and keeps the first value', async (store) => {
      assert.equal(await store.setIfAbsent('k', 'first', 10_000), true);
      assert.equal(await store.setIfAbsent('k', 'second', 10_000), false);
      assert.equal(await store.get('k'), 'first');
      assert.equal(await store.setIfAbsent('other', 'x', 10_000), true, 'keys are independent');
    });

    withStore('50 concurrent setIfAbsent calls on one key: exactly one wins, and its value is stored', async (store) => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => store.setIfAbsent('race', `v${i}`, 10_000)));
      const winners = results.flatMap((ok, i) => (ok ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal(await store.get('race'), `v${winners[0]}`);
    });

    withStore('an entry expires after its TTL; setIfAbsent succeeds again afterwards', async (store) => {
      assert.equal(await store.setIfAbsent('short', 'a', 100), true);
      await store.set('short-set', 'b', 100);
      await store.set('long', 'c', 10_000);
      assert.equal(await store.get('short'), 'a');
      assert.equal(await store.get('short-set'), 'b');
      await sleep(250);
      assert.equal(await store.get('short'), undefined);
      assert.equal(await store.get('short-set'), undefined);
      assert.equal(await store.take('short-set'), undefined);
      assert.equal(await store.get('long'), 'c', 'a longer TTL is unaffected');
      assert.equal(await store.setIfAbsent('short', 'again', 10_000), true, 'an expired entry no longer blocks');
      assert.equal(await store.get('short'), 'again');
    });

    withStore('fractional and tiny TTLs are accepted (rounded up, never an error)', async (store) => {
      await store.set('frac', 'x', 5_000.4);
      assert.equal(await store.get('frac'), 'x');
      assert.equal(await store.setIfAbsent('tiny', 'y', 0.3), true);
      await sleep(50);
      assert.equal(await store.get('tiny'), undefined, 'a sub-millisecond TTL expires at once');
    });

    withStore('set overwrites the value and the TTL', async (store) => {
      await store.set('k', 'one', 10_000);
      await store.set('k', 'two', 10_000);
      assert.equal(await store.get('k'), 'two');
      await store.set('k', 'three', 100);
      await store.set('grow', 'g', 100);
      await store.set('grow', 'g2', 10_000);
      await sleep(250);
      assert.equal(await store.get('k'), undefined, 'the shorter TTL of the last set applies');
      assert.equal(await store.get('grow'), 'g2', 'the longer TTL of the last set applies');
      assert.equal(await store.setIfAbsent('grow', 'x', 10_000), false);
    });

    withStore('take returns the value once and deletes it', async (store) => {
      await store.set('code', 'v', 10_000);
      assert.equal(await store.take('code'), 'v');
      assert.equal(await store.take('code'), undefined);
      assert.equal(await store.get('code'), undefined);
      assert.equal(await store.setIfAbsent('code', 'w', 10_000), true, 'a taken key is free again');
    });

    withStore('concurrent takes of one key: exactly one gets the value', async (store) => {
      await store.set('once', 'secret', 10_000);
      const got = await Promise.all(Array.from({ length: 50 }, () => store.take('once')));
      assert.deepEqual(got.filter((v) => v !== undefined), ['secret']);
    });

    withStore('delete removes an entry; setIfAbsent then succeeds', async (store) => {
      await store.setIfAbsent('d', '1', 10_000);
      await store.delete('d');
      assert.equal(await store.get('d'), undefined);
      assert.equal(await store.setIfAbsent('d', '2', 10_000), true);
      assert.equal(await store.get('d'), '2');
    });

    withStore('values round-trip exactly: empty, unicode, JSON and 64 KiB', async (store) => {
      const unicode = 'Ñandú · ünïcödé · 日本語 · 😀🔐 · \u0000\t\n"\'\\';
      const big = 'x'.repeat(64 * 1024 - 3) + 'é€';
      const json = JSON.stringify({ a: [1, 2, { b: 'ç' }], s: unicode });
      for (const [key, value] of [['empty', ''], ['unicode', unicode], ['big', big], ['json', json], ['clé-ünïcode/😀', 'k']] as const) {
        assert.equal(await store.setIfAbsent(key, value, 10_000), true, key);
        assert.equal(await store.get(key), value, key);
      }
      assert.equal(big.length, 64 * 1024 - 1);
      await store.set('big-take', big, 10_000);
      assert.equal(await store.take('big-take'), big);
      assert.equal(await store.take('empty'), '', 'an empty value is a value, not a miss');
      assert.equal(await store.get('empty'), undefined);
    });

    withStore('ping, when the store has one, reports healthy', async (store) => {
      if (store.ping) assert.equal(await store.ping(), true);
    });
  });
}
