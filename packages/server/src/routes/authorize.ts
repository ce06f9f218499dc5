/**
 * `GET|POST /oidc/authorize`: parameters from the query (GET) or a form body (POST), duplicates
 * rejected; the outcome of the framework-free authorize handler becomes a 302 to the login page
 * (with the browser-binding cookie), a 302 error redirect to the validated redirect_uri, or an
 * HTML error page when there is no safe place to redirect to.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { handleAuthorizeRequest, parseFormBody, VerifierError } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';

/** Sends the HTML error page for authorization errors that must not be redirected. */
/** The authorization endpoint's error page: explained in the page language by `code`. */
export type ErrorPage = (request: FastifyRequest, reply: FastifyReply, o: { status: number; code: string; homeUri?: string }) => FastifyReply;

function rawParams(request: FastifyRequest): Record<string, string> {
  if (request.method === 'POST') {
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/x-www-form-urlencoded\s*(;|$)/i.test(type)) throw new VerifierError('ERR_REQUEST_CONTENT_TYPE', 'the body must be application/x-www-form-urlencoded');
    return parseFormBody(typeof request.body === 'string' ? request.body : '');
  }
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  return parseFormBody(q === -1 ? '' : url.slice(q + 1));
}

export function authorizeRoutes(app: FastifyInstance, runtime: Runtime, metrics: Metrics, errorPage: ErrorPage): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
    let params: Record<string, string>;
    try {
      params = rawParams(request);
    } catch (e) {
      const v = e instanceof VerifierError ? e : new VerifierError('ERR_REQUEST_MALFORMED', 'the request cannot be parsed');
      request.outcome = v.error;
      metrics.countRejection(v);
      return errorPage(request, reply, { status: 400, code: v.code });
    }
    const outcome = await handleAuthorizeRequest(runtime.authorizeDeps, params, (f) => metrics.countStepFailure(f), { ip: request.ip });
    switch (outcome.kind) {
      case 'login': {
        const { cookie, location } = outcome.result;
        const attrs = [`${cookie.name}=${cookie.value}`, 'Path=/', `Max-Age=${cookie.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(cookie.secure ? ['Secure'] : [])];
        request.outcome = 'login';
        return reply.header('set-cookie', attrs.join('; ')).redirect(location, 302);
      }
      case 'redirect-error':
        request.outcome = outcome.error.error;
        metrics.countRejection(outcome.error);
        request.log.info({ code: outcome.error.code }, 'authorization request rejected (redirected)');
        return reply.redirect(outcome.location, 302);
      case 'page-error': {
        // A pending-login cap keeps its 429/503 (with Retry-After); other refusals are 400.
        const status = outcome.error.status === 429 || outcome.error.status >= 500 ? outcome.error.status : 400;
        if (outcome.error.retryAfterSeconds !== undefined) reply.header('retry-after', String(outcome.error.retryAfterSeconds));
        request.outcome = outcome.error.error;
        metrics.countRejection(outcome.error);
        request.log.info({ code: outcome.error.code }, 'authorization request rejected (error page)');
        return errorPage(request, reply, { status, code: outcome.error.code, ...(outcome.homeUri ? { homeUri: outcome.homeUri } : {}) });
      }
    }
  };
  app.get('/oidc/authorize', handler);
  app.post('/oidc/authorize', handler);
}
