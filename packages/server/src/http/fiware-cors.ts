/**
 * CORS of the FIWARE endpoints from the services' `allowedOrigins` (VCVerifier allows the union
 * of all services' origins everywhere; here `/services/{id}/…` answers only that service's
 * origins, `/token` and `/.well-known/jwks` the union). Set when the headers arrive, so refusals
 * carry it too; preflights (OPTIONS) are answered here. No credentials are allowed cross-origin.
 */
import type { FastifyInstance } from 'fastify';
import type { FiwareServiceRegistry } from '@dome-verifier/core/fiware';
import { allowOrigin } from './cors.ts';

const originOf = (u: string): string | undefined => {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
};

async function allowedOrigins(services: FiwareServiceRegistry, path: string): Promise<readonly string[] | undefined> {
  const m = /^\/services\/([^/]+)\//.exec(path);
  if (m) {
    let id: string;
    try {
      id = decodeURIComponent(m[1]!);
    } catch {
      return undefined;
    }
    return (await services.get(id))?.allowedOrigins;
  }
  if (path === '/token' || path === '/.well-known/jwks') return (await services.list()).flatMap((s) => s.allowedOrigins ?? []);
  return undefined;
}

export function fiwareCors(app: FastifyInstance, services: FiwareServiceRegistry): void {
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (!origin) return undefined;
    const path = request.url.split('?', 1)[0]!;
    const allowed = await allowedOrigins(services, path);
    if (!allowed || !allowed.some((o) => originOf(o) === origin)) return undefined;
    return allowOrigin(request, reply, origin, 'Content-Type, Authorization, client_id');
  });
}
