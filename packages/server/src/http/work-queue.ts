/**
 * The FIFO queue in front of the CPU-bound endpoints (`POST /oidc/token`,
 * `POST /oid4vp/auth-response`): their signature checks and token signing run after the event
 * loop has read every request that is waiting, in the order the requests arrived, and never
 * more than one batch per loop turn.
 *
 * Why: without it each request is verified inside the socket read that completes it, so the
 * loop's read phase grows with the load; a request whose bytes land just after that phase began
 * waits for the whole phase and is then often read late in the next one — at saturation about
 * 3 % of requests waited two full turns, which made p99 twice p50. Queued, the reads are short,
 * the CPU work of one turn is one tight batch (warmer caches: measurably more requests per
 * second per core) and requests start in the order they were read. See docs/operations.md,
 * "Latency and the work queue".
 *
 * Bounded: when `maxDepth` requests already wait, a new one is refused at once with
 * `503 temporarily_unavailable` (ERR_SERVER_BUSY, `Retry-After`) before anything is parsed or
 * stored — under overload the verifier sheds load instead of growing memory and latency without
 * end. The routes also refuse at headers time, before the body is read (http/admission.ts).
 * A request that has waited `maxWaitMs` is refused the same way when its turn comes instead of
 * being served late, so an accepted request never waited longer than that.
 *
 * A batch starts at most `maxBatch` requests, then the loop reads again, so a request that
 * arrives during a batch waits for the requests ahead of it plus at most one batch, and health
 * checks and metrics are answered between batches even when the queue is long. The default, 8
 * (≈ 3 ms of token work), was the best trade measured with `npm run bench` (one core, 32
 * connections): batches of 4 / 8 / 16 / 32 gave ≈ 2,420 / 2,680 / 2,750 / 2,740 req/s and p99
 * 19–20 / 18–21 / 21–25 / 17–23 ms, against 2,100 req/s and p99 29 ms without the queue.
 */
import { VerifierError } from '@dome-verifier/core';

export interface WorkQueueOptions {
  /** Requests allowed to wait; the next one is refused with ERR_SERVER_BUSY. */
  readonly maxDepth: number;
  /** Requests started per event-loop turn (default 8). */
  readonly maxBatch?: number;
  /** A request that waited longer is refused with ERR_SERVER_BUSY when its turn comes (default: no limit). */
  readonly maxWaitMs?: number;
  /** Runs a batch after pending I/O (default `setImmediate`); tests pass a manual scheduler. */
  readonly schedule?: (drain: () => void) => void;
  /** Monotonic milliseconds (default `performance.now`). */
  readonly now?: () => number;
}

export interface WorkQueue {
  /**
   * Resolves when it is this request's turn; rejects with ERR_SERVER_BUSY when the queue is full,
   * or when its turn comes more than `maxWaitMs` after `arrivedAt` (default: now, in `now()`'s time).
   */
  turn(arrivedAt?: number): Promise<void>;
  /** The configured bound on waiting requests. */
  readonly maxDepth: number;
  /** `now()` of the queue's clock (monotonic ms), for `turn(arrivedAt)`. */
  now(): number;
  /** Requests waiting now (read by the metrics at scrape time). */
  readonly depth: number;
  /** Requests refused because the queue was full, since start (including refusals at headers time, see `countRefused`). */
  readonly refused: number;
  /** Requests refused because they waited longer than `maxWaitMs`, since start. */
  readonly expired: number;
  /** Counts a request refused by the caller at headers time (http/admission.ts). */
  countRefused(): void;
}

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  const maxBatch = options.maxBatch ?? 8;
  const schedule = options.schedule ?? setImmediate;
  if (!Number.isInteger(options.maxDepth) || options.maxDepth < 1) throw new RangeError('maxDepth must be a positive integer');
  if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError('maxBatch must be a positive integer');
  const maxWaitMs = options.maxWaitMs ?? Infinity;
  const now = options.now ?? (() => performance.now());
  const busy = () => new VerifierError('ERR_SERVER_BUSY', 'the verifier is overloaded; retry later');
  interface Waiter {
    readonly start: () => void;
    readonly refuse: (e: VerifierError) => void;
    readonly at: number;
  }
  const waiting: Waiter[] = [];
  let scheduled = false;
  let refused = 0;
  let expired = 0;

  const drain = (): void => {
    const t = now();
    let started = 0;
    // Resolved in arrival order: their continuations run in this order once drain returns.
    while (started < maxBatch && waiting.length > 0) {
      const w = waiting.shift()!;
      if (t - w.at > maxWaitMs) {
        expired++;
        w.refuse(busy());
      } else {
        started++;
        w.start();
      }
    }
    if (waiting.length > 0) schedule(drain);
    else scheduled = false;
  };

  return {
    maxDepth: options.maxDepth,
    now,
    turn(arrivedAt) {
      if (waiting.length >= options.maxDepth) {
        refused++;
        return Promise.reject(busy());
      }
      return new Promise<void>((resolve, reject) => {
        waiting.push({ start: resolve, refuse: reject, at: arrivedAt ?? now() });
        if (!scheduled) {
          scheduled = true;
          schedule(drain);
        }
      });
    },
    get depth() {
      return waiting.length;
    },
    get refused() {
      return refused;
    },
    get expired() {
      return expired;
    },
    countRefused() {
      refused++;
    },
  };
}
