/**
 * Inputs, dependencies and state of a FIWARE browser login (`GET /api/v1/authorization`,
 * `GET /api/v2/loginQR`). A FIWARE login is a login session of the DOME machinery
 * (oauth/login/*: the same store, lifetime, admission caps, answer lease and set-once outcome)
 * with a FIWARE flavour (`LoginSession.fiware`): only the entry parameters, the request object
 * and the completion messages follow VCVerifier (docs/fiware.md, "Browser logins (H2M)").
 */
import type { Clock } from '../../ports/clock.ts';
import type { Fetcher } from '../../ports/fetcher.ts';
import type { Store } from '../../ports/store.ts';
import type { LoginSessions } from '../../oauth/login/login-sessions.ts';
import type { LoginAdmission, LoginSlot } from '../../oauth/login/login-admission.ts';
import type { Signer } from '../../oauth/tokens/create-access-token.ts';
import type { RequestObjectIdentity } from '../../oauth/oid4vp/create-request-object.ts';
import type { FiwareServiceRegistry } from '../service-registry.ts';
import type { FiwareScope, FiwareService } from '../service-config.ts';

import type { DidKeyResolver } from '../token/context.ts';

export type { DidKeyResolver };

export interface FiwareLoginDeps {
  clock: Clock;
  store: Store;
  fetch: Fetcher;
  logins: LoginSessions;
  admission: LoginAdmission;
  services: FiwareServiceRegistry;
  /** Signs the request object the wallet fetches. */
  signer: Signer;
  /** How the request object names the verifier (did:key, or `x509_hash:` with a certificate). */
  identity: RequestObjectIdentity;
  resolveDid: DidKeyResolver;
  /** `server.host` of VCVerifier: `verifier.backend.url`. */
  issuer: string;
  clockSkewSeconds: number;
}

/** Which endpoint the login request arrived at. */
export type FiwareEntry = 'authorization' | 'qr';

/** The login parameters after the client's request object (if any) was merged. */
export interface FiwareLoginParams {
  client_id?: string;
  scope?: string;
  state?: string;
  nonce?: string;
  redirect_uri?: string;
  response_type?: string;
  request_mode?: string;
}

export interface FiwareLoginState {
  params: FiwareLoginParams;
  /** The DID whose key signed the client's request object. */
  clientDid?: string;
  service?: FiwareService;
  scopeName?: string;
  scope?: FiwareScope;
  /** The callback the code goes to (checked redirect_uri, or the verifier URL for DEEPLINK without one). */
  callback?: string;
  sameDevice?: boolean;
  slot?: LoginSlot;
}

export interface FiwareLoginContext {
  readonly raw: Readonly<Record<string, string>>;
  readonly entry: FiwareEntry;
  readonly deps: FiwareLoginDeps;
  readonly state: FiwareLoginState;
  readonly source: { ip?: string };
}
