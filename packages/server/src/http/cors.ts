/**
 * CORS as the IN2 verifier configures it (dome-verifier-wire.md §2.10): the `/oidc/*` endpoints
 * and discovery answer cross-origin requests from the origins of registered clients (their `url`),
 * computed from the current client list (IN2 froze it at start-up); the wallet endpoints are
 * public (`*`, set by their routes). No credentials are ever allowed cross-origin.
 */
import type { FastifyInstance } from 'fastify';
import type { ClientRegistry } from '@dome-verifier/core';

export function registeredClientCors(app: FastifyInstance, clients: ClientRegistry): void {
  let cachedList: unknown;
  let origins = new Set<string>();
  const allowed = () => {
    const list = clients.all();
    if (list !== cachedList) {
      cachedList = list;
      origins = new Set(
        list.flatMap((c) => {
          try {
            return c.url ? [new URL(c.url).origin] : [];
          } catch {
            return [];
          }
        }),
      );
    }
    return origins;
  };

  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    const path = request.url;
    if (!origin || !(path.startsWith('/oidc/') || path.startsWith('/.well-known/'))) return;
    if (!allowed().has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      return reply
        .header('access-control-allow-methods', 'GET, POST')
        .header('access-control-allow-headers', 'Content-Type, Authorization')
        .header('access-control-max-age', '600')
        .code(204)
        .send();
    }
    return undefined;
  });
}
