/**
 * A complete, isolated trust world for flow tests: dev CA chain, a did:elsi issuer seal, a
 * Trusted Issuers List (files, or a loopback HTTP server that can be made to fail), a Trusted
 * Services List, a revoked list, the real verifier runtime and fastify app with a frozen clock.
 * Built with the same dev-issuer and client packages the CLI uses.
 */
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { fixedClock, createMemoryStore, type Store } from '@dome-verifier/core';
import { loadConfig } from '@dome-verifier/core/config';
import { createDevChain, createSealCertificate, createRootCa, issueLearCredential, generateP256, tirIssuerDocument, trustedServiceEntry, type DevCertificate, type IssueOptions } from '@dome-verifier/dev-issuer';
import { createMachineTokenRequest, type MachineDialect } from '@dome-verifier/client';
import { buildApp, createMetrics, createRuntime, type Runtime, type Tracing, type WorkQueue } from '@dome-verifier/server';
import type { FastifyInstance } from 'fastify';
import { createTrustServiceStub, type TrustServiceStub } from './trust-service-stub.ts';

export const ISSUER = 'https://verifier.test';
export const ORG = 'VATES-T0000001';
export const ISSUER_DID = `did:elsi:${ORG}`;
export const TYPES = ['LEARCredentialMachine', 'LEARCredentialEmployee'];

export interface Pki {
  root: DevCertificate;
  intermediate: DevCertificate;
  seal: DevCertificate;
  /** A seal for another organisation, chained to the same root. */
  otherSeal: DevCertificate;
  /** A complete chain under a root that is not a trust anchor. */
  rogueRoot: DevCertificate;
  rogueSeal: DevCertificate;
}

let pkiPromise: Promise<Pki> | undefined;
/** One PKI per test process (RSA key generation is the slow part). */
export function pki(): Promise<Pki> {
  pkiPromise ??= (async () => {
    const { root, intermediate } = await createDevChain();
    const seal = await createSealCertificate(intermediate, { organizationIdentifier: ORG, organization: 'Test Issuer S.L.', country: 'ES' });
    const otherSeal = await createSealCertificate(intermediate, { organizationIdentifier: 'VATES-X9999999', organization: 'Other S.L.', country: 'ES' });
    const rogueRoot = await createRootCa({ commonName: 'Rogue Root' });
    const rogueSeal = await createSealCertificate(rogueRoot, { organizationIdentifier: ORG, organization: 'Test Issuer S.L.', country: 'ES' });
    return { root, intermediate, seal, otherSeal, rogueRoot, rogueSeal };
  })();
  return pkiPromise;
}

export interface MachineClient {
  did: string;
  privateKey: KeyObject;
  publicJwk: Record<string, unknown>;
}

export interface WorldOptions {
  /** Serve the TIL over loopback HTTP (the trust-service stub, so tests can make it fail) instead of files. */
  tilOverHttp?: boolean;
  /**
   * Serve the TIL, the Trusted Services List and the revoked list from the loopback trust-service
   * stub (`world.stub`, paths in `TRUST_PATHS`), so flow tests can drive real HTTP failures.
   */
  trustOverHttp?: boolean;
  /** Extra TSL entries (YAML-ready objects). */
  clients?: Array<Record<string, unknown>>;
  revoked?: string[];
  /** Extra config env vars (VERIFIER_…). */
  env?: Record<string, string>;
  /** Listen on 127.0.0.1 (random port) with the issuer URL set to it, for tests that need real HTTP. */
  listen?: boolean;
  /** A path appended to the issuer URL (`/verifier`): the IN2 V3 deployment shape (docs/compatibility.md). */
  issuerPath?: string;
  /** A pino logger for the runtime and the app (logging tests). */
  logger?: import('pino').Logger;
  /** TIL entries: DID → credential types (default: the issuer with both LEAR types). */
  til?: Record<string, { types: string[]; validFor?: { from: string; to: string } }>;
  /** A store shared with other worlds (several replicas), e.g. Redis; the caller closes it. Default: a private memory store. */
  store?: Store & { ping?(): Promise<boolean> };
  /** The app's work queue (e.g. one with a manual scheduler); default: the configured one. */
  workQueue?: WorkQueue;
  /** OpenTelemetry tracing (startTracing), passed to the runtime and the app. */
  tracing?: Tracing;
}

