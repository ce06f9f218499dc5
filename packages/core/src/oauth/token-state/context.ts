/**
 * RFC 7009 revocation and RFC 7662 introspection: what the verifier says about a token it
 * issued. Both endpoints are pipelines over this context: request → client authentication (the
 * token endpoint's pipeline) → identify the token → revoke it / describe it.
 */
import type { StepFailure } from '../../shared/pipeline.ts';
import type { AuthenticatedClient, ClientAuthDeps } from '../client-auth/context.ts';
import type { Signer } from '../tokens/create-access-token.ts';
import type { TokenPolicy } from '../token/context.ts';
import type { AccessTokenRecord } from '../tokens/access-token-records.ts';
import type { FoundRefreshToken } from '../tokens/refresh-tokens.ts';

export interface TokenStateDeps extends ClientAuthDeps {
  tokenPolicy: TokenPolicy;
  signer: Signer;
  onStepFailure?: (f: StepFailure) => void;
}

/** A token this verifier issued, as far as it can tell (undefined: unknown, invalid or expired). */
export type IdentifiedToken =
  | {
      kind: 'access_token';
      jti: string;
      claims: Record<string, unknown>;
      exp: number;
      /** Human login (aud = the RP) rather than M2M (aud = this verifier). */
      human: boolean;
      record: AccessTokenRecord | undefined;
      /** The client the token was issued to. */
      clientId: string | undefined;
    }
  | { kind: 'refresh_token'; found: FoundRefreshToken }
  | { kind: 'id_token' };

export interface TokenStateState {
  token?: string;
  client?: AuthenticatedClient;
  identified?: IdentifiedToken;
  /** The introspection answer (RFC 7662 §2.2). */
  introspection?: Record<string, unknown>;
}

export interface TokenStateContext {
  readonly params: Readonly<Record<string, string>>;
  readonly authorizationHeader: string | undefined;
  readonly deps: TokenStateDeps;
  readonly state: TokenStateState;
}

export const TOKEN_TYPE_HINTS = ['access_token', 'refresh_token'] as const;
