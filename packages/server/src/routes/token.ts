/** `POST /oidc/token`: content type and body checks, then the framework-free token endpoint. */
import type { FastifyInstance } from 'fastify';
import { handleTokenRequest, parseFormBody, VerifierError } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';
import { NO_STORE } from '../http/error-response.ts';
import type { WorkQueue } from '../http/work-queue.ts';

export const TOKEN_BODY_LIMIT = 64 * 1024;

export function tokenRoute(app: FastifyInstance, runtime: Runtime, metrics: Metrics, work: WorkQueue): void {
  app.post('/oidc/token', { bodyLimit: TOKEN_BODY_LIMIT }, async (request, reply) => {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
      throw new VerifierError('ERR_REQUEST_CONTENT_TYPE', 'the body must be application/x-www-form-urlencoded');
    }
    await work.turn();
    const params = parseFormBody(typeof request.body === 'string' ? request.body : '');
    const response = await handleTokenRequest(runtime.tokenDeps, params, request.headers.authorization);
    metrics.tokensIssued.inc({ grant_type: params.grant_type ?? 'unknown' });
    return reply.headers(NO_STORE).send(response);
  });
}
