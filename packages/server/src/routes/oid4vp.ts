/**
 * The wallet leg (OpenID4VP as the DOME wallet speaks it): `GET /oid4vp/auth-request/{id}`
 * hands out the signed request object once; `POST /oid4vp/auth-response` receives the
 * presentation (`direct_post`). Both are public: CORS for `verifier.frontend.walletOrigins`
 * (`*` by default, as IN2) on every answer and preflight (http/cors.ts `walletCors`).
 * Presentation failures are answered `400 invalid_request` with a precise description
 * (OpenID4VP §8); 503 when a trust service is down. The wallet is never answered 401: the
 * wallet PWA logs its user out on any 401 (dome-wallet-pwa.md §5).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { handleAuthorizationResponse, requestObjectKey, VerifierError } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';
import { NO_STORE } from '../http/error-response.ts';
import { cpuBoundRoute, type Admission } from '../http/admission.ts';

export function oid4vpRoutes(app: FastifyInstance, runtime: Runtime, admission: Admission, metrics: Metrics): void {
  app.get<{ Params: { id: string } }>('/oid4vp/auth-request/:id', async (request, reply) => {
    const id = request.params.id;
    const jwt = /^[A-Za-z0-9_-]{20,64}$/.test(id) ? await runtime.store.take(requestObjectKey(id)) : undefined;
    reply.headers(NO_STORE);
    if (!jwt) return reply.code(404).send({ error: 'invalid_request_uri', error_description: 'unknown or already used request object' });
    return reply.type('application/oauth-authz-req+jwt').send(jwt);
  });

  cpuBoundRoute(app, admission, '/oid4vp/auth-response', { headers: NO_STORE }, async (request, reply, params) => {
    try {
      await handleAuthorizationResponse(runtime.walletDeps, params);
    } catch (e) {
      return walletRejection(e, request, reply, metrics);
    }
    return reply.send({});
  });
}

/**
 * A failed wallet answer. The catalogue maps presentation failures to invalid_client/401 for the
 * token endpoint, where the presentation authenticates a client; here it answers a wallet
 * request, and a 401 would log the PWA's user out: 400 invalid_request. So are the FIWARE
 * pipeline's rule failures (invalid_grant on its token endpoint; the DOME pipeline raises none).
 * Anything else is rethrown (the error handler answers it). Shared with FIWARE's
 * /api/v1/authentication_response.
 */
export function walletRejection(e: unknown, request: FastifyRequest, reply: FastifyReply, metrics: Metrics): FastifyReply {
  if (e instanceof VerifierError && (e.error === 'invalid_client' || e.error === 'invalid_grant' || e.status === 401)) {
    request.outcome = 'invalid_request';
    metrics.countRejection(e);
    request.log.info({ code: e.code }, 'wallet presentation rejected');
    return reply.code(400).send({ error: 'invalid_request', error_description: e.message });
  }
  throw e;
}
