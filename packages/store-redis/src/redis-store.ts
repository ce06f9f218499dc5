/**
 * Redis implementation of the `Store` port, so that several replicas behind a load balancer
 * share the replay set, login sessions, request objects, codes and refresh tokens. Every
 * method is one atomic Redis command (`SET NX PX`, `GETDEL`), so two replicas can never both
 * accept the same assertion `jti` or redeem the same code.
 *
 * Failure policy: fail closed, fast. The offline queue is off and every command has a timeout,
 * so while Redis is unreachable each store call rejects within `commandTimeoutMs` with
 * `ERR_STORE_UNAVAILABLE` (503 `temporarily_unavailable`) — a request is refused rather than
 * accepted without its replay check. The client keeps reconnecting in the background. A Redis
 * out of memory (`maxmemory` with `noeviction`) refuses writes with "OOM command not allowed":
 * that becomes `ERR_STORE_FULL` (503 as well; `/health` reports the store DOWN, reason `full`).
 */
import { Redis } from 'ioredis';
import { STORE_FULL_MESSAGE, VerifierError, type Store } from '@dome-verifier/core';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host[:port][/db]` or `rediss://…` (TLS). May carry a password: never logged. */
  url: string;
  /** Prepended to every key (`dome-verifier:`); replicas of one verifier must share it. */
  keyPrefix: string;
  /** How long start-up waits for the first connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** How long one command may take before the request fails with 503 (default 1000 ms). */
  commandTimeoutMs?: number;
  /** Told when the connection is lost and when it is back (one line each, not per retry). */
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface RedisStore extends Store {
  /** True when Redis answers PING within the command timeout (used by `/health`). */
  ping(): Promise<boolean>;
}

/** Public description of a store failure; the cause (logged server-side) says what happened. */
export const STORE_UNAVAILABLE_MESSAGE = 'the session store is unavailable; try again later';

/** GET and DEL in one atomic step, for servers older than Redis 6.2 (no GETDEL). */
const TAKE_SCRIPT = "local v = redis.call('GET', KEYS[1]) if v then redis.call('DEL', KEYS[1]) end return v";

/** The URL without its password, for error messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Redis PX takes a positive integer: round up, at least 1 ms. */
function px(ttlMs: number): number {
  if (!Number.isFinite(ttlMs)) throw new TypeError('store TTL must be a finite number of milliseconds');
  return Math.max(1, Math.ceil(ttlMs));
}

const isUnknownCommand = (e: unknown) => e instanceof Error && e.name === 'ReplyError' && /unknown command/i.test(e.message);
/** Redis at `maxmemory` with `noeviction` refuses writes: "OOM command not allowed when used memory > 'maxmemory'". */
const isOutOfMemory = (e: unknown) => e instanceof Error && e.name === 'ReplyError' && /^OOM\b/.test(e.message);

/**
 * Connects to Redis and returns the store; rejects (naming the server, never the password) when
 * Redis cannot be reached within `connectTimeoutMs`, so a misconfigured replica does not start.
 */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const prefix = options.keyPrefix;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  const commandTimeoutMs = options.commandTimeoutMs ?? 1000;
  const log = options.logger;
  const where = redactRedisUrl(options.url);

  const redis = new Redis(options.url, {
    lazyConnect: true,
    // Commands fail at once while disconnected instead of queueing until Redis is back.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    connectionName: 'dome-verifier',
  });

  let lastError: Error | undefined;
  let down = false;
  let started = false;
  let closing = false;
  let closed: Promise<void> | undefined;
  redis.on('error', (e: Error) => {
    lastError = e;
    if (started && !down) {
      down = true;
      log?.warn({ err: { name: e.name, message: e.message }, store: 'redis' }, 'Redis store unavailable: requests that need it are answered 503 until it is back');
    }
  });
  redis.on('close', () => {
    if (started && !down && !closing) {
      down = true;
      log?.warn({ store: 'redis' }, 'Redis store connection lost: requests that need it are answered 503 until it is back');
    }
  });
  redis.on('ready', () => {
    if (down) log?.info({ store: 'redis' }, 'Redis store connection restored');
    down = false;
  });

  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      redis.connect(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${connectTimeoutMs} ms`)), connectTimeoutMs);
      }),
    ]);
  } catch (e) {
    redis.disconnect();
    const reason = lastError?.message ?? (e instanceof Error ? e.message : String(e));
    throw new Error(`cannot connect to the Redis store at ${where}: ${reason}`, { cause: e });
  } finally {
    clearTimeout(timer);
  }
  started = true;

  const unavailable = (e: unknown) =>
    e instanceof VerifierError
      ? e
      : isOutOfMemory(e)
        ? new VerifierError('ERR_STORE_FULL', STORE_FULL_MESSAGE, { cause: e })
        : new VerifierError('ERR_STORE_UNAVAILABLE', STORE_UNAVAILABLE_MESSAGE, { cause: e });
  async function run<T>(command: () => Promise<T>): Promise<T> {
    if (closing) throw unavailable(new Error('the Redis store is closed'));
    try {
      return await command();
    } catch (e) {
      throw unavailable(e);
    }
  }

  let useScript = false;
  async function take(key: string): Promise<string | null> {
    if (!useScript) {
      try {
        return await redis.getdel(key);
      } catch (e) {
        if (!isUnknownCommand(e)) throw e;
        useScript = true; // Redis < 6.2
      }
    }
    return (await redis.eval(TAKE_SCRIPT, 1, key)) as string | null;
  }

  const k = (key: string) => prefix + key;

  return {
    async setIfAbsent(key, value, ttlMs) {
      const ms = px(ttlMs);
      return run(async () => (await redis.set(k(key), value, 'PX', ms, 'NX')) === 'OK');
    },
    async set(key, value, ttlMs) {
      const ms = px(ttlMs);
      await run(() => redis.set(k(key), value, 'PX', ms));
    },
    async get(key) {
      return (await run(() => redis.get(k(key)))) ?? undefined;
    },
    async take(key) {
      return (await run(() => take(k(key)))) ?? undefined;
    },
    async delete(key) {
      await run(() => redis.del(k(key)));
    },
    async ping() {
      if (closing) return false;
      try {
        return (await redis.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    close() {
      closing = true;
      closed ??= (async () => {
        let timer: NodeJS.Timeout | undefined;
        try {
          // QUIT lets pending replies arrive; when Redis is down it fails or hangs: then just drop the socket.
          await Promise.race([redis.quit(), new Promise((_, reject) => (timer = setTimeout(reject, commandTimeoutMs)))]);
        } catch {
          redis.disconnect();
        } finally {
          clearTimeout(timer);
        }
      })();
      return closed;
    },
  };
}
