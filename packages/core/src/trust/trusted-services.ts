/**
 * Client registry from the DOME Trusted Services List (YAML, dome-verifier-wire.md §7.1).
 * Loaded at start and refreshed periodically; a failed refresh keeps the last good list
 * (IN2 V1/V2 never refreshed at all — SRS P0-6).
 */
import { fileURLToPath } from 'node:url';
import type { Fetcher } from '../ports/fetcher.ts';
import { isRecord } from '../shared/json.ts';
import { parseYamlBounded } from '../shared/yaml.ts';

export interface RegisteredClient {
  readonly clientId: string;
  readonly url: string | undefined;
  readonly redirectUris: readonly string[];
  readonly scopes: readonly string[];
  readonly clientAuthenticationMethods: readonly string[];
  readonly authorizationGrantTypes: readonly string[];
  readonly postLogoutRedirectUris: readonly string[];
  readonly requireAuthorizationConsent: boolean;
  readonly requireProofKey: boolean;
  readonly jwkSetUrl: string | undefined;
  readonly tokenEndpointAuthenticationSigningAlgorithm: string | undefined;
  /**
   * The client's tenant, copied into its access tokens as `tenant` (IN2 V3 client setting
   * `settings.tenant`; here the entry field `tenant`, `settings.tenant` read too).
   */
  readonly tenant?: string;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length > 0) : []);
const optString = (v: unknown): string | undefined => (typeof v === 'string' && v.trim().length > 0 ? v.trim() : undefined);

export interface ParsedServicesList {
  clients: RegisteredClient[];
  warnings: string[];
}

const MAX_TSL_BYTES = 1024 * 1024;

/**
 * Parses the TSL YAML (at most 1 MiB, nesting ≤ 32). Invalid entries are skipped with a warning;
 * a list without `clients` is an error.
 */
