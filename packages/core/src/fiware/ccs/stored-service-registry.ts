/**
 * The mutable FIWARE service registry behind the `/service` configuration API: services persist
 * in the Store, so every replica on one Redis store sees one set, and each replica reads them
 * through a short-lived cache (the token and login paths call `get` per request).
 *
 * Representation, on the Store port's operations only (no new operation):
 *   - `<p>svc:<id>:<rev>` — one service as normalised JSON, immutable (a new `rev` per write);
 *   - `<p>index:<n>` — version n of the set: `{ "services": { id: rev, … } }`, written with
 *     `setIfAbsent`, so that exactly one writer creates each version: a compare-and-set on
 *     "version n+1 does not exist yet". Versions are contiguous; the newest one is kept, the
 *     one it supersedes is deleted;
 *   - `<p>head` — the newest version number as a hint (written after each version; it can lag
 *     behind for a moment, readers walk forward from it).
 * A writer reads the newest version, decides (409, 404, too many), writes the service blob,
 * then tries `setIfAbsent(index:n+1)`; when another writer won that version, it deletes its
 * blob and starts again from the newest version. A rejected request leaves nothing stored.
 * Stored keys carry a 100-year TTL: the port requires one; services never expire.
 * The FIWARE surface (`get`, `list`) reads a per-replica cache renewed after `cacheTtlMs` (two
 * small reads when nothing changed); the API's own reads (`getStored`, `listStored`) read the
 * store, so an operator reads what any replica wrote.
 *
 * Precedence (VCVerifier's, spec §6.3 item 3): the static `verifier.fiware.services` are seeded
 * and kept while the API holds no service with the same id; an API service with that id hides
 * the static one, deleting it shows the static one again. The API itself lists, replaces and
 * deletes only the services it holds.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../../ports/store.ts';
import type { Clock } from '../../ports/clock.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { FIWARE_LIMITS, parseFiwareService, type FiwareService } from '../service-config.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';

/** Stored services never expire; the Store port requires a TTL, so they get a very long one. */
export const STORED_SERVICE_TTL_MS = 100 * 365 * 86_400_000;
/** Versions a reader may skip when the head hint lags behind (writers that set it late). */
const MAX_HEAD_LAG = 64;
/** Versions a reader walks forward from the head hint at most. */
const MAX_WALK = 1024;
/** Writers that lose a version race try again this often before giving up with 503. */
const MAX_WRITE_ATTEMPTS = 16;
/** Blobs read at once while loading a changed set. */
const READ_BATCH = 50;

export type ServiceChange = 'create' | 'replace' | 'delete';

export type MutationResult =
  | { readonly ok: true; readonly service?: FiwareService }
  | { readonly ok: false; readonly reason: 'exists' | 'not-found' | 'too-many' };

export interface StoredServiceRegistry extends FiwareServiceRegistry {
  /** The services the API holds (not the static ones), ordered by id. */
  listStored(): Promise<readonly FiwareService[]>;
  /** A service the API holds, or undefined. */
  getStored(id: string): Promise<FiwareService | undefined>;
  create(service: FiwareService): Promise<MutationResult>;
  replace(service: FiwareService): Promise<MutationResult>;
  delete(id: string): Promise<MutationResult>;
  /** Reads the store now (start-up; tests). */
  refresh(): Promise<void>;
}

export interface StoredServiceRegistryOptions {
  store: Store;
  clock: Clock;
  /** Key prefix inside the store, e.g. `fiware-ccs:`. */
  keyPrefix?: string;
  /** The static services (`verifier.fiware.services`). */
  seed: readonly FiwareService[];
  /** How long a replica serves its cached set before reading the store again. */
  cacheTtlMs: number;
  /** At most this many stored services (default FIWARE_LIMITS.services). */
  maxServices?: number;
  /** Told about unreadable stored entries and refresh failures (never bodies). */
  onWarning?: (message: string) => void;
}

interface Version {
  readonly n: number;
  /** The index document as stored (written back unchanged), or undefined for version 0. */
  readonly text: string | undefined;
  readonly revs: Readonly<Record<string, string>>;
}

interface Snapshot {
  readonly version: number;
  readonly revs: Readonly<Record<string, string>>;
  readonly stored: ReadonlyMap<string, FiwareService>;
  /** The effective set: static ones overridden by stored ones. */
  readonly effective: ReadonlyMap<string, FiwareService>;
  readonly ordered: readonly FiwareService[];
  readonly storedOrdered: readonly FiwareService[];
  readonly loadedAt: number;
  /** Order in which the read that produced it began (the latest-begun read wins). */
  readonly started: number;
}

