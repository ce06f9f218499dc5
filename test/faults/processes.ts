/**
 * Child processes for the fault-injection suite: a private redis-server (own loopback port,
 * no persistence) that a test can SIGKILL and restart on the same port, and verifier replicas
 * (packages/server/src/main.ts under tsx, configured by environment) that a test can SIGKILL.
 * Every process is started by the test and ended by it (by pid), never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { Redis } from 'ioredis';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await ok().catch(() => false)) return;
    if (child && (child.exitCode !== null || child.signalCode !== null)) throw new Error(`${what} exited (${child.exitCode ?? child.signalCode})`);
    if (Date.now() > deadline) throw new Error(`${what} did not come up within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const exited = (child: ChildProcess) => new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));

export interface RedisProcess {
  readonly url: string;
  readonly port: number;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Starts a fresh (empty) server on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ChildProcess;
  const ping = async () => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } finally {
      r.disconnect();
    }
  };
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitFor('redis-server', ping, 5000, child);
  };
  await start();
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  };
  return { url, port, kill, restart: start, stop: kill };
}

function hasRedisServer(): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('redis-server', ['--version'], { stdio: 'ignore' });
    p.on('error', () => resolve(false));
    p.on('exit', (code) => resolve(code === 0));
  });
}

/** `false` when redis-server is on PATH, else the reason to skip — except under `CI=true`, where its absence is a failure. */
export async function redisServerSkip(): Promise<string | false> {
  if (await hasRedisServer()) return false;
  if (process.env['CI'] === 'true') throw new Error('redis-server is not installed; CI=true, so the fault-injection tests must run');
  return 'redis-server is not installed';
}

export interface Replica {
  readonly url: string;
  readonly pid: number;
  /** SIGKILL; resolves once the process is gone. */
  kill(): Promise<void>;
  /** Stderr and stdout so far (for failure messages). */
  output(): string;
}

/** Starts `packages/server/src/main.ts` (tsx) on a free port with `env` (VERIFIER_… configuration). */
export async function startReplica(env: Record<string, string>, port?: number): Promise<Replica> {
  const p = port ?? (await freePort());
  const url = `http://127.0.0.1:${p}`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/server/src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env, PORT: String(p), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const kill = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
  };
  try {
    await waitFor(`replica on ${url}`, async () => (await fetch(`${url}/health`)).status === 200, 30_000, child);
  } catch (e) {
    await kill();
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${out}`);
  }
  return { url, pid: child.pid!, kill, output: () => out };
}
