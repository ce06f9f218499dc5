/**
 * The container image (Containerfile) built with podman and run as DOME's Helm chart runs it:
 * environment variables plus a ConfigMap-style `/config/application.yaml` read through
 * SPRING_CONFIG_ADDITIONAL_LOCATION, the trust anchors file mounted as the chart mounts it, a
 * read-only root filesystem. The CLI gets a real M2M token from the running container; node is
 * PID 1 as a non-root user; SIGTERM drains an in-flight request and exits 0. The base image is
 * the no-registry one (scripts/container/build-base.sh: debootstrap + the Node 20 npm package).
 *
 * Needs root and podman (+ runc, and debootstrap when the base image is missing): skipped
 * without them, failed under `CI=true` (.ci/run installs them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { stringify } from 'yaml';
import { createMachineTokenRequest, loadP256PrivateKey } from '@dome-verifier/client';
import { identityFromHex } from '@dome-verifier/core';
import { createDemoTrustFramework, type DemoTrustFramework } from '@dome-verifier/dev-issuer';
import { freePort } from '../faults/processes.ts';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../..');
const PODMAN = join(ROOT, 'scripts/container/podman.sh');
const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
/** Our own tag, removed in after(): the test never replaces an image somebody else built. */
const IMAGE = `localhost/dome-verifier:test-${process.pid}`;
const KEY = '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5';
/** Generous bounds for a loaded 2-core machine; a hang fails instead of blocking the suite. */
const BUILD_TIMEOUT_MS = 900_000;
const START_TIMEOUT_MS = 60_000;
const STOP_BOUND_MS = 20_000;

function skipReason(): string | false {
  const missing = spawnSync('podman', ['--version']).status !== 0 ? 'podman is not installed' : process.getuid?.() !== 0 ? 'podman runs rootful here: run as root' : undefined;
  if (missing === undefined) return false;
  if (process.env['CI'] === 'true') throw new Error(`${missing}; CI=true, so the container image test must run (.ci/run installs podman, runc and debootstrap)`);
  return missing;
}
const skip = skipReason();

/** The environment of a child that is not part of this npm run (no npm_* variables, no loader flags). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

async function sh(file: string, args: string[], o: { timeout?: number; env?: Record<string, string> } = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd: ROOT, env: cleanEnv(o.env), timeout: o.timeout ?? 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}
const podman = (args: string[], timeout?: number) => sh(PODMAN, args, timeout === undefined ? {} : { timeout });

const containers: string[] = [];

/** `podman run -d` with the chart's hardening (read-only root, no capabilities); returns the container id. */
async function startContainer(o: { port: number; env: Record<string, string>; mounts?: string[] }): Promise<string> {
  const args = ['run', '-d', '--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--health-interval', 'disable', '-p', `127.0.0.1:${o.port}:8080`];
  for (const [k, v] of Object.entries(o.env)) args.push('-e', `${k}=${v}`);
  for (const m of o.mounts ?? []) args.push('-v', m);
  const id = (await podman([...args, IMAGE])).trim();
  containers.push(id);
  return id;
}

