/**
 * Dependencies, request view and grant shape of the FIWARE token endpoint
 * (`POST /token`, `POST /services/{id}/token`; docs/fiware.md). Grants are an ordered list
 * (grants/index.ts): adding one is a file and a line there.
 */
import type { KeyObject } from 'node:crypto';
import type { StepFailure } from '../../shared/pipeline.ts';
import type { PresentationDeps } from '../../credentials/context.ts';
import type { Signer } from '../../oauth/tokens/create-access-token.ts';
import type { TokenPolicy } from '../../oauth/token/context.ts';
import type { Store } from '../../ports/store.ts';
import type { TrustRegistries } from '../../trust/ebsi-registry.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';

/** The public key a DID URL (a JWT `kid`, or a bare DID) names. Throws a VerifierError when it cannot be resolved. */
export type DidKeyResolver = (didUrl: string) => Promise<{ readonly did: string; readonly key: KeyObject }>;

export interface FiwareDeps extends Omit<PresentationDeps, 'policy'> {
  presentationPolicy: PresentationDeps['policy'];
  tokenPolicy: TokenPolicy;
  signer: Signer;
  store: Store;
  services: FiwareServiceRegistry;
  /** Keys of holders and of DID-identified issuers (the DID method registry: did:key, did:jwk, did:web). */
  resolveDidKey: DidKeyResolver;
  /** EBSI TIL / TIR clients per list URL (v4 → v3) and the Gaia-X registry (trust/ebsi-registry.ts). */
  trust: TrustRegistries;
  /** Observability hook: which step failed with which code (never the input). */
  onStepFailure?: (f: StepFailure) => void;
}

/** One token request as the HTTP layer hands it over. */
export interface FiwareTokenRequest {
  /** Form parameters (already checked for duplicates). */
  readonly params: Readonly<Record<string, string>>;
  /** `/services/{id}/token`: the path's id; absent on `/token`. */
  readonly pathServiceId?: string;
  /** The HTTP request header `client_id` (VCVerifier reads the service from it on `/token`). */
  readonly clientIdHeader?: string;
}

/** VCVerifier's TokenResponse (spec §4.4): every member optional except the access token. */
export interface FiwareTokenResponse {
  token_type: 'Bearer';
  issued_token_type?: string;
  expires_in: number;
  access_token: string;
  /** The access token again (VCVerifier sends the same JWT). */
  id_token: string;
  scope?: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

export interface FiwareGrantContext {
  readonly request: FiwareTokenRequest;
  readonly deps: FiwareDeps;
}

export interface FiwareGrant {
  readonly grantType: string;
  handle(ctx: FiwareGrantContext): Promise<FiwareTokenResponse>;
}