export type TilMode = 'ok' | 'error' | 'hang';

/** Where the stub serves each trust service (`world.stub.url(TRUST_PATHS.revoked)`). */
export const TRUST_PATHS = { til: '/v4/issuers/', tsl: '/tsl.yaml', revoked: '/revoked.yaml' } as const;

export interface World {
  /** The verifier URL (`https://verifier.test`, or `http://127.0.0.1:<port>` with `listen`). */
  issuer: string;
  dir: string;
  pki: Pki;
  runtime: Runtime;
  app: FastifyInstance;
  clock: ReturnType<typeof fixedClock>;
  machine: MachineClient;
  /** Issues a LEAR credential signed by the test seal (overridable). */
  issue(o?: Partial<IssueOptions> & { holder?: MachineClient }): string;
  /** Builds a token request for a machine with a credential. */
  tokenRequest(o?: { holder?: MachineClient; credential?: string; dialect?: MachineDialect; clientId?: string; scope?: string; vpAudience?: string; now?: number }): Promise<{ body: URLSearchParams; clientAssertion: string; vpJwt: string }>;
  /** POSTs a form to /oidc/token in-process. */
  post(body: string | URLSearchParams, headers?: Record<string, string>): Promise<{ status: number; json: Record<string, unknown>; headers: Record<string, unknown> }>;
  setTil(mode: TilMode): void;
  /** The loopback trust-service stub (with `tilOverHttp` or `trustOverHttp`). */
  stub: TrustServiceStub | undefined;
  /** Entries in the replay/session store. */
  storeSize(): number;
  tilRequests(): number;
  close(): Promise<void>;
}

export function newMachine(): MachineClient {
  const k = generateP256();
  return { did: k.did, privateKey: k.privateKey, publicJwk: k.publicJwk as unknown as Record<string, unknown> };
}

export function machineClientEntry(did: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...trustedServiceEntry({ clientId: did, url: 'https://machine.example', issuerUrl: ISSUER, grantTypes: ['client_credentials'] }), ...extra };
}

