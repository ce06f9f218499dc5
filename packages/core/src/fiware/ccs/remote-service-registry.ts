/**
 * FIWARE services polled from an external Credentials Config Service
 * (`verifier.fiware.configRepo.configEndpoint`, VCVerifier's `configRepo.configEndpoint`, spec
 * §6.3 item 2): every `refreshMs` the endpoint is read page by page,
 * `GET <endpoint>/service?pageSize=100&page=<n>` from page 0, until `total` is 0, a page is short,
 * or `total` services have been read. The whole set is checked as `verifier.fiware.services` is
 * (parseFiwareServices: every service valid, ids unique, at most FIWARE_LIMITS.services) and
 * replaces the previous one only then: on any failure (unreachable, non-200, not JSON, an invalid
 * service, too many) the last good set is kept and the failure reported. Static services are kept
 * while the CCS has none with the same id. Reads through the operator fetcher (timeouts, size
 * caps, no redirects): the endpoint is operator configuration.
 */
import type { Fetcher } from '../../ports/fetcher.ts';
import { FIWARE_LIMITS, parseFiwareServices, type FiwareService } from '../service-config.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';

/** Services per page, as VCVerifier asks. */
export const CCS_PAGE_SIZE = 100;
/** Largest page body read. */
export const CCS_PAGE_MAX_BYTES = 4 * 1024 * 1024;
/** Pages read at most in one refresh (FIWARE_LIMITS.services / page size, plus the last check). */
const MAX_PAGES = Math.ceil(FIWARE_LIMITS.services / CCS_PAGE_SIZE) + 1;

export interface RemoteServiceRegistry extends FiwareServiceRegistry {
  /** Reads the CCS now; true when the set was replaced, false when the last good one is kept. */
  refresh(): Promise<boolean>;
  /** Starts the periodic refresh (after the first `refresh`). */
  start(): void;
  stop(): void;
}

export interface RemoteServiceRegistryOptions {
  endpoint: string;
  fetch: Fetcher;
  seed: readonly FiwareService[];
  refreshMs: number;
  timeoutMs?: number;
  onRefresh?: (outcome: 'ok' | 'failed', services: number) => void;
  /** Told why a refresh failed (never a service body). */
  onWarning?: (message: string) => void;
}

const byId = (a: FiwareService, b: FiwareService) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export function createRemoteServiceRegistry(o: RemoteServiceRegistryOptions): RemoteServiceRegistry {
  const base = o.endpoint.replace(/\/+$/, '');
  const seed = new Map(o.seed.map((s) => [s.id, s]));
  let effective: ReadonlyMap<string, FiwareService> = seed;
  let ordered: readonly FiwareService[] = [...seed.values()].sort(byId);
  let timer: NodeJS.Timeout | undefined;

  async function page(n: number): Promise<{ total: number; services: unknown[] }> {
    const url = `${base}/service?pageSize=${CCS_PAGE_SIZE}&page=${n}`;
    const res = await o.fetch({ url, purpose: 'operator', maxBytes: CCS_PAGE_MAX_BYTES, accept: 'application/json', ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }) });
    if (res.status !== 200) throw new Error(`page ${n} answered HTTP ${res.status}`);
    let doc: unknown;
    try {
      doc = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new Error(`page ${n} is not JSON`);
    }
    const { total, services } = (doc ?? {}) as { total?: unknown; services?: unknown };
    if (typeof total !== 'number' || !Number.isSafeInteger(total) || total < 0 || !Array.isArray(services)) {
      throw new Error(`page ${n} is not a service list ({total, services})`);
    }
    return { total, services };
  }

  async function load(): Promise<FiwareService[]> {
    const all: unknown[] = [];
    for (let n = 0; ; n++) {
      if (n >= MAX_PAGES) throw new Error(`more than ${FIWARE_LIMITS.services} services`);
      const p = await page(n);
      if (p.total > FIWARE_LIMITS.services) throw new Error(`${p.total} services: at most ${FIWARE_LIMITS.services} are served`);
      all.push(...p.services);
      if (p.total === 0 || p.services.length < CCS_PAGE_SIZE || all.length >= p.total) break;
    }
    const parsed = parseFiwareServices(all);
    if ('problems' in parsed) {
      const first = parsed.problems[0]!;
      throw new Error(`invalid service list: ${first.path === '' ? first.reason : `${first.path} ${first.reason}`}`);
    }
    return [...parsed.services];
  }

  const registry: RemoteServiceRegistry = {
    get: async (id) => effective.get(id),
    list: async () => ordered,
    async refresh() {
      try {
        const remote = await load();
        const next = new Map(seed);
        for (const s of remote) next.set(s.id, s);
        effective = next;
        ordered = [...next.values()].sort(byId);
        o.onRefresh?.('ok', remote.length);
        return true;
      } catch (e) {
        o.onRefresh?.('failed', effective.size);
        o.onWarning?.(`reading the FIWARE services from ${base} failed, keeping the last good set of ${effective.size}: ${e instanceof Error ? e.message : String(e)}`);
        return false;
      }
    },
    start() {
      if (timer || o.refreshMs <= 0) return;
      timer = setInterval(() => void registry.refresh(), o.refreshMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
    },
  };
  return registry;
}
