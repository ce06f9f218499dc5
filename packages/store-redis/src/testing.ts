/**
 * Test helpers for code that needs a real Redis (`@dome-verifier/store-redis/testing`):
 * - `withRedis` registers a suite against `REDIS_URL`; without it the suite is skipped with a
 *   reason, except under `CI=true`, where a missing Redis is a failure (CI must run these).
 * - `startTcpProxy` puts a loopback TCP proxy in front of Redis, so a test can take "Redis"
 *   down (refuse and cut connections), make it hang, and bring it back.
 * - `spawnRedisServer` starts a private redis-server (for server options such as renamed commands).
 */
import { describe, test } from 'node:test';
import { spawn } from 'node:child_process';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

/** Why Redis tests cannot run here, or undefined when `REDIS_URL` is set. */
export function redisUnavailableReason(): string | undefined {
  return process.env['REDIS_URL']?.trim() ? undefined : 'REDIS_URL is not set (start redis-server and export REDIS_URL=redis://127.0.0.1:6390)';
}

/**
 * `describe(name, () => body(url))` when `REDIS_URL` is set; otherwise a skipped suite, or under
 * `CI=true` a failing test.
 */
export function withRedis(name: string, body: (url: string) => void): void {
  const url = process.env['REDIS_URL']?.trim();
  if (url) return void describe(name, () => body(url));
  const reason = redisUnavailableReason()!;
  if (process.env['CI'] === 'true') {
    return void test(name, () => {
      throw new Error(`${reason}; CI=true, so the Redis tests must run (.ci/run starts redis-server)`);
    });
  }
  describe(name, { skip: reason }, () => undefined);
}

/** A key prefix no other test uses (tests share one Redis database). */
export function uniquePrefix(label = 'test'): string {
  return `dv-test:${label}:${randomBytes(6).toString('hex')}:`;
}

/** Deletes every key under `prefix` (SCAN, not KEYS). */
export async function deleteKeys(url: string, prefix: string): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export interface TcpProxy {
  /** `url` with host and port replaced by the proxy's (password and database kept). */
  readonly url: string;
  readonly port: number;
  /** Redis "down": open connections are cut and new ones refused. */
  stop(): Promise<void>;
  /** Redis "hung": connections are accepted (and open ones kept) but nothing is forwarded. */
  hang(): void;
  /** Back to normal, on the same port. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A loopback TCP proxy in front of the Redis at `url`. */
export async function startTcpProxy(url: string): Promise<TcpProxy> {
  const target = new URL(url);
  const targetPort = Number(target.port || 6379);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '');
  const sockets = new Set<Socket>();
  let hanging = false;
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const upstream = connect(targetPort, targetHost);
    sockets.add(upstream);
    upstream.on('close', () => {
      sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.on('data', (d) => {
      if (!hanging) upstream.write(d);
    });
    upstream.on('data', (d) => {
      if (!hanging) client.write(d);
    });
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  let listening = true;
  const stop = async () => {
    hanging = false;
    for (const s of sockets) s.destroy();
    if (listening) {
      listening = false;
      await new Promise<void>((r) => server.close(() => r()));
    }
  };
  return {
    url: proxied.toString(),
    port,
    stop,
    hang() {
      hanging = true;
    },
    async start() {
      if (hanging) {
        // Commands swallowed while hanging have no replies: start clients on fresh connections.
        hanging = false;
        for (const s of sockets) s.destroy();
      }
      if (!listening) {
        await listen(port);
        listening = true;
      }
    },
    close: stop,
  };
}

/** Whether a `redis-server` binary is on PATH. */
export async function hasRedisServerBinary(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts a private, non-persistent redis-server on a free loopback port; `extraArgs` are config directives. */
export async function spawnRedisServer(extraArgs: string[] = []): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `redis://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + 5000;
  for (;;) {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      r.disconnect();
      return { url, stop };
    } catch {
      r.disconnect();
      if (Date.now() > deadline || child.exitCode !== null) {
        await stop();
        throw new Error(`redis-server did not start on port ${port}`);
      }
      await new Promise((res) => setTimeout(res, 50));
    }
  }
}
