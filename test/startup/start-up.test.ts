/**
 * The server process as an operator starts it (packages/server/src/main.ts, and `npm start`):
 * production mode never runs on a generated key, start-up errors name their source and invalid
 * configuration exits 2, the no-configuration development verifier binds loopback only, and
 * `npm start` hands SIGTERM to node.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDemoTrustFramework, type DemoTrustFramework } from '@dome-verifier/dev-issuer';

const ROOT = join(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'packages/server/src/main.ts');
/** tsx's loader by absolute URL: the child runs in a temporary directory. */
const TSX = import.meta.resolve('tsx');
const KEY = '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5';

let dir: string;
let demo: DemoTrustFramework;

/** process.env without any configuration of ours, so that only what a test sets applies. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VERIFIER_|SERVER_|SPRING_|npm_)/i.test(k) || ['HOST', 'PORT', 'LOG_LEVEL'].includes(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as { port: number };
  await new Promise((r) => s.close(r));
  return port;
}

interface Exit { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

/** Starts main.ts; resolves when it exits or `untilLine` appears on stdout (then the child still runs). */
function start(env: Record<string, string>, untilLine?: RegExp, timeoutMs = 30_000): Promise<Exit & { child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', TSX, MAIN], { cwd: dir, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no exit and no ${untilLine} within ${timeoutMs} ms; stdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (d) => {
      stdout += d;
      if (untilLine?.test(stdout)) {
        clearTimeout(timer);
        resolve({ child, code: null, signal: null, stdout, stderr });
      }
    });
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ child, code, signal, stdout, stderr });
    });
  });
}

const configured = (extra: Record<string, string> = {}): Record<string, string> => ({
  VERIFIER_BACKEND_URL: 'https://verifier.example.org',
  VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME: 'DOME',
  VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL: demo.paths.trustedIssuersListUrl,
  VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: demo.paths.trustedServicesListUrl,
  VERIFIER_BACKEND_X509_TRUST_ANCHORS: demo.paths.trustAnchors,
  VERIFIER_DATA_DIR: join(dir, 'data'),
  ...extra,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dome-start-'));
  demo = await createDemoTrustFramework({ dir: join(dir, 'tf'), issuerUrl: 'https://verifier.example.org' });
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('production mode and honest start-up errors', () => {
  test('a trust framework configured and no identity key: exit 2 naming the keys to set, no key generated', async () => {
    const r = await start({ ...configured(), PORT: String(await freePort()) }, /listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /verifier\.backend\.identity\.privateKey/);
    assert.match(r.stderr, /VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY/);
    assert.doesNotMatch(r.stdout, /generated a development identity key/);
  });

  test('a trust framework configured without x509.trustAnchors is invalid configuration: exit 2 naming the key', async () => {
    const env = configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(await freePort()) });
    delete env['VERIFIER_BACKEND_X509_TRUST_ANCHORS'];
    const r = await start(env, /listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^configuration error: verifier\.backend\.x509\.trustAnchors/m);
  });

  test('a trust anchors file that does not exist: exit 2 naming the key and the path', async () => {
    const missing = join(dir, 'no-such-anchors.pem');
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, VERIFIER_BACKEND_X509_TRUST_ANCHORS: missing, PORT: String(await freePort()) }), /listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /verifier\.backend\.x509\.trustAnchors/);
    assert.ok(r.stderr.includes(missing), r.stderr);
  });

  test('a local Trusted Services List file that does not exist: start-up fails naming the path, not "HTTP 404"', async () => {
    const missing = join(dir, 'no-such-tsl.yaml');
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: missing, PORT: String(await freePort()) }), /listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(missing), r.stderr);
    assert.match(r.stderr, /not found/);
    assert.doesNotMatch(r.stderr, /HTTP 404/);
  });

  test('configured with its identity key, it starts on 0.0.0.0 by default', async () => {
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(await freePort()) }), /DOME Verifier listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, null, r.stdout + r.stderr);
    assert.equal(listening(r.stdout).host, '0.0.0.0');
  });
});

function listening(stdout: string): { host: string; port: number } {
  const line = stdout.split('\n').find((l) => l.includes('DOME Verifier listening'));
  assert.ok(line, stdout);
  return JSON.parse(line) as { host: string; port: number };
}

describe('the no-configuration development verifier', () => {
  test('binds 127.0.0.1 only, unless HOST is set', async () => {
    const data = join(dir, 'dev-data');
    const r = await start({ VERIFIER_DATA_DIR: data, PORT: String(await freePort()) }, /DOME Verifier listening/, 60_000);
    r.child.kill('SIGKILL');
    assert.equal(listening(r.stdout).host, '127.0.0.1');
    const h = await start({ VERIFIER_DATA_DIR: data, PORT: String(await freePort()), HOST: '0.0.0.0' }, /DOME Verifier listening/, 60_000);
    h.child.kill('SIGKILL');
    assert.equal(listening(h.stdout).host, '0.0.0.0');
  });
});

