/** Inputs, dependencies and state of `/oidc/authorize`. */
import type { Clock } from '../../ports/clock.ts';
import type { Fetcher } from '../../ports/fetcher.ts';
import type { Store } from '../../ports/store.ts';
import type { RegisteredClient } from '../../trust/trusted-services.ts';
import type { ClientKeyResolver } from '../client-auth/client-keys.ts';
import type { LoginSessions } from '../login/login-sessions.ts';
import type { LoginAdmission, LoginSlot } from '../login/login-admission.ts';
import type { Signer } from '../tokens/create-access-token.ts';
import type { DcqlProfiles } from '../oid4vp/dcql.ts';
import type { RequestObjectIdentity } from '../oid4vp/create-request-object.ts';

export interface AuthorizePolicy {
  issuer: string;
  clockSkewSeconds: number;
  /** Request objects must carry `exp` (DOME RPs that omit it need `false`). */
  requestObjectRequireExp: boolean;
  /** Request objects must carry an `aud` naming this issuer (DOME RPs that omit it need `false`). */
  requestObjectRequireAud: boolean;
  /** The trust framework's DCQL profiles: the scopes an RP may ask for and what each requests of the wallet. */
  dcqlProfiles: DcqlProfiles;
  /** External login portal (`verifier.frontend.portalUrl`, IN2 V3 shape): the browser goes to `{portalUrl}/login` instead of our page. */
  portalUrl?: string;
}

export interface AuthorizeDeps {
  clock: Clock;
  store: Store;
  policy: AuthorizePolicy;
  clients: { get(clientId: string): RegisteredClient | undefined };
  clientKeys: ClientKeyResolver;
  fetch: Fetcher;
  logins: LoginSessions;
  /** Caps on pending logins (per replica): a login takes a slot before anything is stored. */
  admission: LoginAdmission;
  /** The verifier identity: signs the OpenID4VP request object, did:key is its client_id. */
  signer: Signer;
  /** How the request object names the verifier; default: the did:key (`didKeyIdentity`). */
  requestObjectIdentity?: RequestObjectIdentity;
}

/** The OAuth parameters that take part in the request (outer, then overridden by the request object). */
export const AUTHORIZE_PARAMETERS = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method'] as const;
export type AuthorizeParameter = (typeof AUTHORIZE_PARAMETERS)[number];

export interface AuthorizeState {
  client?: RegisteredClient;
  /** Effective parameters after merging the request object. */
  params: Partial<Record<AuthorizeParameter, string>>;
  /** Set once redirect_uri is validated: from then on errors are redirected there. */
  redirectUri?: string;
  /** The pending-login slot taken by `admit-login`; given back when the login is not created. */
  slot?: LoginSlot;
}

/** Where the request came from (for the per-address cap). */
export interface AuthorizeSource {
  /** The client address as the HTTP layer sees it (`request.ip`). */
  ip?: string;
}

export interface AuthorizeContext {
  /** Parameters as sent (query or form), duplicates already rejected. */
  readonly raw: Readonly<Record<string, string>>;
  readonly deps: AuthorizeDeps;
  readonly state: AuthorizeState;
  readonly source: AuthorizeSource;
}

export interface AuthorizeResult {
  /** Absolute URL of the login page (`/login?authRequest=…&state=…&homeUri=…`). */
  location: string;
  /** The browser binding cookie of the login session. */
  cookie: { name: string; value: string; maxAgeSeconds: number; secure: boolean };
  sessionId: string;
}
