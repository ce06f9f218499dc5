/**
 * The FIWARE token endpoint, framework-free: `grant_type` known → grant. No client
 * authentication (VCVerifier has none on these grants; the presentation is the grant).
 * Presentation failures that the DOME endpoint answers as `invalid_client` (401, because there
 * the VP authenticates the client) become `invalid_grant` (400, as VCVerifier answers) with the
 * failing check's code kept as `cause` (the HTTP layer shows it as `summary`).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { FiwareDeps, FiwareTokenRequest, FiwareTokenResponse } from './context.ts';
import { FIWARE_GRANTS } from './grants/index.ts';

export async function handleFiwareTokenRequest(deps: FiwareDeps, request: FiwareTokenRequest): Promise<FiwareTokenResponse> {
  const grantType = request.params.grant_type;
  if (grantType === undefined) throw new VerifierError('ERR_REQUEST_MISSING_PARAMETER', 'grant_type is required');
  const grant = FIWARE_GRANTS.get(grantType);
  if (!grant) throw new VerifierError('ERR_GRANT_TYPE_UNSUPPORTED', `grant_type ${grantType.slice(0, 64)} is not supported`);
  try {
    return await grant.handle({ request, deps });
  } catch (e) {
    throw asGrantError(e);
  }
}

/** A shared check's `invalid_client` failure, answered on the FIWARE endpoint as `invalid_grant` 400. */
export function asGrantError(e: unknown): unknown {
  // The FIWARE login grants' client assertion (fiware/h2m) authenticates a client: it stays invalid_client.
  if (e instanceof VerifierError && e.error === 'invalid_client' && e.code !== 'ERR_FIWARE_CLIENT_ASSERTION') {
    return new VerifierError('ERR_FIWARE_PRESENTATION_REJECTED', e.message, { cause: e });
  }
  return e;
}

/** The code a FIWARE error body names as `summary`: the failing check's own code when wrapped. */
export function fiwareErrorSummary(e: VerifierError): string {
  return e.code === 'ERR_FIWARE_PRESENTATION_REJECTED' && e.cause instanceof VerifierError ? e.cause.code : e.code;
}
