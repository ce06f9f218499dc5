/**
 * What the FIWARE login grants (`authorization_code`, `refresh_token` at `/token` and
 * `/services/{id}/token`) need: structurally a subset of the FIWARE token endpoint's
 * dependencies, so that they sit in its ordered grant list beside `vp_token`.
 */
import type { PresentationDeps } from '../../credentials/context.ts';
import type { DidKeyResolver } from './context.ts';
import type { FiwareUserTokenDeps, FiwareUserTokenResponse } from './user-tokens.ts';
import { verifyDidClientAssertion } from './client-assertion.ts';

export interface FiwareLoginGrantDeps extends FiwareUserTokenDeps {
  presentationPolicy: Pick<PresentationDeps['policy'], 'clockSkewSeconds'>;
  resolveDidKey: DidKeyResolver;
}

export interface FiwareLoginGrantContext {
  readonly request: { readonly params: Readonly<Record<string, string>>; readonly pathServiceId?: string };
  readonly deps: FiwareLoginGrantDeps;
}

export interface FiwareLoginGrant {
  readonly grantType: string;
  handle(ctx: FiwareLoginGrantContext): Promise<FiwareUserTokenResponse>;
}

/** The client DID of a verified assertion in the form. */
export function assertionClient({ request, deps }: FiwareLoginGrantContext): Promise<string> {
  return verifyDidClientAssertion(
    { clock: deps.clock, issuer: deps.tokenPolicy.issuer, clockSkewSeconds: deps.presentationPolicy.clockSkewSeconds, resolveDidKey: deps.resolveDidKey },
    request.params,
  );
}
