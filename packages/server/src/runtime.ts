/**
 * Assembles the verifier from configuration: identity key, outbound fetcher, trust framework
 * (configured, or the generated demo one), client registry, caches, store and the token
 * endpoint dependencies. No HTTP here; `app.ts` maps requests onto what this returns.
 */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  createClientKeyResolver,
  createCredentialCache,
  createDidResolver,
  createTrustRegistries,
  type TrustRegistries,
  createClientRegistry,
  createFetcher,
  createMemoryStore,
  createRevocationList,
  createStatusListChecker,
  createTokenStatusListChecker,
  createTrustedIssuersRegistry,
  createX5cVerifier,
  identityFromCertificate,
  identityFromHex,
  loadOrCreateDevIdentity,
  loadTrustAnchors,
  systemClock,
  type ClientRegistry,
  type Clock,
  type Fetcher,
  type Identity,
  type Store,
  type TokenEndpointDeps,
  type AuthorizeDeps,
  type WalletResponseDeps,
  type LoginSessions,
  createLoginSessions,
  createLoginAdmission,
  type LoginAdmission,
  VerifierError,
  DEFAULT_DCQL_PROFILES,
  dcqlQueryForScope,
} from '@dome-verifier/core';
import { ConfigError, selectTrustFramework, type VerifierConfig } from '@dome-verifier/core/config';
import { createFiwareDeps, createRemoteServiceRegistry, createStoredServiceRegistry, staticServiceRegistry, type FiwareDeps, type FiwareServiceRegistry, type StoredServiceRegistry } from '@dome-verifier/core/fiware';
import type { DemoTrustFramework } from '@dome-verifier/dev-issuer';
import type { Metrics } from './metrics.ts';
import type { Tracing } from './tracing.ts';
import { createLoginMetrics } from './login/login-metrics.ts';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface RuntimeOptions {
  clock?: Clock;
  /** Use this store instead of the configured one (tests); the caller closes it. /health probes it with a write. */
  store?: Store & { ping?(): Promise<boolean> };
  /** Replace the outbound fetcher (tests). */
  fetch?: Fetcher;
  metrics?: Metrics;
  logger?: Logger;
  /**
   * Accept a configured trust framework without `identity.privateKey`, on the development key
   * (offline tools such as `cli inspect`, which serve nothing). The server never sets it.
   */
  allowDevelopmentKey?: boolean;
  /** OpenTelemetry tracing (tracing.ts), when on: outbound fetches become spans. */
  tracing?: Tracing;
}

export interface Runtime {
  readonly config: VerifierConfig;
  readonly issuer: string;
  readonly identity: Identity;
  readonly clients: ClientRegistry;
  readonly tokenDeps: TokenEndpointDeps;
  readonly authorizeDeps: AuthorizeDeps;
  readonly walletDeps: WalletResponseDeps;
  readonly logins: LoginSessions;
  /** Caps on pending logins (this replica). */
  readonly loginAdmission: LoginAdmission;
  readonly demo: DemoTrustFramework | undefined;
  readonly store: Store;
  /**
   * FIWARE services: `verifier.fiware.services`, or — with the configuration API on — those and
   * the services the API stored (shared by all replicas through the store, cached per replica).
   */
  readonly fiwareServices: FiwareServiceRegistry;
  /** FIWARE-style trust lists (EBSI TIL/TIR v4→v3, Gaia-X), sharing the fetcher and the DID resolver (tokenDeps.dids). */
  readonly trustRegistries: TrustRegistries;
  /** The registry behind the `/service` configuration API (`verifier.fiware.configServer.enabled`). */
  readonly fiwareConfig: StoredServiceRegistry | undefined;
  /** Dependencies of the FIWARE token endpoint (core fiware/token/create-fiware-deps.ts). */
  readonly fiwareDeps: FiwareDeps;
  /** True once the client list has loaded. */
  ready(): boolean;
  /** True when a write probe of the store succeeds (readiness().components.store). */
  storeHealthy(): Promise<boolean>;
  /** Can this replica serve tokens? The Trusted Services List and the store, with the DOWN reasons. */
  readiness(): Promise<Readiness>;
  close(): Promise<void>;
}

export type ComponentStatus = 'UP' | 'DOWN';

export interface Readiness {
  status: ComponentStatus;
  components: {
    /** DOWN when not loaded yet or empty (every client would be refused). */
    trustedServicesList: { status: ComponentStatus; clients: number; reason?: 'not-loaded' | 'empty' };
    /** DOWN when the write probe fails: `full` (memory store at its limit, Redis OOM) or `unavailable`. */
    store: { status: ComponentStatus; type: string; reason?: 'full' | 'unavailable' };
  };
}

