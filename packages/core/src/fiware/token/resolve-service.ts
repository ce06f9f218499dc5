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

export function resolveScopes(service: FiwareService, scope: string | undefined): ResolvedService {
  const scopeNames = requestedFiwareScopes(service, scope);
  const scopes = scopeNames.map((name) => {
    const s = Object.hasOwn(service.oidcScopes, name) ? service.oidcScopes[name] : undefined;
    if (!s) throw new VerifierError('ERR_FIWARE_SCOPE_UNKNOWN', `scope ${name.slice(0, 64)} is not a scope of service ${service.id}`);
    return s;
  });
  return { service, scopeNames, scopes };
}

/** The service's token endpoint URL (an accepted VP audience; discovery's `token_endpoint`). */
export const serviceTokenEndpoint = (issuer: string, serviceId: string): string => `${issuer}/services/${encodeURIComponent(serviceId)}/token`;
