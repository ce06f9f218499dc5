/**
 * The Credentials-Config-Service-compatible `/service` API (FIWARE VCVerifier's built-in config
 * server, spec §2.11), framework-free: each handler takes what the route read (path id, query,
 * body text) and returns the status, headers and JSON body. Validation is `parseFiwareService`
 * (VCVerifier's rules and ours); the registry enforces existence, conflicts and the count limit.
 * Authentication and the body-size cap are the listener's (server routes/fiware-config-api.ts).
 */
import { parseFiwareService, type FiwareService } from '../service-config.ts';
import type { StoredServiceRegistry, ServiceChange } from './stored-service-registry.ts';
import { PROBLEM_TYPES, problem, type ProblemDetails } from './problem-details.ts';

export interface ApiResult {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** JSON body; a ProblemDetails on errors; absent for 204. */
  readonly body?: unknown;
}

/** Page size when a list request names none (VCVerifier's default), and the largest accepted. */
export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 100;
const MAX_PAGE = 1_000_000;

/** Keys VCVerifier takes from static YAML only (not in its `ServiceRequest`, not persisted). */
const STATIC_ONLY_KEYS = ['authorizationPath', 'allowedOrigins'] as const;
/** Validation problems named in one answer. */
const MAX_PROBLEMS = 10;

export interface ServiceApiOptions {
  registry: StoredServiceRegistry;
  /** Told about every change that took effect (id only). */
  onChange?: (change: ServiceChange, id: string) => void;
}

const fail = (p: ProblemDetails): ApiResult => ({ status: p.status, body: p });
const validation = (title: string, detail: string) => fail(problem(400, PROBLEM_TYPES.validation, title, detail));
const notFound = (id: string) => fail(problem(404, PROBLEM_TYPES.notFound, 'Service not found', `No service with id ${JSON.stringify(id)} exists.`));

/** The body as a service: JSON, no static-only key, the path id (PUT), parseFiwareService. */
function readService(body: string | undefined, pathId: string | undefined): { service: FiwareService } | { result: ApiResult } {
  let json: unknown;
  try {
    json = JSON.parse(body ?? '');
  } catch {
    return { result: validation('Invalid request body', 'Failed to parse request body: the body must be a JSON object.') };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { result: validation('Invalid request body', 'Failed to parse request body: the body must be a JSON object.') };
  }
  const fields = json as Record<string, unknown>;
  for (const key of STATIC_ONLY_KEYS) {
    if (Object.hasOwn(fields, key)) {
      return { result: validation('Validation error', `field '${key}' can only be configured in verifier.fiware.services, not through this API`) };
    }
  }
  if (pathId !== undefined) {
    if (fields['id'] !== undefined && fields['id'] !== pathId) {
      return { result: validation('Validation error', `field 'id' must be the service id of the path (${JSON.stringify(pathId)}) or absent`) };
    }
    json = { ...fields, id: pathId };
  } else if (fields['id'] === undefined || fields['id'] === '') {
    return { result: validation('Validation error', "field 'id' is required") };
  }
  const parsed = parseFiwareService(json);
  if ('problems' in parsed) {
    const listed = parsed.problems.slice(0, MAX_PROBLEMS).map((p) => (p.path === '' ? p.reason : `${p.path}: ${p.reason}`));
    const more = parsed.problems.length > MAX_PROBLEMS ? ` (and ${parsed.problems.length - MAX_PROBLEMS} more)` : '';
    return { result: validation('Validation error', `${listed.join('; ')}${more}`) };
  }
  return { service: parsed.service };
}

/** A non-negative integer query parameter, `fallback` when absent or empty (VCVerifier). */
function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | ApiResult {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    return validation(`Invalid ${name} parameter`, `query parameter ${JSON.stringify(name)} must be an integer between ${min} and ${max}`);
  }
  return Number(raw);
}

export function createServiceApi(o: ServiceApiOptions) {
  const { registry } = o;
  const changed = (change: ServiceChange, id: string) => o.onChange?.(change, id);

  return {
    /** POST /service: 201 + Location + the stored service; 400; 409 when the id exists; 422 when full. */
    async create(body: string | undefined): Promise<ApiResult> {
      const read = readService(body, undefined);
      if ('result' in read) return read.result;
      const { service } = read;
      const r = await registry.create(service);
      if (!r.ok) {
        if (r.reason === 'exists') return fail(problem(409, PROBLEM_TYPES.conflict, 'Service already exists', `A service with id ${JSON.stringify(service.id)} already exists.`));
        return fail(problem(422, PROBLEM_TYPES.tooMany, 'Too many services', 'The configuration API holds the maximum number of services; delete one first.'));
      }
      changed('create', service.id);
      return { status: 201, headers: { location: `/service/${service.id}` }, body: service };
    },

    /** GET /service?page&pageSize: one page of the stored services, ordered by id. */
    async list(query: URLSearchParams): Promise<ApiResult> {
      const page = intParam(query, 'page', 0, 0, MAX_PAGE);
      if (typeof page !== 'number') return page;
      const pageSize = intParam(query, 'pageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
      if (typeof pageSize !== 'number') return pageSize;
      const all = await registry.listStored();
      return { status: 200, body: { total: all.length, pageNumber: page, pageSize, services: all.slice(page * pageSize, (page + 1) * pageSize) } };
    },

    /** GET /service/{id}: 200 / 404. */
    async get(id: string): Promise<ApiResult> {
      const service = await registry.getStored(id);
      return service ? { status: 200, body: service } : notFound(id);
    },

    /** PUT /service/{id}: the id comes from the path; 200 / 400 / 404. */
    async replace(id: string, body: string | undefined): Promise<ApiResult> {
      const read = readService(body, id);
      if ('result' in read) return read.result;
      const r = await registry.replace(read.service);
      if (!r.ok) return notFound(id);
      changed('replace', id);
      return { status: 200, body: read.service };
    },

    /** DELETE /service/{id}: 204 / 404. */
    async delete(id: string): Promise<ApiResult> {
      const r = await registry.delete(id);
      if (!r.ok) return notFound(id);
      changed('delete', id);
      return { status: 204 };
    },

    /** GET /service/{id}/scope?oidcScope: the credential types of that scope (default scope when omitted). */
    async scope(id: string, query: URLSearchParams): Promise<ApiResult> {
      const service = await registry.getStored(id);
      if (!service) return notFound(id);
      const name = query.get('oidcScope') || service.defaultOidcScope;
      const scope = Object.hasOwn(service.oidcScopes, name) ? service.oidcScopes[name] : undefined;
      if (!scope) return fail(problem(404, PROBLEM_TYPES.notFound, 'Scope not found', `The requested scope does not exist for service ${JSON.stringify(id)}.`));
      return { status: 200, body: scope.credentials.map((c) => c.type) };
    },
  };
}

export type ServiceApi = ReturnType<typeof createServiceApi>;
