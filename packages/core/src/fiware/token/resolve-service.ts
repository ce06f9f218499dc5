/**
 * Which service and scopes a FIWARE token request names (spec §2.1, §4.1–4.2): the path's
 * service id, else (on `/token`) the `client_id` HTTP header (vp_token) or `resource` (token
 * exchange); the scopes comma-separated (`requestedFiwareScopes`), each one of the service's.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import { requestedFiwareScopes, type FiwareScope, type FiwareService } from '../service-config.ts';
import type { FiwareDeps } from './context.ts';

export interface ResolvedService {
  readonly service: FiwareService;
  /** Requested scope names, in request order, deduplicated. */
  readonly scopeNames: readonly string[];
  readonly scopes: readonly FiwareScope[];
}

export async function resolveService(deps: FiwareDeps, serviceId: string | undefined, where: string): Promise<FiwareService> {
  if (serviceId === undefined || serviceId === '') throw new VerifierError('ERR_FIWARE_SERVICE_UNKNOWN', `no service named: use /services/{id}/token or ${where}`);
  const service = await deps.services.get(serviceId);
  if (!service) throw new VerifierError('ERR_FIWARE_SERVICE_UNKNOWN', `service ${serviceId.slice(0, 64)} is not configured`);
  return service;
}

/**
 * A requested name the service does not have but whose space-separated parts all are its scopes
 * stands for those parts (the FIWARE OID4VP client library joins scopes with spaces, spec §8.2;
 * checklist row 3). An exact name always wins (`openid learcredential`).
 */
function splitOnSpaces(service: FiwareService, names: readonly string[]): string[] {
  const has = (n: string) => Object.hasOwn(service.oidcScopes, n);
  const out = names.flatMap((n) => {
    if (has(n) || !n.includes(' ')) return [n];
    const parts = n.split(' ').filter((p) => p !== '');
    return parts.every(has) ? parts : [n];
  });
  return [...new Set(out)];
}

export function resolveScopes(service: FiwareService, scope: string | undefined): ResolvedService {
  const scopeNames = splitOnSpaces(service, requestedFiwareScopes(service, scope));
  const scopes = scopeNames.map((name) => {
    const s = Object.hasOwn(service.oidcScopes, name) ? service.oidcScopes[name] : undefined;
    if (!s) throw new VerifierError('ERR_FIWARE_SCOPE_UNKNOWN', `scope ${name.slice(0, 64)} is not a scope of service ${service.id}`);
    return s;
  });
  return { service, scopeNames, scopes };
}

/** The service's token endpoint URL (an accepted VP audience; discovery's `token_endpoint`). */
export const serviceTokenEndpoint = (issuer: string, serviceId: string): string => `${issuer}/services/${encodeURIComponent(serviceId)}/token`;
