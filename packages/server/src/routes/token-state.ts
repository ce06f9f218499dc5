/**
 * `POST /oidc/revoke` (RFC 7009) and `POST /oidc/introspect` (RFC 7662): the framework-free
 * handlers in core (oauth/token-state). Both verify a client assertion and, for JWTs, the
 * token's signature — CPU-bound like the token endpoint, so they get the same admission
 * (refusal at headers time, per-client rate limit, turn in the shared work queue; http/admission.ts).
 */
import type { FastifyInstance } from 'fastify';
import { handleIntrospectionRequest, handleRevocationRequest } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import { NO_STORE } from '../http/error-response.ts';
import { claimedClientId, cpuBoundRoute, type Admission } from '../http/admission.ts';

export function revocationRoute(app: FastifyInstance, runtime: Runtime, admission: Admission): void {
  cpuBoundRoute(app, admission, '/oidc/revoke', { clientId: claimedClientId }, async (request, reply, params) => {
    await handleRevocationRequest(runtime.tokenDeps, params, request.headers.authorization);
    return reply.code(200).headers(NO_STORE).send();
  });
}

export function introspectionRoute(app: FastifyInstance, runtime: Runtime, admission: Admission): void {
  cpuBoundRoute(app, admission, '/oidc/introspect', { clientId: claimedClientId }, async (request, reply, params) => {
    const answer = await handleIntrospectionRequest(runtime.tokenDeps, params, request.headers.authorization);
    return reply.headers(NO_STORE).send(answer);
  });
}
