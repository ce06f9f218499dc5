/**
 * The port through which FIWARE routes find services. The static registry serves
 * `verifier.fiware.services`; a mutable, store-backed registry (the `/service` API) implements
 * the same port, so the token, discovery and login steps never know where a service came from.
 */
import type { FiwareService } from './service-config.ts';

export interface FiwareServiceRegistry {
  /** The service with this id, or undefined. */
  get(id: string): Promise<FiwareService | undefined>;
  /** Every service, ordered by id. */
  list(): Promise<readonly FiwareService[]>;
}

/** Services from configuration; never changes at run time. */
export function staticServiceRegistry(services: readonly FiwareService[]): FiwareServiceRegistry {
  const byId = new Map(services.map((s) => [s.id, s]));
  const ordered = [...services].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return {
    get: async (id) => byId.get(id),
    list: async () => ordered,
  };
}
