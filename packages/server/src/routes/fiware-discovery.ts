/**
 * FIWARE discovery and keys (docs/fiware.md): `GET /services/{id}/.well-known/openid-configuration`
 * (404 for an unknown service) and `GET /.well-known/jwks` (the `/oidc/jwks` key set).
 */
import type { FastifyInstance } from 'fastify';
import { createServiceDiscoveryDocument, FIWARE_JWKS_PATH } from '@dome-verifier/core/fiware';
import type { Runtime } from '../runtime.ts';

export function fiwareDiscoveryRoutes(app: FastifyInstance, runtime: Runtime): void {
  const jwks = { keys: [runtime.identity.publicJwk] };
  app.get<{ Params: { serviceId: string } }>('/services/:serviceId/.well-known/openid-configuration', async (request, reply) => {
    const service = await runtime.fiwareServices.get(request.params.serviceId);
    if (!service) return reply.code(404).send({ error: 'not_found', error_description: 'no such service' });
    return reply.header('cache-control', 'public, max-age=60').send(createServiceDiscoveryDocument(runtime.issuer, service));
  });
  app.get(FIWARE_JWKS_PATH, async (_req, reply) => reply.header('cache-control', 'public, max-age=300').type('application/jwk-set+json').send(jwks));
}
