/** Discovery (`/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server`), JWKS and the did:key resolver. */
import type { FastifyInstance } from 'fastify';
import { createDiscoveryDocument, GRANTS } from '@dome-verifier/core';
import { didKeyToJwk, isDidKey } from '@dome-verifier/did-key';
import type { Runtime } from '../runtime.ts';

export function wellKnownRoutes(app: FastifyInstance, runtime: Runtime): void {
  const discovery = createDiscoveryDocument(runtime.issuer, {
    grantTypes: [...GRANTS.keys()],
    authorizationEndpoint: true,
    revocationAndIntrospection: true,
    profileScopes: Object.keys(runtime.authorizeDeps.policy.dcqlProfiles),
  });
  const jwks = { keys: [runtime.identity.publicJwk] };
  const cache = 'public, max-age=300';

  app.get('/.well-known/openid-configuration', async (_req, reply) => reply.header('cache-control', cache).send(discovery));
  app.get('/.well-known/oauth-authorization-server', async (_req, reply) => reply.header('cache-control', cache).send(discovery));
  app.get('/oidc/jwks', async (_req, reply) => reply.header('cache-control', cache).type('application/jwk-set+json').send(jwks));

  // did:key → JWKS, used as the jwkSetUrl of did:key clients (dome-verifier-wire.md §2.7).
  // Strict: only P-256 did:keys (multicodec 0x1200); anything else is a 400, never a 500.
  app.get<{ Params: { did: string } }>('/oidc/did/:did', async (request, reply) => {
    const did = request.params.did;
    if (!isDidKey(did)) {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'only did:key identifiers can be resolved' });
    }
    try {
      return reply.header('cache-control', 'public, max-age=86400').send({ keys: [{ ...didKeyToJwk(did), kid: did }] });
    } catch {
      return reply.code(400).send({ error: 'invalid_request', error_description: 'not a P-256 did:key' });
    }
  });
}
