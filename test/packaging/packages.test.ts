/**
 * The published packages as an integrator gets them: `scripts/pack-packages.mjs` builds and packs
 * @dome-verifier/did-key, client and resource-server; the tarballs are installed offline into a
 * scratch project outside the workspace (with the lockfile's jose, @scure/base and @types/node,
 * packed from node_modules: no registry, no network), then used from plain Node (no tsx) against a
 * running verifier, and type-checked from a strict TypeScript consumer (moduleResolution nodenext).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createWorld, type World } from '../support/world.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
/** Generous bounds (a loaded 2-core machine); a hang fails instead of blocking the suite. */
const STEP_TIMEOUT_MS = 120_000;

interface Packed {
  name: string;
  version: string;
  filename: string;
  tarball: string;
  files: Array<{ path: string }>;
}

/** The environment of a child process that is not part of this workspace's npm run (no npm_* variables, no loader). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'NODE_OPTIONS' && k !== 'INIT_CWD') env[k] = v;
  return { ...env, ...extra };
}

async function sh(file: string, args: string[], cwd: string, env = cleanEnv()): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd, env, timeout: STEP_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

function manifest(dir: string): Record<string, unknown> & { dependencies?: Record<string, string> } {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
}

/** Third-party runtime dependencies of `names`, transitively, as installed in the workspace. */
function thirdPartyClosure(names: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || name.startsWith('@dome-verifier/')) return;
    seen.add(name);
    for (const dep of Object.keys(manifest(join(ROOT, 'node_modules', name)).dependencies ?? {})) visit(dep);
  };
  names.forEach(visit);
  return [...seen].sort();
}

const PLAIN_NODE_CONSUMER = `
import { createServer } from 'node:http';
import { buildTokenRequestBody, createClientAssertion, createMachineClient, createVpJwt, loadP256PrivateKey, requestToken } from '@dome-verifier/client';
import { createAccessTokenValidator, errorResponse, hasPower } from '@dome-verifier/resource-server';

const { VERIFIER_URL: issuer, MACHINE_KEY: keyText, MACHINE_CREDENTIAL: credential } = process.env;
const validator = createAccessTokenValidator({ issuer, audience: issuer });

// The resource server: the framework-free middleware on node:http.
const api = createServer(async (req, res) => {
  try {
    const auth = await validator.authenticate(req);
    const allowed = hasPower(auth, { function: 'Onboarding', action: 'Execute' });
    res.writeHead(allowed ? 200 : 403, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ subject: auth.subject, kind: auth.kind }));
  } catch (err) {
    const answer = errorResponse(err, { realm: 'scratch-api' });
    if (answer) res.writeHead(answer.status, answer.headers).end(JSON.stringify(answer.body));
    else res.writeHead(500).end();
  }
});
await new Promise((resolve) => api.listen(0, '127.0.0.1', resolve));
const apiUrl = 'http://127.0.0.1:' + api.address().port + '/things';

try {
  // 1. The machine client: token from the verifier, then a call to the API with it.
  const client = createMachineClient({ issuer, key: keyText, credential });
  const viaClient = await client.fetch(apiUrl);
  // 2. The building blocks with the loaded key object (the same input the RP helpers take).
  const key = loadP256PrivateKey(keyText);
  const vpJwt = await createVpJwt({ credentials: [credential], holderKey: key, audience: issuer });
  const clientAssertion = await createClientAssertion({ key, audience: issuer, vpJwt });
  const manual = await requestToken({ tokenEndpoint: issuer + '/oidc/token', body: buildTokenRequestBody({ clientId: key.did, clientAssertion }) });
  const viaBlocks = await fetch(apiUrl, { headers: { authorization: 'Bearer ' + manual.access_token } });
  const anonymous = await fetch(apiUrl);
  const forged = await fetch(apiUrl, { headers: { authorization: 'Bearer ' + manual.access_token.slice(0, -4) + 'AAAA' } });
  console.log(JSON.stringify({
    did: key.did,
    viaClient: { status: viaClient.status, body: await viaClient.json() },
    viaBlocks: { status: viaBlocks.status, body: await viaBlocks.json() },
    anonymous: { status: anonymous.status, challenge: anonymous.headers.get('www-authenticate') },
    forged: { status: forged.status, body: await forged.json() },
  }));
} finally {
  api.close();
}
`;

