/** `POST /oidc/token`: admission (http/admission.ts), then the framework-free token endpoint. */
import type { FastifyInstance } from 'fastify';
import { handleTokenRequest } from '@dome-verifier/core';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';
import { sendTokenResponse } from '../http/token-response.ts';
import { claimedClientId, cpuBoundRoute, FORM_BODY_LIMIT, type Admission } from '../http/admission.ts';

/** The body limit of the form endpoints (cpuBoundRoute applies it). */
export const TOKEN_BODY_LIMIT = FORM_BODY_LIMIT;

export function tokenRoute(app: FastifyInstance, runtime: Runtime, metrics: Metrics, admission: Admission): void {
  cpuBoundRoute(app, admission, '/oidc/token', { clientId: claimedClientId }, async (request, reply, params) => {
    const response = await handleTokenRequest(runtime.tokenDeps, params, request.headers.authorization);
    metrics.tokensIssued.inc({ grant_type: params.grant_type ?? 'unknown' });
    return sendTokenResponse(reply, response);
  });
}
