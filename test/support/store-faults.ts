/**
 * Store wrappers for grant tests (race and failure injection around a real store):
 * - `observedStore` calls `after(call)` once each store operation has completed, tagged with the
 *   request that made it (`tagged(tag, fn)` runs `fn` in an AsyncLocalStorage context), so a test
 *   can pause one request at an exact point and run another one to completion meanwhile.
 * - `failingWrites` refuses the N-th write (set / setIfAbsent / take) with ERR_STORE_UNAVAILABLE,
 *   as the Redis store does when Redis times out, and lets every other call through.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { VerifierError, type Store } from '@dome-verifier/core';

export type StoreOp = 'setIfAbsent' | 'set' | 'get' | 'take' | 'delete';
export interface StoreCall {
  readonly op: StoreOp;
  readonly key: string;
  /** The tag of the request that made the call (see `tagged`), if any. */
  readonly tag: string | undefined;
  readonly result: unknown;
}

const requestTag = new AsyncLocalStorage<string>();

/** Runs `fn` with every store call it makes tagged `tag`. */
export function tagged<T>(tag: string, fn: () => Promise<T>): Promise<T> {
  return requestTag.run(tag, fn);
}

export interface ObservedStore extends Store {
  /** Called after each operation, before its result is returned to the caller; awaited. */
  after: ((call: StoreCall) => Promise<void> | void) | undefined;
  /** Every completed call, in order. */
  readonly calls: StoreCall[];
}

export function observedStore(inner: Store): ObservedStore {
  const calls: StoreCall[] = [];
  const wrapped: ObservedStore = {
    after: undefined,
    calls,
    setIfAbsent: (key, value, ttl) => run('setIfAbsent', key, () => inner.setIfAbsent(key, value, ttl)),
    set: (key, value, ttl) => run('set', key, () => inner.set(key, value, ttl)),
    get: (key) => run('get', key, () => inner.get(key)),
    take: (key) => run('take', key, () => inner.take(key)),
    delete: (key) => run('delete', key, () => inner.delete(key)),
    close: () => inner.close(),
  };
  async function run<T>(op: StoreOp, key: string, f: () => Promise<T>): Promise<T> {
    const result = await f();
    const call: StoreCall = { op, key, tag: requestTag.getStore(), result };
    calls.push(call);
    await wrapped.after?.(call);
    return result;
  }
  return wrapped;
}

export interface FailingStore extends Store {
  /** Refuse the `n`-th write from now (1 = the next one); 0 turns refusal off. */
  failWrite(n: number): void;
  /** Writes seen since the last `failWrite` (or creation). */
  readonly writes: number;
  /** Keys of the writes seen since the last `failWrite`, in order (the refused one included). */
  readonly writeKeys: string[];
}

export function failingWrites(inner: Store): FailingStore {
  let target = 0;
  let writes = 0;
  let keys: string[] = [];
  const write = async <T>(key: string, f: () => Promise<T>): Promise<T> => {
    writes++;
    keys.push(key);
    if (writes === target) throw new VerifierError('ERR_STORE_UNAVAILABLE', 'the session store is unavailable; try again later', { cause: new Error('injected write failure') });
    return f();
  };
  return {
    failWrite(n) {
      target = n;
      writes = 0;
      keys = [];
    },
    get writes() {
      return writes;
    },
    get writeKeys() {
      return keys;
    },
    setIfAbsent: (key, value, ttl) => write(key, () => inner.setIfAbsent(key, value, ttl)),
    set: (key, value, ttl) => write(key, () => inner.set(key, value, ttl)),
    take: (key) => write(key, () => inner.take(key)),
    get: (key) => inner.get(key),
    delete: (key) => inner.delete(key),
    close: () => inner.close(),
  };
}