const STRICT_CONSUMER = `
import { createMachineClient, createVpJwt, loadP256PrivateKey, type LoadedP256Key, type MachineClient } from '@dome-verifier/client';
import { createAccessTokenValidator, hasPower, organizationOf, type AccessTokenValidator } from '@dome-verifier/resource-server';
import { dome } from '@dome-verifier/resource-server/express';
import { didKeyToJwk, type P256PublicJwk } from '@dome-verifier/did-key';

const key: LoadedP256Key = loadP256PrivateKey(process.env.MACHINE_KEY ?? '');
const jwk: P256PublicJwk = didKeyToJwk(key.did);
const client: MachineClient = createMachineClient({ issuer: 'https://verifier.example', key, credential: 'a.b.c' });
const validator: AccessTokenValidator = createAccessTokenValidator({ issuer: 'https://verifier.example' });
const vp: Promise<string> = createVpJwt({ credentials: ['a.b.c'], holderKey: key });

export async function check(token: string): Promise<string | undefined> {
  const auth = await validator.validate(token);
  const subject: string = auth.subject;
  return hasPower(auth, { function: 'ProductOffering', action: 'Create' }) ? organizationOf(auth) : subject;
}

// The declarations are real types, not \`any\`: these must be refused.
// @ts-expect-error issuer is a string
createAccessTokenValidator({ issuer: 42 });
// @ts-expect-error a power query needs a function and an action
hasPower({} as Awaited<ReturnType<AccessTokenValidator['validate']>>, {});

export { client, jwk, vp, dome };
`;

