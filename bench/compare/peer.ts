/**
 * Starts the peer (bench/peer/server.mjs, node-oidc-provider) for `npm run bench:compare`: its
 * own package installed with `npm ci --prefix bench/peer` on first use (never part of the product
 * workspace), run as a child process in production mode with the node flags and the pinning of
 * our server (`taskset -c 0`, `UV_THREADPOOL_SIZE=1`), on 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, procCpuMs, procRss, startNodeFlags, waitUntilUp } from '../server.ts';

export interface PeerServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly pid: number;
  readonly version: string;
  /** The client's signing key (private_key_jwt, ES256) and its client id. */
  readonly clientKey: KeyObject;
  readonly clientId: string;
  readonly kid: string;
  rss(): { rssMiB: number; peakMiB: number };
  cpuMs(): number;
  stop(): void;
}

const PEER_DIR = 'bench/peer';

/** `npm ci` of bench/peer when its node_modules is missing (the lock file pins every package). */
export function ensurePeerInstalled(): void {
  if (existsSync(join(PEER_DIR, 'node_modules', 'oidc-provider', 'package.json'))) return;
  process.stderr.write('bench:compare: installing the peer (npm ci --prefix bench/peer)\n');
  execFileSync('npm', ['ci', '--prefix', PEER_DIR, '--no-audit', '--no-fund'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startPeer(options: { clientId: string; extraClaims: Record<string, unknown> }): Promise<PeerServer> {
  ensurePeerInstalled();
  const version = (JSON.parse(readFileSync(join(PEER_DIR, 'node_modules', 'oidc-provider', 'package.json'), 'utf8')) as { version: string }).version;
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const client = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = 'bench-client';
  const dir = mkdtempSync(join(tmpdir(), 'dv-bench-peer-'));
  const configPath = join(dir, 'config.json');
  writeFileSync(
    configPath,
    JSON.stringify({
      port,
      issuer,
      clientId: options.clientId,
      clientJwk: { ...client.publicKey.export({ format: 'jwk' }), kid, alg: 'ES256', use: 'sig' },
      signingJwk: { ...signing.privateKey.export({ format: 'jwk' }), kid: 'peer-signing', alg: 'ES256', use: 'sig' },
      resource: 'urn:dome:bench:api',
      extraClaims: options.extraClaims,
      cookieKey: randomBytes(32).toString('base64url'),
    }),
    { mode: 0o600 },
  );
  const args = [...startNodeFlags(), join(PEER_DIR, 'server.mjs'), configPath];
  const env = { ...process.env, NODE_ENV: 'production', UV_THREADPOOL_SIZE: '1', DEBUG: '' };
  const pin = cpus().length > 1;
  const child = pin ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env, stdio: ['ignore', 'ignore', 'inherit'] }) : spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  let exited = false;
  child.on('exit', () => (exited = true));
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  await waitUntilUp(`${issuer}/.well-known/openid-configuration`, 'the peer', stop, () => exited);
  const pid = child.pid!;
  return { issuer, tokenUrl: `${issuer}/token`, pid, version, clientKey: client.privateKey, clientId: options.clientId, kid, rss: () => procRss(pid), cpuMs: () => procCpuMs(pid), stop };
}