/**
 * The store's readiness: one real write with a short TTL, then its deletion, under a key of
 * this replica (so that probes leave nothing behind and a full memory store is noticed: writing
 * an existing key would need no room). Redis: a write while it is out of memory is refused.
 */
async function probeStore(store: Store, key: string): Promise<Readiness['components']['store']['reason']> {
  try {
    await store.set(key, '1', 5_000);
    await store.delete(key);
    return undefined;
  } catch (e) {
    return e instanceof VerifierError && e.code === 'ERR_STORE_FULL' ? 'full' : 'unavailable';
  }
}

/** Where the configuration API keeps FIWARE services inside the store (after the store's own prefix). */
export const FIWARE_CONFIG_KEY_PREFIX = 'fiware-ccs:';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * The store named by `verifier.backend.store`: in memory (one instance), or Redis, shared by all
 * replicas. The Redis client is loaded only when configured; start-up fails when Redis is unreachable.
 */
async function createConfiguredStore(config: VerifierConfig, clock: Clock, log: Logger): Promise<Store & { ping?(): Promise<boolean> }> {
  const { type, redisUrl, keyPrefix } = config.verifier.backend.store;
  if (type === 'memory') {
    log.warn({ store: 'memory' }, 'using the in-memory store: replay detection, codes and logins live in this process only (one replica; lost on restart); set verifier.backend.store.type to redis in production');
    return createMemoryStore({ clock });
  }
  if (!redisUrl) throw new Error('verifier.backend.store.redisUrl is required when verifier.backend.store.type is redis');
  const { createRedisStore, redactRedisUrl } = await import('@dome-verifier/store-redis');
  const store = await createRedisStore({ url: redisUrl, keyPrefix, logger: log });
  log.info({ store: 'redis', url: redactRedisUrl(redisUrl), keyPrefix }, 'connected to the Redis store (state shared by all replicas)');
  return store;
}

