/** Inputs, dependencies and state of client authentication at the token endpoint. */
import type { KeyObject } from 'node:crypto';
import type { DecodedJws } from '../../jose/jws.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientKeyResolver } from './client-keys.ts';

export interface ClientAuthPolicy {
  /** The issuer identifier (`verifier.backend.url`). */
  issuer: string;
  clockSkewSeconds: number;
  maxAssertionLifetimeSeconds: number;
  acceptMillisecondTimestamps: boolean;
}

export interface ClientAuthDeps {
  clock: Clock;
  store: Store;
  policy: ClientAuthPolicy;
  clients: { get(clientId: string): RegisteredClient | undefined };
  clientKeys: ClientKeyResolver;
}

export interface ClientAuthState {
  /** The request carries no client credentials (allowed for clients registered with "none"). */
  publicClient?: boolean;
  assertion?: DecodedJws;
  client?: RegisteredClient;
  candidateKeys?: readonly KeyObject[];
  /** Replay-store key reserved for this assertion; released when the request fails later. */
  replayKey?: string;
}

export interface ClientAuthContext {
  /** Token-request parameters (already checked for duplicates). */
  readonly params: Readonly<Record<string, string>>;
  readonly authorizationHeader: string | undefined;
  readonly deps: ClientAuthDeps;
  readonly state: ClientAuthState;
}

export interface AuthenticatedClient {
  client: RegisteredClient;
  /** How the client authenticated: a JWT assertion, or none (public client). */
  method: 'jwt' | 'none';
  /** The client assertion (absent for public clients). */
  assertion: DecodedJws | undefined;
  /** Release the reserved `jti` (call when the request fails after authentication). */
  release(): Promise<void>;
}