export function parseTrustedServicesList(text: string): ParsedServicesList {
  const doc = parseYamlBounded(text, { name: 'Trusted Services List', maxLength: MAX_TSL_BYTES, maxAliasCount: 50 });
  if (!isRecord(doc) || !Array.isArray(doc.clients)) throw new Error('Trusted Services List has no "clients" list');
  const clients: RegisteredClient[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  doc.clients.forEach((entry: unknown, i: number) => {
    if (!isRecord(entry) || typeof entry.clientId !== 'string' || entry.clientId.length === 0) {
      warnings.push(`clients[${i}] has no clientId; skipped`);
      return;
    }
    if (seen.has(entry.clientId)) {
      warnings.push(`clients[${i}] repeats clientId ${entry.clientId}; the first entry wins`);
      return;
    }
    seen.add(entry.clientId);
    clients.push(
      Object.freeze({
        clientId: entry.clientId,
        url: optString(entry.url),
        redirectUris: Object.freeze(strings(entry.redirectUris)),
        scopes: Object.freeze(strings(entry.scopes)),
        clientAuthenticationMethods: Object.freeze(strings(entry.clientAuthenticationMethods)),
        authorizationGrantTypes: Object.freeze(strings(entry.authorizationGrantTypes)),
        postLogoutRedirectUris: Object.freeze(strings(entry.postLogoutRedirectUris)),
        requireAuthorizationConsent: entry.requireAuthorizationConsent === true,
        requireProofKey: entry.requireProofKey === true,
        jwkSetUrl: optString(entry.jwkSetUrl),
        tokenEndpointAuthenticationSigningAlgorithm: optString(entry.tokenEndpointAuthenticationSigningAlgorithm),
        ...tenantOf(entry),
      }),
    );
  });
  return { clients, warnings };
}

function tenantOf(entry: Record<string, unknown>): { tenant?: string } {
  const tenant = optString(entry.tenant) ?? (isRecord(entry.settings) ? optString(entry.settings.tenant) : undefined);
  return tenant === undefined ? {} : { tenant };
}

export interface ClientRegistry {
  get(clientId: string): RegisteredClient | undefined;
  all(): readonly RegisteredClient[];
  /** Loads the list now; rejects when the first load fails, keeps the last good list afterwards. */
  refresh(): Promise<void>;
  readonly loadedAt: number | undefined;
  /** For readiness probes: is there a good list, how many clients it has, did the last refresh fail. */
  status(): ClientRegistryStatus;
  stop(): void;
}

export interface ClientRegistryStatus {
  /** `stale`: the last refresh failed and the last good list is kept; `failing`: no list was ever loaded. */
  state: 'unloaded' | 'ok' | 'stale' | 'failing';
  /** Clients in the list in use (0 for a valid `clients: []`: every client is refused). */
  clients: number;
  lastSuccessAt: number | undefined;
  lastFailureAt: number | undefined;
  /** Why the latest refresh failed, while it is the latest outcome. */
  lastError: string | undefined;
}

export interface ClientRegistryOptions {
  url: string;
  fetch: Fetcher;
  refreshMs: number;
  onWarning?: (message: string) => void;
  onRefresh?: (outcome: 'ok' | 'failed', clients: number) => void;
  now?: () => number;
}

/**
 * How a list location is named in errors: a local path as is (a `file:` URL as its path), an
 * http(s) URL without credentials, query or fragment (they may carry secrets).
 */
export function describeLocation(location: string): { name: string; local: boolean } {
  if (/^https?:/i.test(location)) {
    try {
      const u = new URL(location);
      return { name: `${u.origin}${u.pathname}`, local: false };
    } catch {
      return { name: '(invalid URL)', local: false };
    }
  }
  if (/^file:/i.test(location)) {
    try {
      return { name: fileURLToPath(location), local: true };
    } catch {
      return { name: location.replace(/^file:(\/\/)?/i, ''), local: true };
    }
  }
  return { name: location, local: true };
}

export function createClientRegistry(options: ClientRegistryOptions): ClientRegistry {
  let byId = new Map<string, RegisteredClient>();
  let list: readonly RegisteredClient[] = [];
  let loadedAt: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastFailure: { at: number; message: string } | undefined;
  let failing = false;
  const now = options.now ?? Date.now;

  const source = describeLocation(options.url);
  async function load(): Promise<void> {
    let res;
    try {
      res = await options.fetch({ url: options.url, purpose: 'operator', maxBytes: MAX_TSL_BYTES, accept: 'application/yaml, text/yaml, */*', timeoutMs: 5000 });
    } catch (e) {
      throw new Error(`Trusted Services List ${source.name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    if (res.status !== 200) {
      // The fetcher answers 404 for a missing local file (a TIL lookup relies on it): say so here.
      throw new Error(source.local && res.status === 404 ? `Trusted Services List ${source.name}: file not found` : `Trusted Services List ${source.name} answered HTTP ${res.status}`);
    }
    const parsed = parseTrustedServicesList(res.body.toString('utf8'));
    parsed.warnings.forEach((w) => options.onWarning?.(w));
    byId = new Map(parsed.clients.map((c) => [c.clientId, c]));
    list = Object.freeze(parsed.clients);
    loadedAt = now();
  }

  const registry: ClientRegistry = {
    get: (id) => byId.get(id),
    all: () => list,
    get loadedAt() {
      return loadedAt;
    },
    status() {
      const state = failing ? (loadedAt === undefined ? 'failing' : 'stale') : loadedAt === undefined ? 'unloaded' : 'ok';
      return { state, clients: list.length, lastSuccessAt: loadedAt, lastFailureAt: lastFailure?.at, lastError: failing ? lastFailure?.message : undefined };
    },
    async refresh() {
      try {
        await load();
        failing = false;
        options.onRefresh?.('ok', list.length);
      } catch (e) {
        lastFailure = { at: now(), message: e instanceof Error ? e.message : String(e) };
        failing = true;
        options.onRefresh?.('failed', list.length);
        if (loadedAt === undefined) throw e;
        options.onWarning?.(`Trusted Services List refresh failed, keeping ${list.length} clients from the last good load: ${(e as Error).message}`);
      }
      if (!timer && options.refreshMs > 0) {
        timer = setInterval(() => void registry.refresh().catch(() => undefined), options.refreshMs);
        timer.unref();
      }
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return registry;
}
