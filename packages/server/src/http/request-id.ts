/**
 * The request id: a caller's `X-Request-Id` (a proxy's or a client's correlation id) is taken
 * only when it is a plain token — at most 128 characters of [A-Za-z0-9._-] — so that it cannot
 * inject into log lines or headers; anything else is replaced by a fresh UUID. The id is the
 * `reqId` of the request's log lines and is echoed in the `X-Request-Id` response header.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const VALID = /^[A-Za-z0-9._-]{1,128}$/;

/** Fastify's `genReqId`: the caller's id when valid, else a fresh UUID. */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && VALID.test(given) ? given : crypto.randomUUID();
}

/** Echoes the request id on every response of `app` (errors and refusals included). */
export function echoRequestId(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
}
