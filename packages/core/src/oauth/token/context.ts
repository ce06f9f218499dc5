/** Dependencies and request view of the token endpoint. */
import type { StepFailure } from '../../shared/pipeline.ts';
import type { ClientAuthDeps } from '../client-auth/context.ts';
import type { PresentationDeps } from '../../credentials/context.ts';
import type { AccessTokenTyp, Signer } from '../tokens/create-access-token.ts';
import type { AuthenticatedClient } from '../client-auth/context.ts';

export interface TokenPolicy {
  issuer: string;
  accessTokenTyp: AccessTokenTyp;
  accessTokenExpiresInSeconds: number;
  idTokenExpiresInSeconds: number;
  refreshTokenExpiresInSeconds: number;
  /** Record every M2M access token (`at:{jti}`) for introspection; off: M2M issuance writes nothing. */
  recordMachineTokens: boolean;
}

export interface TokenEndpointDeps extends ClientAuthDeps, Omit<PresentationDeps, 'policy'> {
  presentationPolicy: PresentationDeps['policy'];
  tokenPolicy: TokenPolicy;
  signer: Signer;
  /** Observability hook: which step failed with which code (never the input). */
  onStepFailure?: (f: StepFailure) => void;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token?: string;
  refresh_token?: string;
  scope?: string;
}

export interface GrantContext {
  readonly params: Readonly<Record<string, string>>;
  readonly deps: TokenEndpointDeps;
  readonly client: AuthenticatedClient;
}

/** A grant type handler (node-oidc-provider `actions/grants/*` shape). */
export interface Grant {
  readonly grantType: string;
  /** Whether the grant runs client authentication first (all of ours do). */
  handle(ctx: GrantContext): Promise<TokenResponse>;
}