describe('npm packages: packed, installed outside the workspace, used without tsx', { timeout: 5 * STEP_TIMEOUT_MS }, () => {
  let dir: string;
  let consumer: string;
  let packed: Packed[];
  let world: World;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dv-packaging-'));
    const tarballs = join(dir, 'tarballs');
    packed = JSON.parse(await sh(process.execPath, [join(ROOT, 'scripts', 'pack-packages.mjs'), '--json', '--out', tarballs], ROOT));
    // The lockfile's versions of the third-party dependencies (and @types/node for the type-check),
    // packed from the workspace's node_modules: the install needs neither the registry nor its metadata.
    const thirdParty = thirdPartyClosure([...packed.flatMap((p) => Object.keys(manifest(join(ROOT, 'packages', p.name.split('/')[1]!)).dependencies ?? {})), '@types/node']);
    const deps = join(dir, 'deps');
    mkdirSync(deps);
    const depTarballs: string[] = [];
    for (const dep of thirdParty) {
      const [entry] = JSON.parse(await sh('npm', ['pack', join(ROOT, 'node_modules', dep), '--ignore-scripts', '--json', '--pack-destination', deps], deps));
      depTarballs.push(join(deps, entry.filename));
    }
    consumer = join(dir, 'consumer');
    mkdirSync(consumer);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'scratch-consumer', private: true, type: 'module' }));
    await sh('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', ...packed.map((p) => p.tarball), ...depTarballs], consumer);
    world = await createWorld({ listen: true });
  });

  after(async () => {
    await world?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('each tarball holds dist JavaScript with a .d.ts per module, the README and package.json; no tests, no TypeScript source', () => {
    assert.deepEqual(packed.map((p) => p.name), ['@dome-verifier/did-key', '@dome-verifier/client', '@dome-verifier/resource-server']);
    for (const p of packed) {
      const files = p.files.map((f) => f.path).sort();
      assert.ok(files.includes('package.json') && files.includes('README.md'), `${p.name}: ${files.join(', ')}`);
      if (existsSync(join(ROOT, 'LICENSE'))) assert.ok(files.includes('LICENSE'), `${p.name} ships the LICENSE`);
      const js = files.filter((f) => f.endsWith('.js'));
      assert.ok(js.includes('dist/index.js'), `${p.name} ships dist/index.js`);
      for (const f of js) assert.ok(files.includes(f.replace(/\.js$/, '.d.ts')), `${p.name}: ${f} has its declarations`);
      const stray = files.filter((f) => /\.test\.|test-helpers|fake-verifier|(^|\/)src\/|tsconfig/.test(f) || (f.endsWith('.ts') && !f.endsWith('.d.ts')));
      assert.deepEqual(stray, [], `${p.name} ships no tests and no source`);
      for (const f of files) assert.match(f, /^(package\.json|README\.md|LICENSE|dist\/.+\.(js|d\.ts))$/, `${p.name}: unexpected ${f}`);
    }
  });

  test('the installed manifests point exports at dist with types and import conditions; license, repository, engines; no scripts', () => {
    for (const p of packed) {
      const dirOf = join(consumer, 'node_modules', p.name);
      const m = manifest(dirOf) as Record<string, any>;
      assert.equal(m.license, 'Apache-2.0');
      assert.equal(m.repository?.type, 'git');
      assert.equal(m.repository?.directory, relative(ROOT, join(ROOT, 'packages', p.name.split('/')[1]!)));
      assert.equal(m.engines?.node, '>=20.19');
      assert.equal(m.type, 'module');
      assert.equal(m.scripts, undefined);
      assert.equal(m.devDependencies, undefined);
      const entries = Object.entries(m.exports as Record<string, { types: string; import: string }>);
      assert.ok(entries.length > 0);
      for (const [subpath, target] of entries) {
        assert.deepEqual(Object.keys(target), ['types', 'import'], `${p.name} ${subpath}: types first, then import`);
        assert.match(target.import, /^\.\/dist\/.+\.js$/);
        assert.match(target.types, /^\.\/dist\/.+\.d\.ts$/);
        assert.ok(existsSync(join(dirOf, target.import)) && existsSync(join(dirOf, target.types)), `${p.name} ${subpath} resolves`);
      }
    }
  });

  test('the tarballs installed offline outside the workspace; client → did-key resolves to the packed did-key (one copy)', () => {
    assert.ok(relative(ROOT, consumer).startsWith('..'), 'the scratch project is outside the workspace');
    const client = manifest(join(consumer, 'node_modules', '@dome-verifier', 'client'));
    const didKey = manifest(join(consumer, 'node_modules', '@dome-verifier', 'did-key'));
    assert.match(client.dependencies?.['@dome-verifier/did-key'] ?? '', /^[~^]?\d+\.\d+\.\d+$/, 'a semver dependency, not a workspace or file link');
    assert.equal(didKey.version, packed.find((p) => p.name === '@dome-verifier/did-key')!.version);
    assert.equal(existsSync(join(consumer, 'node_modules', '@dome-verifier', 'client', 'node_modules')), false, 'no nested copy');
  });

  test('plain Node (no tsx): the client SDK gets machine tokens from a running verifier and the resource-server middleware accepts them', async () => {
    writeFileSync(join(consumer, 'm2m.mjs'), PLAIN_NODE_CONSUMER);
    const keyJwk = JSON.stringify(world.machine.privateKey.export({ format: 'jwk' }));
    const out = await sh(process.execPath, ['m2m.mjs'], consumer, cleanEnv({ VERIFIER_URL: world.issuer, MACHINE_KEY: keyJwk, MACHINE_CREDENTIAL: world.issue() }));
    const r = JSON.parse(out);
    assert.equal(r.did, world.machine.did);
    assert.deepEqual(r.viaClient, { status: 200, body: { subject: world.machine.did, kind: 'machine' } });
    assert.deepEqual(r.viaBlocks, { status: 200, body: { subject: world.machine.did, kind: 'machine' } });
    assert.equal(r.anonymous.status, 401);
    assert.equal(r.anonymous.challenge, 'Bearer realm="scratch-api"');
    assert.equal(r.forged.status, 401);
    assert.equal(r.forged.body.error, 'invalid_token');
  });

  test('a strict TypeScript consumer (module/moduleResolution nodenext) type-checks against the published declarations', async () => {
    writeFileSync(join(consumer, 'consumer.ts'), STRICT_CONSUMER);
    writeFileSync(
      join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false, types: ['node'] },
        files: ['consumer.ts'],
      }),
    );
    await sh(process.execPath, [TSC, '-p', 'tsconfig.json'], consumer);
  });
});
