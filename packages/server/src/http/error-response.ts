/**
 * The one place where failures become HTTP responses: a VerifierError becomes an RFC 6749
 * §5.2 body `{error, error_description}` with its status; anything else becomes a logged
 * `server_error` (500) whose description carries only the request id. Fastify's own request
 * errors (body too large, bad content type, malformed body) map onto stable codes too.
 */
import type { FastifyReply } from 'fastify';
import { ERROR_CODES, PROBLEM_JSON_CODES, VerifierError } from '@dome-verifier/core';
import { RefusedError } from './admission.ts';

export const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * Errors of the FIWARE endpoints (routes/fiware-token.ts) → the `summary` their body carries
 * beside the RFC 6749 members, as VCVerifier's `{summary, details}` (docs/fiware.md).
 */
export const fiwareErrorSummaries = new WeakMap<VerifierError, string>();

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
}

/** Maps any thrown value to a VerifierError (unknown errors become ERR_SERVER). */
export function toVerifierError(err: unknown, requestId: string): VerifierError {
  if (err instanceof VerifierError) return err;
  const f = (err ?? {}) as FastifyLikeError;
  switch (f.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new VerifierError('ERR_REQUEST_TOO_LARGE', 'the request body exceeds 64 KiB');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new VerifierError('ERR_REQUEST_CONTENT_TYPE', 'the body must be application/x-www-form-urlencoded');
    default:
      if (typeof f.statusCode === 'number' && f.statusCode >= 400 && f.statusCode < 500) {
        return new VerifierError('ERR_REQUEST_MALFORMED', 'the request cannot be parsed');
      }
      return new VerifierError('ERR_SERVER', `internal error (request id ${requestId})`, { cause: err });
  }
}

/**
 * The RFC 6749 error body. 503 and 429 carry `Retry-After` (the refusal's own, else 5 s); a
 * refusal made before the body was read closes the connection, so the unread body is never
 * drained (http/admission.ts).
 */
export function sendOAuthError(reply: FastifyReply, err: VerifierError): FastifyReply {
  reply.header('cache-control', NO_STORE['cache-control']).header('pragma', NO_STORE.pragma);
  if (err.retryAfterSeconds !== undefined) reply.header('retry-after', String(err.retryAfterSeconds));
  else if (err.status === 503 || err.status === 429) reply.header('retry-after', '5');
  if (err instanceof RefusedError && err.closeConnection) reply.header('connection', 'close');
  if (PROBLEM_JSON_CODES.has(err.code)) {
    // RFC 9457 as IN2 answers the dual-format gate, with the RFC 6749 members kept beside it.
    const problem = { type: `urn:dome-verifier:error:${err.error}`, title: ERROR_CODES[err.code].summary, status: err.status, detail: err.message, error: err.error, error_description: err.message };
    return reply.code(err.status).header('content-type', 'application/problem+json; charset=utf-8').send(JSON.stringify(problem));
  }
  const summary = fiwareErrorSummaries.get(err);
  if (summary !== undefined) return reply.code(err.status).send({ error: err.error, error_description: err.message, summary, details: err.message });
  return reply.code(err.status).send({ error: err.error, error_description: err.message });
}
