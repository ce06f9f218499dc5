/**
 * `POST /oidc/revoke` (RFC 7009) and `POST /oidc/introspect` (RFC 7662): content type check,
 * then the framework-free handlers in core (oauth/token-state). Both verify a client assertion
 * and, for JWTs, the token's signature — CPU-bound like the token endpoint, so they wait their
 * turn in the same work queue.
 * TODO(coordinator): move both onto the shared "CPU-bound route" wrapper of server/src/http/
 * (queue + headers-time refusal + rate limits) once it is on main, as for routes/token.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { handleIntrospectionRequest, handleRevocationRequest, parseFormBody, VerifierError } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import { NO_STORE } from '../http/error-response.ts';
import type { WorkQueue } from '../http/work-queue.ts';
import { TOKEN_BODY_LIMIT } from './token.ts';

/** The form body, once it is this request's turn (the content type is refused before queueing). */
async function formOf(request: FastifyRequest, work: WorkQueue): Promise<Record<string, string>> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) {
    throw new VerifierError('ERR_REQUEST_CONTENT_TYPE', 'the body must be application/x-www-form-urlencoded');
  }
  await work.turn();
  return parseFormBody(typeof request.body === 'string' ? request.body : '');
}

export function revocationRoute(app: FastifyInstance, runtime: Runtime, work: WorkQueue): void {
  app.post('/oidc/revoke', { bodyLimit: TOKEN_BODY_LIMIT }, async (request, reply) => {
    await handleRevocationRequest(runtime.tokenDeps, await formOf(request, work), request.headers.authorization);
    return reply.code(200).headers(NO_STORE).send();
  });
}

export function introspectionRoute(app: FastifyInstance, runtime: Runtime, work: WorkQueue): void {
  app.post('/oidc/introspect', { bodyLimit: TOKEN_BODY_LIMIT }, async (request, reply) => {
    const answer = await handleIntrospectionRequest(runtime.tokenDeps, await formOf(request, work), request.headers.authorization);
    return reply.headers(NO_STORE).send(answer);
  });
}
