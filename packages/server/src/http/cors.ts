/**
 * CORS as the IN2 verifier configures it (dome-verifier-wire.md §2.10): the `/oidc/*` endpoints
 * and discovery answer cross-origin requests from the origins of registered clients (their `url`),
 * computed from the current client list (IN2 froze it at start-up); the wallet endpoints answer
 * the origins of `verifier.frontend.walletOrigins` (`*` by default, `walletCors`). No credentials
 * are ever allowed cross-origin.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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
    return allowOrigin(request, reply, origin, 'Content-Type, Authorization');
  });
}

/**
 * Echoes an allowed `origin` (with `Vary: Origin`); a preflight (OPTIONS) is answered 204 with
 * GET and POST and `allowHeaders`, any other request goes on.
 */
export function allowOrigin(request: FastifyRequest, reply: FastifyReply, origin: string, allowHeaders: string): FastifyReply | undefined {
  reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
  if (request.method !== 'OPTIONS') return undefined;
  return reply.header('access-control-allow-methods', 'GET, POST').header('access-control-allow-headers', allowHeaders).header('access-control-max-age', '600').code(204).send();
}

/** The wallet endpoints (IN2's `PublicCorsConfig`, and FIWARE's of routes/fiware-login.ts), with or without a query string. */
export function isWalletEndpoint(url: string): boolean {
  const path = url.split('?', 1)[0]!;
  return path === '/oid4vp/auth-response' || path.startsWith('/oid4vp/auth-request/') || path === '/api/v1/authentication_response' || path.startsWith('/api/v1/request/');
}

/**
 * CORS of the wallet endpoints for the wallet PWA (dome-wallet-pwa.md §1.3, §4.2):
 * `Access-Control-Allow-Origin` — `*`, or the request's origin when `verifier.frontend.walletOrigins`
 * lists it — set when the headers arrive, so that every answer carries it, refusals included
 * (rate limit, busy, body too large); without it the PWA sees status 0 and reports failure even
 * when the login succeeded. Preflights are answered here, before any limit. Registered before
 * the other `onRequest` hooks.
 */
export function walletCors(app: FastifyInstance, walletOrigins: string): void {
  const any = walletOrigins === '*';
  const origins = new Set(any ? [] : walletOrigins.split(','));
  app.addHook('onRequest', async (request, reply) => {
    if (!isWalletEndpoint(request.url)) return undefined;
    const origin = request.headers.origin;
    if (any) reply.header('access-control-allow-origin', '*');
    else {
      reply.header('vary', 'Origin');
      if (origin !== undefined && origins.has(origin)) reply.header('access-control-allow-origin', origin);
    }
    if (request.method !== 'OPTIONS') return undefined;
    return reply
      .header('access-control-allow-methods', 'GET, POST, OPTIONS')
      .header('access-control-allow-headers', 'Content-Type, Accept, Accept-Language')
      .header('access-control-max-age', '600')
      .code(204)
      .send();
  });
}