async function freePort(): Promise<number> {
  const { createServer: createNetServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const yamlList = (clients: Array<Record<string, unknown>>) => `clients:\n${clients.map((c) => `  - ${JSON.stringify(c)}`).join('\n')}\n`;

export async function createWorld(options: WorldOptions = {}): Promise<World> {
  const p = await pki();
  const dir = mkdtempSync(join(tmpdir(), 'dv-world-'));
  const tilDir = join(dir, 'til');
  mkdirSync(tilDir);
  const now = Date.now();
  const validFor = { from: new Date(now - 86_400_000).toISOString(), to: new Date(now + 5 * 365 * 86_400_000).toISOString() };
  const til = options.til ?? { [ISSUER_DID]: { types: TYPES } };
  const tilDocs = new Map<string, string>();
  for (const [did, e] of Object.entries(til)) {
    const body = JSON.stringify(tirIssuerDocument(did, e.types, e.validFor ?? validFor));
    tilDocs.set(did, body);
    writeFileSync(join(tilDir, did), body);
  }

  const stub = options.tilOverHttp || options.trustOverHttp ? await createTrustServiceStub() : undefined;
  let tilBase = `${tilDir}/`;
  if (stub) {
    for (const [did, body] of tilDocs) stub.serve(`${TRUST_PATHS.til}${did}`, { body, contentType: 'application/json' });
    tilBase = stub.url(TRUST_PATHS.til);
  }

  const port = options.listen ? await freePort() : 0;
  const issuer = `${options.listen ? `http://127.0.0.1:${port}` : ISSUER}${options.issuerPath ?? ''}`;
  const machine = newMachine();
  const tsl = yamlList([machineClientEntry(machine.did), ...(options.clients ?? [])]);
  const revoked = `# revoked credential ids\nrevoked_credentials:\n${(options.revoked ?? ['00000000-0000-0000-0000-000000000000']).map((id) => `  - "${id}"`).join('\n')}\n`;
  writeFileSync(join(dir, 'tsl.yaml'), tsl);
  writeFileSync(join(dir, 'revoked.yaml'), revoked);
  const overHttp = options.trustOverHttp ? stub : undefined;
  overHttp?.serve(TRUST_PATHS.tsl, { body: tsl, contentType: 'application/yaml' });
  overHttp?.serve(TRUST_PATHS.revoked, { body: revoked, contentType: 'application/yaml' });
  writeFileSync(join(dir, 'anchors.pem'), p.root.certificatePem);

  const config = loadConfig({
    env: {
      VERIFIER_BACKEND_URL: issuer,
      VERIFIER_BACKEND_IDENTITY_PRIVATEKEY: '0x73e509a7681d4a395b1ced75681c4dc4020dbab02da868512276dd766733d5b5',
      VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_NAME: 'DOME',
      VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDISSUERSLISTURL: tilBase,
      VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_TRUSTEDSERVICESLISTURL: overHttp ? overHttp.url(TRUST_PATHS.tsl) : join(dir, 'tsl.yaml'),
      VERIFIER_BACKEND_TRUSTFRAMEWORKS_0_REVOKEDCREDENTIALLISTURL: overHttp ? overHttp.url(TRUST_PATHS.revoked) : join(dir, 'revoked.yaml'),
      VERIFIER_BACKEND_X509_TRUSTANCHORS: join(dir, 'anchors.pem'),
      VERIFIER_BACKEND_OUTBOUND_TIMEOUTMS: '1000',
      VERIFIER_DATA_DIR: join(dir, 'data'),
      // Flow tests send many requests from 127.0.0.1 for one client in a burst; the rate-limit
      // tests turn the limiter back on.
      SERVER_RATELIMIT_ENABLED: 'false',
      ...options.env,
    },
    cwd: dir,
  });
  const clock = fixedClock(now);
  const metrics = createMetrics();
  const memory = options.store ? undefined : createMemoryStore({ clock, sweepIntervalMs: 3_600_000 }); // no background sweep: store-size assertions stay exact
  const store = options.store ?? memory!;
  const runtime = await createRuntime(config, { clock, store, metrics, logger: options.logger, ...(options.tracing && { tracing: options.tracing }) });
  const app = await buildApp(runtime, { metrics, logger: options.logger, workQueue: options.workQueue, ...(options.tracing && { tracing: options.tracing }) });
  if (options.listen) await app.listen({ host: '127.0.0.1', port });

  const issue: World['issue'] = (o = {}) => {
    const holder = o.holder ?? machine;
    return issueLearCredential({
      kind: 'machine',
      seal: p.seal,
      chain: [p.intermediate],
      organizationIdentifier: ORG,
      mandatee: { id: holder.did },
      validFrom: new Date(clock.now() - 3_600_000),
      validUntil: new Date(clock.now() + 365 * 86_400_000),
      ...o,
    }).jwt;
  };

  return {
    issuer,
    dir,
    pki: p,
    runtime,
    app,
    clock,
    machine,
    issue,
    async tokenRequest(o = {}) {
      const holder = o.holder ?? machine;
      const req = await createMachineTokenRequest({
        issuer,
        key: holder.privateKey,
        credential: o.credential ?? issue({ holder }),
        dialect: o.dialect,
        clientId: o.clientId,
        scope: o.scope,
        vpAudience: o.vpAudience,
        now: () => o.now ?? clock.now(),
      });
      return { body: req.body, clientAssertion: req.clientAssertion, vpJwt: req.vpJwt };
    },
    async post(body, headers = {}) {
      const res = await app.inject({
        method: 'POST',
        url: `${runtime.config.verifier.backend.serveUnderIssuerPath ? new URL(issuer).pathname : ''}/oidc/token`,
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        payload: typeof body === 'string' ? body : body.toString(),
      });
      let json: Record<string, unknown> = {};
      try {
        json = res.json();
      } catch {
        json = {};
      }
      return { status: res.statusCode, json, headers: res.headers };
    },
    storeSize: () => {
      if (!memory) throw new Error('storeSize() counts the entries of the private memory store; this world uses a shared one');
      return memory.size;
    },
    setTil(mode) {
      if (!stub) throw new Error('setTil() needs tilOverHttp or trustOverHttp');
      stub.setMode(TRUST_PATHS.til, mode === 'error' ? '500' : mode);
    },
    stub,
    tilRequests: () => stub?.requests(TRUST_PATHS.til) ?? 0,
    async close() {
      await app.close();
      await runtime.close();
      await memory?.close();
      await stub?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Decodes the payload (or header) of a compact JWT without verification. */
export function decodePart(jwt: string, part: 0 | 1 = 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[part]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}
