/**
 * Operations: `/health` (200 once the client list has loaded and the store answers; 503 with the
 * failing component `DOWN` otherwise) and Prometheus `/metrics` (alias `/prometheus`, as in DOME).
 */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';

export function opsRoutes(app: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  app.get('/health', async (_req, reply) => {
    const listUp = runtime.ready();
    const storeUp = await runtime.storeHealthy();
    const up = listUp && storeUp;
    const status = (ok: boolean) => (ok ? 'UP' : 'DOWN');
    return reply
      .code(up ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({
        status: status(up),
        components: {
          trustedServicesList: { status: status(listUp), clients: runtime.clients.all().length },
          store: { status: status(storeUp), type: runtime.config.verifier.backend.store.type },
        },
      });
  });
  const scrape = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  app.get('/metrics', scrape);
  app.get('/prometheus', scrape);
}
