/** Operations: `/health` (200 once the client list has loaded) and Prometheus `/metrics` (alias `/prometheus`, as in DOME). */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';

export function opsRoutes(app: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  app.get('/health', async (_req, reply) => {
    const up = runtime.ready();
    return reply
      .code(up ? 200 : 503)
      .header('cache-control', 'no-store')
      .send({ status: up ? 'UP' : 'DOWN', components: { trustedServicesList: { status: up ? 'UP' : 'DOWN', clients: runtime.clients.all().length } } });
  });
  const scrape = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  app.get('/metrics', scrape);
  app.get('/prometheus', scrape);
}