interface State { Running: boolean; ExitCode: number; Status: string }
const state = async (id: string): Promise<State> => JSON.parse(await podman(['inspect', '--format', '{{json .State}}', id])) as State;
/** The container's stdout and stderr (podman logs writes them to its own stdout and stderr). */
async function logs(id: string): Promise<string> {
  try {
    const { stdout, stderr } = await run(PODMAN, ['logs', id], { cwd: ROOT, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout + stderr;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Polls /health until 200; fails early with the logs when the container exits. Returns ms waited. */
async function waitHealthy(id: string, port: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }).catch(() => undefined);
    if (res?.status === 200) return Date.now() - t0;
    const s = await state(id);
    assert.ok(s.Running, `container exited (${s.ExitCode}) before answering /health:\n${await logs(id)}`);
    assert.ok(Date.now() - t0 < START_TIMEOUT_MS, `no 200 on /health within ${START_TIMEOUT_MS} ms:\n${await logs(id)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Waits for the container to exit; returns its exit code and the ms it took. */
async function waitExit(id: string, boundMs: number): Promise<{ code: number; ms: number }> {
  const t0 = Date.now();
  for (;;) {
    const s = await state(id);
    if (!s.Running && s.Status !== 'running') return { code: s.ExitCode, ms: Date.now() - t0 };
    assert.ok(Date.now() - t0 < boundMs, `still running ${boundMs} ms later:\n${await logs(id)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function waitLog(id: string, pattern: RegExp, boundMs: number): Promise<void> {
  const t0 = Date.now();
  while (!pattern.test(await logs(id))) {
    assert.ok(Date.now() - t0 < boundMs, `no ${pattern} in the logs within ${boundMs} ms:\n${await logs(id)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The CLI (packages/cli) as a user runs it, with tsx. */
function cli(args: string[], env: Record<string, string> = {}): Promise<string> {
  return sh(process.execPath, ['--import', 'tsx', join(ROOT, 'packages/cli/src/main.ts'), ...args], { env: { VERIFIER_URL: '', ...env } });
}

let dir = '';

describe('the container image', { skip }, () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dome-container-'));
    // build-image.sh builds the base first when it is missing (debootstrap + Node 20, ≈ 1 min).
    await sh(join(ROOT, 'scripts/container/build-image.sh'), [], { timeout: BUILD_TIMEOUT_MS, env: { IMAGE } });
  }, { timeout: BUILD_TIMEOUT_MS + 60_000 });

  after(async () => {
    for (const id of containers) await podman(['rm', '--force', '--volumes', id]).catch(() => undefined);
    await podman(['rmi', '--force', IMAGE]).catch(() => undefined);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the image: uid 1000, node as the entry process with the npm start flags, port 8080, /data volume, a node HEALTHCHECK, OCI labels', async () => {
    const [inspected] = JSON.parse(await podman(['image', 'inspect', IMAGE])) as Array<{ Config: Record<string, any>; Healthcheck?: { Test: string[] } }>;
    const c = inspected!.Config;
    assert.equal(c['User'], '1000:1000');
    assert.deepEqual(c['Entrypoint'], ['node', '--max-semi-space-size=8', 'dist/server/main.mjs']);
    assert.deepEqual(Object.keys(c['ExposedPorts']), ['8080/tcp']);
    assert.deepEqual(Object.keys(c['Volumes']), ['/data']);
    assert.ok((c['Env'] as string[]).includes('HOST=0.0.0.0'), String(c['Env']));
    assert.ok((c['Env'] as string[]).includes('VERIFIER_DATA_DIR=/data'), String(c['Env']));
    assert.equal(c['StopSignal'], 'SIGTERM');
    // Kept only in the docker image format (build-image.sh builds with --format docker).
    const health = inspected!.Healthcheck;
    assert.ok(health, 'HEALTHCHECK in the image');
    assert.deepEqual(health.Test.slice(0, 3), ['CMD', 'node', '-e']);
    assert.match(health.Test[3]!, /\/health\/live/);
    const labels = c['Labels'] as Record<string, string>;
    assert.equal(labels['org.opencontainers.image.version'], VERSION);
    assert.equal(labels['org.opencontainers.image.licenses'], 'Apache-2.0');
    assert.match(labels['org.opencontainers.image.source']!, /^https:\/\//);
    // Production dependencies only: no compiler, no test runner, no CLI in the runtime stage.
    const listing = await podman(['run', '--rm', '--entrypoint', 'node', IMAGE, '-e', "const fs=require('fs');console.log(JSON.stringify({app:fs.readdirSync('/app'),modules:fs.readdirSync('/app/node_modules')}))"]);
    const { app, modules } = JSON.parse(listing) as { app: string[]; modules: string[] };
    assert.deepEqual(app.sort(), ['LICENSE', 'dist', 'node_modules']);
    for (const dev of ['typescript', 'esbuild', 'tsx', 'commander', '@dome-verifier', 'playwright-core', 'autocannon']) assert.ok(!modules.includes(dev), `${dev} in the runtime image`);
    for (const needed of ['fastify', 'pino', 'zod', 'yaml', '@peculiar']) assert.ok(modules.includes(needed), `${needed} missing`);
  });

  describe('configured as DOME\'s Helm chart configures it', () => {
    let demo: DemoTrustFramework;
    let port = 0;
    let issuer = '';
    let id = '';

    before(async () => {
      port = await freePort();
      issuer = `http://127.0.0.1:${port}`;
      // A generated trust framework (CA, trusted issuers list, Trusted Services List, machine
      // credential), mounted read-only; the ConfigMap's application.yaml names it by container paths.
      const tf = join(dir, 'tf');
      demo = await createDemoTrustFramework({ dir: tf, issuerUrl: issuer });
      const inContainer = (p: string) => `/trust/${relative(tf, p)}${p.endsWith('/') ? '/' : ''}`;
      mkdirSync(join(dir, 'config'));
      writeFileSync(join(dir, 'config', 'application.yaml'), stringify({
        verifier: { backend: { trustFrameworks: [{
          name: 'DOME',
          trustedIssuersListUrl: inContainer(demo.paths.trustedIssuersListUrl),
          trustedServicesListUrl: inContainer(demo.paths.trustedServicesListUrl),
          revokedCredentialListUrl: inContainer(demo.paths.revokedCredentialListUrl),
        }] } },
      }));
      id = await startContainer({
        port,
        env: {
          VERIFIER_BACKEND_URL: issuer,
          VERIFIER_BACKEND_IDENTITY_DID_KEY: identityFromHex(KEY).did,
          VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY: KEY,
          VERIFIER_BACKEND_X509_TRUST_ANCHORS: '/etc/dome-verifier/x509/trust-anchors.pem',
          SPRING_CONFIG_ADDITIONAL_LOCATION: '/config/application.yaml',
          LOG_LEVEL: 'info',
          // The SIGTERM test's request takes its time on purpose (the signal arrives mid-body);
          // the work-queue bound counts from its headers (default 1 s → 503 ERR_SERVER_BUSY).
          SERVER_MAX_QUEUE_WAIT_MS: '60000',
        },
        mounts: [`${join(dir, 'config')}:/config:ro`, `${tf}:/trust:ro`, `${demo.paths.trustAnchors}:/etc/dome-verifier/x509/trust-anchors.pem:ro`],
      });
    });

    test('it starts and answers 200 on /health on the published port; the image HEALTHCHECK passes', async (t) => {
      const ms = await waitHealthy(id, port);
      t.diagnostic(`first 200 on /health ${ms} ms after podman run returned`);
      const ready = (await (await fetch(`${issuer}/health`)).json()) as { status: string; components: { trustedServicesList: { clients: number } } };
      assert.equal(ready.status, 'UP');
      assert.equal(ready.components.trustedServicesList.clients, 2, 'the clients of the mounted Trusted Services List');
      await podman(['healthcheck', 'run', id]);
      assert.match(await logs(id), /"did":"did:key:z/);
      assert.doesNotMatch(await logs(id), /development identity key|demo trust framework/);
    });

    test('node is PID 1, running as uid 1000 (non-root)', async () => {
      const out = await podman(['exec', id, 'node', '-e', "const fs=require('fs');console.log(JSON.stringify({cmd:fs.readFileSync('/proc/1/cmdline','utf8').split('\\0').filter(Boolean),uid:/^Uid:\\s+(\\d+)\\s+(\\d+)/m.exec(fs.readFileSync('/proc/1/status','utf8')).slice(1)}))"]);
      const { cmd, uid } = JSON.parse(out) as { cmd: string[]; uid: string[] };
      assert.deepEqual(cmd, ['node', '--max-semi-space-size=8', 'dist/server/main.mjs']);
      assert.deepEqual(uid, ['1000', '1000'], 'real and effective uid');
    });

    test('the CLI gets a real M2M token from it, and the token validates with the container\'s JWKS', async () => {
      const out = await cli(['token', '--key', demo.machine.keyPath, '--credential', demo.machine.credentialPath, '--issuer', issuer]);
      const response = JSON.parse(out) as { access_token: string; token_type: string };
      assert.equal(response.token_type, 'Bearer');
      const { payload, protectedHeader } = await jwtVerify(response.access_token, createRemoteJWKSet(new URL(`${issuer}/oidc/jwks`)), { issuer });
      assert.equal(protectedHeader.alg, 'ES256');
      assert.equal(payload.sub, demo.machine.did);
      assert.equal(payload['scope'], 'machine learcredential');
    });

    test('SIGTERM: a request in flight is answered, then node exits 0 within the bound', async (t) => {
      const request = await createMachineTokenRequest({ issuer, key: loadP256PrivateKey(readFileSync(demo.machine.keyPath, 'utf8')), credential: readFileSync(demo.machine.credentialPath, 'utf8') });
      const body = Buffer.from(request.body.toString());
      const socket = connect({ host: '127.0.0.1', port });
      let answer = '';
      /** Resolves with the whole HTTP answer (head + content-length bytes), or what came before the server closed. */
      const answered = new Promise<void>((resolve) => {
        const complete = () => {
          const end = answer.indexOf('\r\n\r\n');
          const length = /^content-length: *(\d+)/im.exec(answer.slice(0, end));
          return end >= 0 && length !== null && Buffer.byteLength(answer.slice(end + 4)) >= Number(length[1]);
        };
        socket.on('data', (d) => { answer += d; if (complete()) resolve(); });
        socket.once('close', () => resolve());
      });
      await new Promise<void>((r, j) => socket.once('connect', r).once('error', j));
      // Headers and half of the form: the request is in flight when the signal arrives.
      socket.write(`POST /oidc/token HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n`);
      socket.write(body.subarray(0, body.length >> 1));
      await new Promise((r) => setTimeout(r, 300));
      const t0 = Date.now();
      await podman(['kill', '--signal', 'TERM', id]);
      await waitLog(id, /shutting down/, STOP_BOUND_MS);
      // The rest of the form (no half-close: a FIN would abort the request, as in any Node server).
      socket.write(body.subarray(body.length >> 1));
      await answered;
      // A client that got its answer lets go of the connection (a kept-alive one is held up to
      // server.keepAliveTimeoutMs, 5 s, before the process exits).
      socket.destroy();
      const { code, ms } = await waitExit(id, STOP_BOUND_MS);
      t.diagnostic(`SIGTERM → exit ${code} in ${Date.now() - t0} ms (the in-flight request answered first; exit ${ms} ms after the answer)`);
      assert.match(answer, /^HTTP\/1\.1 200 /, answer.slice(0, 300));
      assert.match(answer, /"access_token":"ey/);
      assert.equal(code, 0, await logs(id));
    });
  });

  test('a trust framework configured and no identity key: the container exits 2 naming the key to set', async () => {
    const id = await startContainer({
      port: await freePort(),
      env: {
        VERIFIER_BACKEND_URL: 'https://verifier.example.org',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_NAME: 'DOME',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_ISSUERS_LIST_URL: 'https://til.example.org/v4/issuers/',
        VERIFIER_BACKEND_TRUST_FRAMEWORKS_0_TRUSTED_SERVICES_LIST_URL: 'https://tsl.example.org/trusted_services_list.yaml',
      },
    });
    const { code } = await waitExit(id, START_TIMEOUT_MS);
    assert.equal(code, 2, await logs(id));
    assert.match(await logs(id), /VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY/);
  });

  test('no configuration: the development verifier answers on the published port and keeps its key and demo in the /data volume', async () => {
    const port = await freePort();
    const data = join(dir, 'data');
    mkdirSync(data);
    chownSync(data, 1000, 1000);
    chmodSync(data, 0o700);
    const id = await startContainer({ port, env: { VERIFIER_BACKEND_URL: `http://127.0.0.1:${port}` }, mounts: [`${data}:/data`] });
    await waitHealthy(id, port);
    assert.ok(existsSync(join(data, 'identity.json')), 'dev key in /data');
    // demo.json names the container's paths (/data/demo/…): the host reads the same files under its mount.
    const out = await cli(['token', '--key', join(data, 'demo/machine/key.jwk'), '--credential', join(data, 'demo/machine/credential.jwt'), '--issuer', `http://127.0.0.1:${port}`]);
    assert.ok((JSON.parse(out) as { access_token?: string }).access_token, out);
    await podman(['stop', '--time', '30', id], STOP_BOUND_MS + 30_000);
    assert.equal((await waitExit(id, STOP_BOUND_MS)).code, 0, await logs(id));
  });
});