describe('the FIWARE configuration API listener (verifier.fiware.configServer)', () => {
  test('enabled on a non-loopback host without a bearer token or mTLS: start-up refused, exit 2 naming the key', async () => {
    const env = configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(await freePort()), VERIFIER_FIWARE_CONFIG_SERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIG_SERVER_HOST: '0.0.0.0', VERIFIER_FIWARE_CONFIG_SERVER_PORT: String(await freePort()) });
    const r = await start(env, /listening/);
    r.child.kill('SIGKILL');
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /^configuration error: verifier\.fiware\.configServer\.bearerToken: is required when verifier\.fiware\.configServer\.host is not a loopback address/m);
  });

  test('enabled: a third listener on loopback by default serves /health and /service; the token never reaches the log', async () => {
    const port = await freePort();
    const token = 'start-up-test-token-0123456789abcdef';
    const env = configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(await freePort()), VERIFIER_FIWARE_CONFIG_SERVER_ENABLED: 'true', VERIFIER_FIWARE_CONFIG_SERVER_PORT: String(port), VERIFIER_FIWARE_CONFIG_SERVER_BEARER_TOKEN: token });
    const r = await start(env, /FIWARE configuration API \(\/service\) listening/);
    try {
      assert.equal(r.code, null, r.stdout + r.stderr);
      const line = JSON.parse(r.stdout.split('\n').find((l) => l.includes('FIWARE configuration API'))!) as { host: string; port: number; auth: string };
      assert.deepEqual([line.host, line.port, line.auth], ['127.0.0.1', port, 'bearer token']);
      assert.equal((await fetch(`http://127.0.0.1:${port}/health`)).status, 200);
      assert.equal((await fetch(`http://127.0.0.1:${port}/service`)).status, 401);
      assert.equal((await fetch(`http://127.0.0.1:${port}/service`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
      assert.ok(!(r.stdout + r.stderr).includes(token));
    } finally {
      r.child.kill('SIGKILL');
    }
  });
});

/** True while something accepts connections on 127.0.0.1:port. */
function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** Pids of `pid` and all its descendants (Linux /proc via ps). */
function tree(pid: number): number[] {
  const out = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' }).stdout;
  const rows = out.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const found = [pid];
  for (let i = 0; i < found.length; i++) for (const [p, pp] of rows) if (pp === found[i] && !found.includes(p)) found.push(p);
  return found.filter((p) => rows.some(([q]) => q === p));
}

describe('npm start', () => {
  test('SIGTERM to the npm process stops node: the port closes and no process of the tree is left', { timeout: 120_000 }, async (t) => {
    const port = await freePort();
    const npm = spawn('npm', ['start'], { cwd: ROOT, env: cleanEnv({ VERIFIER_DATA_DIR: join(dir, 'npm-data'), PORT: String(port) }), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    npm.stdout!.on('data', (d) => (output += d));
    npm.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((r) => npm.once('exit', () => r()));
    let pids: number[] = [];
    try {
      const deadline = Date.now() + 90_000;
      for (;;) {
        const res = await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined);
        if (res?.status === 200) break;
        assert.ok(Date.now() < deadline, `no /health/live within 90 s: ${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
      pids = tree(npm.pid!);
      assert.ok(pids.length >= 2, `npm and node: ${pids}`);
      const t0 = Date.now();
      npm.kill('SIGTERM');
      let gone = false;
      while (Date.now() - t0 < 15_000) {
        const alive = pids.filter((p) => { try { process.kill(p, 0); return true; } catch { return false; } });
        if (alive.length === 0 && !(await accepting(port))) { gone = true; break; }
        await new Promise((r) => setTimeout(r, 50));
      }
      const ms = Date.now() - t0;
      assert.ok(gone, `still running 15 s after SIGTERM: ${tree(npm.pid!)} (port open: ${await accepting(port)})`);
      t.diagnostic(`npm start: ${ms} ms from SIGTERM to every process gone and the port closed`);
      assert.match(output, /shutting down/);
      await exited;
    } finally {
      for (const p of new Set([...pids, ...tree(npm.pid!)])) try { process.kill(p, 'SIGKILL'); } catch { /* gone */ }
    }
  });
});

describe('logs on stdout (server.logBufferBytes)', () => {
  const requestLines = (stdout: string) => stdout.split('\n').filter((l) => l.includes('"request completed"'));

  test('lines are buffered, yet a request\'s line reaches stdout within the flush interval without further traffic', async () => {
    const port = await freePort();
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(port), HOST: '127.0.0.1' }), /DOME Verifier listening/);
    try {
      let stdout = r.stdout;
      r.child.stdout!.on('data', (d) => (stdout += d));
      assert.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200);
      // The buffer (4096 bytes by default) is far from full: only the periodic flush writes the line.
      for (let i = 0; i < 100 && requestLines(stdout).length === 0; i++) await new Promise((res) => setTimeout(res, 50));
      const lines = requestLines(stdout);
      assert.equal(lines.length, 1, stdout);
      assert.equal((JSON.parse(lines[0]!) as { route: string }).route, '/health/live');
    } finally {
      r.child.kill('SIGKILL');
    }
  });

  test('on SIGTERM every buffered line is written before the process exits 0', async () => {
    const port = await freePort();
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(port), HOST: '127.0.0.1', SERVER_LOGBUFFERBYTES: '16000' }), /DOME Verifier listening/);
    let stdout = r.stdout;
    r.child.stdout!.on('data', (d) => (stdout += d));
    const exit = new Promise<number | null>((res) => r.child.once('exit', (code) => res(code)));
    for (let i = 0; i < 20; i++) assert.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200);
    // At once: the 500 ms flush has not come, 20 lines (≈ 5 KB) sit in a 16 000-byte buffer.
    r.child.kill('SIGTERM');
    assert.equal(await exit, 0, stdout);
    assert.equal(requestLines(stdout).length, 20, stdout);
    assert.match(stdout, /shutting down/);
  });

  test('server.logBufferBytes above 16000 is refused at start-up: exit 2 naming the key', async () => {
    const r = await start(configured({ VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY, PORT: String(await freePort()), SERVER_LOGBUFFERBYTES: '20000' }), /listening/);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /server\.logBufferBytes/);
  });
});
