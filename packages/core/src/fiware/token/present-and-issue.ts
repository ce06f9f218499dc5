/**
 * What the `vp_token` and token-exchange grants share: decode the presentation (§3), resolve
 * the scopes, verify in grant mode (audiences: this verifier's URL and the service's token
 * endpoint), issue. If issuance fails after the VP nonce was reserved, the reservation is
 * released: a rejected request leaves nothing in the store.
 */
import type { FiwareService } from '../service-config.ts';
import { decodeFiwareVpToken } from '../vp-token/decode-fiware-vp-token.ts';
import { verifyFiwarePresentation } from '../presentation/verify-fiware-presentation.ts';
import type { FiwareDeps, FiwareTokenResponse } from './context.ts';
import { resolveScopes, serviceTokenEndpoint } from './resolve-service.ts';
import { fiwareTokenResponse, issueFiwareAccessToken } from './issue-fiware-access-token.ts';

/** The VP audiences the grants accept: this verifier, and the service's token endpoint. */
export const grantAudiences = (deps: FiwareDeps, service: FiwareService): string[] => [deps.tokenPolicy.issuer, serviceTokenEndpoint(deps.tokenPolicy.issuer, service.id)];

export async function presentAndIssue(deps: FiwareDeps, service: FiwareService, vpToken: string | undefined, scope: string | undefined): Promise<FiwareTokenResponse> {
  const { scopeNames, scopes } = resolveScopes(service, scope);
  const presentations = decodeFiwareVpToken(vpToken);
  const verified = await verifyFiwarePresentation({ presentations, mode: 'grant', service, scopes, audiences: grantAudiences(deps, service) }, deps);
  try {
    const issued = await issueFiwareAccessToken(deps, { service, scopeNames, scopes, holder: verified.holder, credentials: verified.credentials, ...(verified.nonce !== undefined ? { nonce: verified.nonce } : {}) });
    return fiwareTokenResponse(issued, scopeNames);
  } catch (e) {
    await Promise.all(verified.reserved.map((k) => deps.store.delete(k).catch(() => undefined)));
    throw e;
  }
}
