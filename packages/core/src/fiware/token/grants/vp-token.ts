/**
 * `grant_type=vp_token` (spec §4.1): `vp_token` (every encoding of §3), `scope` (comma-separated;
 * absent ⇒ the service's default scope); the service is the path's, or on `/token` the HTTP
 * header `client_id` (the form's `client_id` is ignored, as by VCVerifier). No client
 * authentication; `presentation_submission` is not read.
 */
import type { FiwareGrant } from '../context.ts';
import { resolveService } from '../resolve-service.ts';
import { presentAndIssue } from '../present-and-issue.ts';

export const VP_TOKEN_GRANT = 'vp_token';

export const vpTokenGrant: FiwareGrant = {
  grantType: VP_TOKEN_GRANT,
  async handle({ request, deps }) {
    const service = await resolveService(deps, request.pathServiceId ?? request.clientIdHeader, 'the client_id request header');
    return presentAndIssue(deps, service, request.params.vp_token, request.params.scope);
  },
};
