/**
 * Operations:
 * - `/health/live` — liveness: the process answers (no I/O, never DOWN while it runs). Point
 *   liveness probes here, so that a Redis outage or an empty client list does not restart pods.
 * - `/health/ready` and `/health` (the path DOME's chart probes) — readiness: 200 `UP` when tokens
 *   can be served (Trusted Services List loaded and not empty, store writable — a real write
 *   probe), else 503 `DOWN` with the failing component and its `reason`.
 * - Prometheus `/metrics` (alias `/prometheus`, as in DOME).
 */
import type { FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';

export function opsRoutes(app: FastifyInstance, runtime: Runtime, metrics: Metrics): void {
  const ready = async (_req: unknown, reply: import('fastify').FastifyReply) => {
    const r = await runtime.readiness();
    return reply.code(r.status === 'UP' ? 200 : 503).header('cache-control', 'no-store').send(r);
  };
  app.get('/health', ready);
  app.get('/health/ready', ready);
  app.get('/health/live', async (_req, reply) => reply.header('cache-control', 'no-store').send({ status: 'UP' }));
  const scrape = async (_req: unknown, reply: import('fastify').FastifyReply) =>
    reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  app.get('/metrics', scrape);
  app.get('/prometheus', scrape);
}