const byId = (a: FiwareService, b: FiwareService) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function parseIndex(text: string): Record<string, string> | undefined {
  try {
    const doc = JSON.parse(text) as { services?: unknown };
    const services = doc.services;
    if (typeof services !== 'object' || services === null || Array.isArray(services)) return undefined;
    for (const v of Object.values(services)) if (typeof v !== 'string') return undefined;
    return services as Record<string, string>;
  } catch {
    return undefined;
  }
}

export function createStoredServiceRegistry(o: StoredServiceRegistryOptions): StoredServiceRegistry {
  const { store, clock } = o;
  const prefix = o.keyPrefix ?? 'fiware-ccs:';
  const maxServices = o.maxServices ?? FIWARE_LIMITS.services;
  const warn = o.onWarning ?? (() => undefined);
  const headKey = `${prefix}head`;
  const indexKey = (n: number) => `${prefix}index:${n}`;
  const blobKey = (id: string, rev: string) => `${prefix}svc:${id}:${rev}`;
  const seed = new Map(o.seed.map((s) => [s.id, s]));

  let snapshot: Snapshot | undefined;
  let loading: Promise<Snapshot> | undefined;
  let reads = 0;

  function makeSnapshot(started: number, version: number, revs: Readonly<Record<string, string>>, stored: ReadonlyMap<string, FiwareService>): Snapshot {
    const effective = new Map(seed);
    for (const [id, s] of stored) effective.set(id, s);
    return {
      version,
      revs,
      stored,
      effective,
      ordered: [...effective.values()].sort(byId),
      storedOrdered: [...stored.values()].sort(byId),
      loadedAt: clock.now(),
      started,
    };
  }

  /** The newest version: from the head hint, over versions a late head write skipped, then forward. */
  async function newest(): Promise<Version> {
    const hint = Number((await store.get(headKey)) ?? '0');
    let n = Number.isSafeInteger(hint) && hint >= 0 ? hint : 0;
    let text = n === 0 ? undefined : await store.get(indexKey(n));
    if (n > 0 && text === undefined) {
      // The hinted version was superseded (and deleted) after the hint was written: walk on.
      for (let i = 1; i <= MAX_HEAD_LAG && text === undefined; i++) {
        const t = await store.get(indexKey(n + i));
        if (t !== undefined) {
          n += i;
          text = t;
        }
      }
      // Nothing after it either: the store lost the set (flushed); carry on from the hint.
    }
    for (let walked = 0; ; walked++) {
      // Versions are created one write at a time: a walk this long means a store gone wrong.
      if (walked > MAX_WALK) throw new VerifierError('ERR_STORE_UNAVAILABLE', 'the FIWARE service index in the store does not end');
      const next = await store.get(indexKey(n + 1));
      if (next === undefined) break;
      n += 1;
      text = next;
    }
    const revs = text === undefined ? {} : parseIndex(text);
    if (revs === undefined) throw new VerifierError('ERR_STORE_UNAVAILABLE', 'the FIWARE service index in the store is unreadable');
    return { n, text, revs };
  }

  /** A stored service blob; undefined (and a warning) when it is unreadable. */
  function parseBlob(id: string, text: string): FiwareService | undefined {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = parseFiwareService(json);
    if ('problems' in parsed || parsed.service.id !== id) {
      warn(`stored FIWARE service ${id} is unreadable; ignored`);
      return undefined;
    }
    return parsed.service;
  }

  /** Loads the newest set, reusing the services whose revision did not change. */
  async function load(): Promise<Snapshot> {
    const started = ++reads;
    for (let attempt = 0; ; attempt++) {
      const v = await newest();
      const previous = snapshot;
      if (previous && previous.version === v.n) return makeSnapshot(started, v.n, v.revs, previous.stored);
      const stored = new Map<string, FiwareService>();
      const toRead: Array<[string, string]> = [];
      for (const [id, rev] of Object.entries(v.revs)) {
        const cached = previous && previous.revs[id] === rev ? previous.stored.get(id) : undefined;
        if (cached) stored.set(id, cached);
        else toRead.push([id, rev]);
      }
      let missing = false;
      for (let i = 0; i < toRead.length; i += READ_BATCH) {
        const batch = toRead.slice(i, i + READ_BATCH);
        const services = await Promise.all(batch.map(([id, rev]) => store.get(blobKey(id, rev)).then((t) => (t === undefined ? null : parseBlob(id, t)))));
        services.forEach((s, j) => {
          if (s === null) missing = true;
          else if (s) stored.set(batch[j]![0], s);
        });
      }
      // A blob deleted under us: a newer version replaced it while we read; read that one.
      if (missing && attempt < 3) continue;
      return makeSnapshot(started, v.n, v.revs, stored);
    }
  }

  /** Takes a freshly read set, unless a read begun later finished first (reads may finish out of order). */
  function adopt(fresh: Snapshot): Snapshot {
    if (!snapshot || fresh.started > snapshot.started) snapshot = fresh;
    return snapshot;
  }

  /** The set as stored now (the API's own reads: an operator expects to read what was written). */
  async function stored(): Promise<Snapshot> {
    return adopt(await load());
  }

  /** The cached set, read again when older than the TTL (one read at a time). */
  async function current(): Promise<Snapshot> {
    const s = snapshot;
    if (s && clock.now() - s.loadedAt < o.cacheTtlMs) return s;
    loading ??= load()
      .then(adopt)
      .catch((e: unknown) => {
        if (!s) throw e;
        // Keep serving the last good set; try again after another TTL.
        warn(`reading the FIWARE services from the store failed; serving the last good set: ${e instanceof Error ? e.message : String(e)}`);
        snapshot = { ...s, loadedAt: clock.now() };
        return snapshot;
      })
      .finally(() => (loading = undefined));
    return loading;
  }

  // Writes of this replica one at a time (they would only race each other for a version).
  let writes: Promise<unknown> = Promise.resolve();
  function serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = writes.then(task, task);
    writes = run.catch(() => undefined);
    return run;
  }

  function mutate(id: string, decide: (revs: Readonly<Record<string, string>>) => MutationResult | 'ok', service: FiwareService | undefined): Promise<MutationResult> {
    return serialised(async () => {
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const v = await newest();
        const verdict = decide(v.revs);
        if (verdict !== 'ok') return verdict;
        const rev = randomBytes(9).toString('base64url');
        const revs: Record<string, string> = { ...v.revs };
        if (service) {
          await store.set(blobKey(id, rev), JSON.stringify(service), STORED_SERVICE_TTL_MS);
          revs[id] = rev;
        } else delete revs[id];
        let won = false;
        try {
          won = await store.setIfAbsent(indexKey(v.n + 1), JSON.stringify({ services: revs }), STORED_SERVICE_TTL_MS);
        } finally {
          if (!won && service) await store.delete(blobKey(id, rev)).catch(() => undefined);
        }
        if (!won) continue;
        // The change is committed: what follows is the head hint and clean-up, best effort (a
        // lagging head is walked past; a leftover superseded key is harmless).
        try {
          await store.set(headKey, String(v.n + 1), STORED_SERVICE_TTL_MS);
          if (v.n > 0) await store.delete(indexKey(v.n));
          const old = v.revs[id];
          if (old !== undefined) await store.delete(blobKey(id, old));
          adopt(await load()); // read-your-writes on this replica
        } catch (e) {
          warn(`a FIWARE service change is stored, its clean-up failed: ${e instanceof Error ? e.message : String(e)}`);
          if (snapshot) snapshot = { ...snapshot, loadedAt: -Infinity }; // read again on next use
        }
        return service ? { ok: true, service } : { ok: true };
      }
      throw new VerifierError('ERR_STORE_UNAVAILABLE', 'the FIWARE service set changed too often to be written; try again');
    });
  }

  return {
    async get(id) {
      return (await current()).effective.get(id);
    },
    async list() {
      return (await current()).ordered;
    },
    async getStored(id) {
      return (await stored()).stored.get(id);
    },
    async listStored() {
      return (await stored()).storedOrdered;
    },
    create(service) {
      return mutate(service.id, (revs) => (Object.hasOwn(revs, service.id) ? { ok: false, reason: 'exists' } : Object.keys(revs).length >= maxServices ? { ok: false, reason: 'too-many' } : 'ok'), service);
    },
    replace(service) {
      return mutate(service.id, (revs) => (Object.hasOwn(revs, service.id) ? 'ok' : { ok: false, reason: 'not-found' }), service);
    },
    delete(id) {
      return mutate(id, (revs) => (Object.hasOwn(revs, id) ? 'ok' : { ok: false, reason: 'not-found' }), undefined);
    },
    async refresh() {
      await stored();
    },
  };
}
