/**
 * The FIWARE token endpoint (docs/fiware.md): `POST /services/{id}/token` and `POST /token`,
 * through the same admission, work queue and rate limits as `/oidc/token` (cpuBoundRoute), then
 * the framework-free `handleFiwareTokenRequest`. Error bodies carry VCVerifier's `summary`
 * (the stable code of the failing check) and `details` beside `error`/`error_description`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { VerifierError } from '@dome-verifier/core';
import { fiwareErrorSummary, handleFiwareTokenRequest, type FiwareTokenRequest } from '@dome-verifier/core/fiware';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';
import { fiwareErrorSummaries } from '../http/error-response.ts';
import { sendTokenResponse } from '../http/token-response.ts';
import { cpuBoundRoute, type Admission } from '../http/admission.ts';

const headerValue = (request: FastifyRequest, name: string): string | undefined => {
  const v = request.headers[name];
  return typeof v === 'string' && v !== '' ? v.slice(0, 256) : undefined;
};

export function fiwareTokenRoutes(app: FastifyInstance, runtime: Runtime, metrics: Metrics, admission: Admission): void {
  const handle = async (request: FastifyRequest, reply: import('fastify').FastifyReply, params: Record<string, string>, pathServiceId: string | undefined) => {
    const req: FiwareTokenRequest = { params, ...(pathServiceId !== undefined ? { pathServiceId } : {}), ...(headerValue(request, 'client_id') ? { clientIdHeader: headerValue(request, 'client_id')! } : {}) };
    try {
      const response = await handleFiwareTokenRequest(runtime.fiwareDeps, req);
      metrics.tokensIssued.inc({ grant_type: params.grant_type ?? 'unknown' });
      return sendTokenResponse(reply, response);
    } catch (e) {
      if (e instanceof VerifierError) fiwareErrorSummaries.set(e, fiwareErrorSummary(e));
      throw e;
    }
  };
  cpuBoundRoute(app, admission, '/services/:serviceId/token', {}, (request, reply, params) => handle(request, reply, params, (request.params as { serviceId: string }).serviceId));
  cpuBoundRoute(app, admission, '/token', {}, (request, reply, params) => handle(request, reply, params, undefined));
}
