/**
 * RFC 8693 token exchange as VCVerifier serves it (spec §4.2):
 * `grant_type=urn:ietf:params:oauth:grant-type:token-exchange`, `subject_token_type` must be
 * `urn:eu:oidf:vp_token`, `subject_token` (the encodings of `vp_token`), `requested_token_type`
 * absent or the access-token type, `scope` as for `vp_token`. The service is the path's; on
 * `/token` `resource` names it (a service id, not a URL). `audience` has no effect (the token's
 * `aud` is the service).
 */
import { VerifierError } from '../../../errors/verifier-error.ts';
import type { FiwareGrant } from '../context.ts';
import { resolveService } from '../resolve-service.ts';
import { presentAndIssue } from '../present-and-issue.ts';
import { ACCESS_TOKEN_TYPE_URI } from '../issue-fiware-access-token.ts';

export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export const VP_TOKEN_SUBJECT_TYPE = 'urn:eu:oidf:vp_token';

export const tokenExchangeGrant: FiwareGrant = {
  grantType: TOKEN_EXCHANGE_GRANT,
  async handle({ request, deps }) {
    const { params } = request;
    const service = await resolveService(deps, request.pathServiceId ?? params.resource, 'the resource parameter');
    if (params.subject_token_type === undefined) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'subject_token_type is required');
    if (params.subject_token_type !== VP_TOKEN_SUBJECT_TYPE) throw new VerifierError('ERR_FIWARE_SUBJECT_TOKEN_TYPE', `subject_token_type must be ${VP_TOKEN_SUBJECT_TYPE}`);
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE_URI) {
      throw new VerifierError('ERR_FIWARE_SUBJECT_TOKEN_TYPE', `requested_token_type must be ${ACCESS_TOKEN_TYPE_URI}`);
    }
    if (params.subject_token === undefined) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'subject_token is required');
    return presentAndIssue(deps, service, params.subject_token, params.scope);
  },
};