/** The PEM roots at `path`; a file that cannot be read or holds no certificate is invalid configuration. */
function readTrustAnchors(path: string): ReturnType<typeof loadTrustAnchors> {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ConfigError('verifier.backend.x509.trustAnchors', `cannot read ${path} (${code === 'ENOENT' ? 'file not found' : (code ?? 'error')})`);
  }
  try {
    return loadTrustAnchors(pem);
  } catch (e) {
    throw new ConfigError('verifier.backend.x509.trustAnchors', `${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export async function createRuntime(config: VerifierConfig, options: RuntimeOptions = {}): Promise<Runtime> {
  const log = options.logger ?? silent;
  const clock = options.clock ?? systemClock;
  const backend = config.verifier.backend;
  const issuer = backend.url;
  const dataDir = resolve(backend.dataDir);
  for (const w of config.warnings) log.warn({ config: true }, w);

  const configuredFramework = selectTrustFramework(config);
  if (configuredFramework && !backend.identity.privateKey && !options.allowDevelopmentKey) {
    // Each replica would sign with its own generated key: tokens of one would not verify at another.
    throw new ConfigError(
      'verifier.backend.identity.privateKey',
      'is required when a trust framework is configured (set VERIFIER_BACKEND_IDENTITY_PRIVATE_KEY, or the Helm value app.backend.security.serviceIdentity): a generated development key is used only without configuration',
    );
  }
  let identity: Identity;
  if (backend.identity.privateKey) {
    identity = identityFromHex(backend.identity.privateKey);
  } else {
    const dev = loadOrCreateDevIdentity(dataDir);
    identity = dev.identity;
    log.warn({ path: dev.path, did: identity.did }, dev.created ? 'generated a development identity key; set verifier.backend.identity.privateKey in production' : 'using the development identity key; set verifier.backend.identity.privateKey in production');
  }

  // IN2 V3 shape: with an identity certificate the verifier is `x509_hash:…` to wallets.
  const requestObjectIdentity = backend.identity.certificate ? identityFromCertificate(backend.identity.certificate, identity) : undefined;

  if (backend.outbound.allowInsecure) log.warn({}, 'verifier.backend.outbound.allowInsecure is on: client-supplied URLs may use http: and private addresses (development only)');
  if (backend.did.webAllowHttp) log.warn({}, 'verifier.backend.did.webAllowHttp is on: did:web documents are fetched over http: (development and tests only)');
  const metrics = options.metrics;
  const fetcher = createFetcher({
    allowInsecure: backend.outbound.allowInsecure,
    timeoutMs: backend.outbound.timeoutMs,
    onResult: (purpose, outcome, ms) => {
      metrics?.outbound.inc({ purpose, outcome });
      metrics?.outboundDuration.observe({ purpose }, ms / 1000);
    },
    ...(options.tracing ? { trace: options.tracing.traceFetch } : {}),
  });
  const fetch = options.fetch ?? fetcher;

  let demo: DemoTrustFramework | undefined;
  let framework = configuredFramework;
  let anchorsPath = backend.x509.trustAnchors;
  if (!framework) {
    // Loaded only in demo mode: the dev issuer pulls in the X.509 certificate builder.
    const { createDemoTrustFramework } = await import('@dome-verifier/dev-issuer');
    demo = await createDemoTrustFramework({ dir: resolve(dataDir, 'demo'), issuerUrl: issuer });
    framework = { name: 'DOME-DEMO', ...demo.paths, legacyReadEnabled: true, bumpedReadEnabled: true };
    anchorsPath ??= demo.paths.trustAnchors;
    log.warn({ dir: demo.dir, machine: demo.machine.did }, 'no trust framework configured: using the generated demo trust framework (development only)');
  }
  if (!anchorsPath) {
    throw new ConfigError('verifier.backend.x509.trustAnchors', 'is required when trust frameworks are configured: credential certificate chains are verified to these roots');
  }
  const anchors = readTrustAnchors(resolve(anchorsPath));
  const x5c = createX5cVerifier(anchors);
  const now = () => clock.now();

  const clients = createClientRegistry({
    url: framework.trustedServicesListUrl,
    fetch,
    refreshMs: backend.clientsRefreshSeconds * 1000,
    now,
    onWarning: (m) => log.warn({ tsl: true }, m),
    onRefresh: (outcome, n) => {
      metrics?.clientListRefreshes.inc({ outcome });
      metrics?.clients.set(n);
    },
  });
  await clients.refresh();
  log.info({ clients: clients.all().length, trustFramework: framework.name }, 'Trusted Services List loaded');

  const store = options.store ?? (await createConfiguredStore(config, clock, log));
  const probeKey = `health-probe:${randomBytes(12).toString('base64url')}`;
  const { fiware } = config.verifier;
  const fiwareConfig = fiware.configServer.enabled
    ? createStoredServiceRegistry({
        store,
        clock,
        keyPrefix: FIWARE_CONFIG_KEY_PREFIX,
        seed: fiware.services,
        cacheTtlMs: fiware.configServer.cacheSeconds * 1000,
        onWarning: (m) => log.warn({ fiware: true }, m),
      })
    : undefined;
  await fiwareConfig?.refresh();
  const { configEndpoint, updateIntervalSeconds } = fiware.configRepo;
  if (configEndpoint && fiwareConfig) log.warn({ fiware: true }, 'verifier.fiware.configRepo.configEndpoint is ignored: verifier.fiware.configServer.enabled, and the services of the configuration API take precedence (as in VCVerifier)');
  const fiwareRemote =
    configEndpoint && !fiwareConfig
      ? createRemoteServiceRegistry({
          endpoint: configEndpoint,
          fetch,
          seed: fiware.services,
          refreshMs: updateIntervalSeconds * 1000,
          timeoutMs: backend.outbound.timeoutMs,
          onWarning: (m) => log.warn({ fiware: true }, m),
        })
      : undefined;
  if (fiwareRemote && (await fiwareRemote.refresh())) log.info({ fiware: true, services: (await fiwareRemote.list()).length }, 'FIWARE services read from the Credentials Config Service');
  fiwareRemote?.start();
  // What every FIWARE route reads (token, discovery, login): the API's or the polled set, else the static one.
  const fiwareServices: FiwareServiceRegistry = fiwareConfig ?? fiwareRemote ?? staticServiceRegistry(fiware.services);
  const { security, cache } = backend;
  // did:key, did:jwk, did:web (holders, clients; FIWARE paths use tokenDeps.dids too)
  const dids = createDidResolver({
    web: { fetch, timeoutMs: backend.did.webTimeoutMs, maxDocumentBytes: backend.did.webMaxDocumentBytes, allowHttp: backend.did.webAllowHttp },
    cacheTtlMs: backend.did.cacheTtlSeconds * 1000,
    now,
  });
  const tokenDeps: TokenEndpointDeps = {
    clock,
    store,
    clients,
    policy: {
      issuer,
      clockSkewSeconds: security.clockSkewSeconds,
      maxAssertionLifetimeSeconds: security.maxAssertionLifetimeSeconds,
      acceptMillisecondTimestamps: security.acceptMillisecondTimestamps,
    },
    clientKeys: createClientKeyResolver({ issuer, fetch, ttlMs: cache.clientJwksTtlSeconds * 1000, now, dids }),
    presentationPolicy: { clockSkewSeconds: security.clockSkewSeconds, acceptMillisecondTimestamps: security.acceptMillisecondTimestamps },
    issuers: createTrustedIssuersRegistry({ baseUrl: framework.trustedIssuersListUrl, fetch, ttlMs: cache.trustedIssuersTtlSeconds * 1000, now }),
    revocation: framework.revokedCredentialListUrl ? createRevocationList({ url: framework.revokedCredentialListUrl, fetch, ttlMs: cache.revokedListTtlSeconds * 1000, failureTtlMs: cache.failureTtlSeconds * 1000, now }) : undefined,
    statusLists: createStatusListChecker({ fetch, x5c, ttlMs: cache.statusListTtlSeconds * 1000, now }),
    tokenStatusLists: createTokenStatusListChecker({ fetch, x5c, ttlMs: cache.statusListTtlSeconds * 1000, now }),
    formats: { legacy: framework.legacyReadEnabled, bumped: framework.bumpedReadEnabled },
    x5c,
    credentials: createCredentialCache(),
    dids,
    tokenPolicy: {
      issuer,
      accessTokenTyp: backend.accessToken.typ,
      accessTokenExpiresInSeconds: backend.accessToken.expiresInSeconds,
      idTokenExpiresInSeconds: backend.idToken.expiresInSeconds,
      refreshTokenExpiresInSeconds: backend.refreshToken.expiresInSeconds,
      recordMachineTokens: backend.accessToken.recordMachineTokens,
    },
    signer: { key: identity.privateKey, kid: identity.did },
    onStepFailure: (f) => metrics?.countStepFailure(f),
  };

  const loginLifetimeMs = backend.login.lifetimeSeconds * 1000;
  const logins = createLoginSessions(store, clock, loginLifetimeMs, backend.login.answerLeaseSeconds * 1000);
  const loginMetrics = metrics ? createLoginMetrics(metrics.registry) : undefined;
  const { maxPending, maxPendingPerClient, maxPendingPerIp } = backend.login;
  const loginAdmission = createLoginAdmission({ maxPending, maxPendingPerClient, maxPendingPerIp }, clock, loginLifetimeMs, (reason) => loginMetrics?.refused(reason));
  loginMetrics?.watch(loginAdmission);
  const authorizeDeps: AuthorizeDeps = {
    clock,
    store,
    policy: {
      issuer,
      clockSkewSeconds: security.clockSkewSeconds,
      requestObjectRequireExp: backend.requestObject.requireExp,
      requestObjectRequireAud: backend.requestObject.requireAud,
      dcqlProfiles: framework.dcqlProfiles ?? DEFAULT_DCQL_PROFILES,
      ...(config.verifier.frontend.portalUrl ? { portalUrl: config.verifier.frontend.portalUrl } : {}),
    },
    clients,
    clientKeys: tokenDeps.clientKeys,
    fetch,
    logins,
    admission: loginAdmission,
    signer: tokenDeps.signer,
    ...(requestObjectIdentity ? { requestObjectIdentity } : {}),
  };
  const clientId = requestObjectIdentity?.clientId ?? identity.did;
  const audiences = backend.login.presentationAudiences.split(',').map((a) => a.trim()).filter(Boolean);
  const walletDeps: WalletResponseDeps = {
    ...tokenDeps,
    policy: tokenDeps.presentationPolicy,
    issuer,
    logins,
    presentationAudiences: [...new Set([...audiences, clientId, identity.did, issuer])],
    // The request object's client_id (create-request-object.ts): the verifier did:key or x509_hash:….
    clientId,
    // The DCQL queries this login's request object carried (its trust framework's profiles, its scope).
    sentQueries: (session) => dcqlQueryForScope(authorizeDeps.policy.dcqlProfiles, session.scope).credentials,
  };

  const trustRegistries = createTrustRegistries({ fetch, dids, ttlMs: cache.trustedIssuersTtlSeconds * 1000, now });
  return {
    config,
    issuer,
    identity,
    clients,
    tokenDeps,
    authorizeDeps,
    walletDeps,
    logins,
    loginAdmission,
    demo,
    store,
    fiwareServices,
    fiwareConfig,
    fiwareDeps: createFiwareDeps({ tokenDeps, services: fiwareServices, trust: trustRegistries }),
    trustRegistries,
    ready: () => clients.loadedAt !== undefined,
    storeHealthy: async () => (await probeStore(store, probeKey)) === undefined,
    async readiness() {
      const count = clients.all().length;
      const listReason = clients.loadedAt === undefined ? 'not-loaded' : count === 0 ? 'empty' : undefined;
      const storeReason = await probeStore(store, probeKey);
      const status = (reason: string | undefined): ComponentStatus => (reason ? 'DOWN' : 'UP');
      return {
        status: listReason || storeReason ? 'DOWN' : 'UP',
        components: {
          trustedServicesList: { status: status(listReason), clients: count, ...(listReason ? { reason: listReason } : {}) },
          store: { status: status(storeReason), type: backend.store.type, ...(storeReason ? { reason: storeReason } : {}) },
        },
      };
    },
    async close() {
      clients.stop();
      fiwareRemote?.stop();
      fetcher.close();
      if (!options.store) await store.close();
    },
  };
}
