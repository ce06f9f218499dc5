/**
 * The FIWARE access token (spec §4.5) and token response (§4.4). ES256 with the verifier key
 * (header `kid` = the key id `/oidc/jwks` and `/.well-known/jwks` publish); claims `iss`
 * (`verifier.backend.url`), `aud` `[service id]`, `sub` (the holder), `iat`, `exp`, `jti`,
 * `nonce` (the VP's, else a fresh UUID as VCVerifier's), `scope` (the requested scopes joined
 * with `,`, which also marks it as an access token for /oidc/introspect and /oidc/revoke), and
 * the credentials: one included → `verifiableCredential`, several → `verifiablePresentation`
 * (a list of credential objects), `flatClaims` on a requested scope → every member of every
 * included object at the top level (never over a claim above). A `vc` claim carries the first
 * included credential too (DOME consumers and the newer ODRL-PAP read it). The M2M token is
 * recorded (`at:{jti}` → the service id) when `recordMachineTokens` is on; a browser login's
 * tokens are signed by the same `signFiwareAccessToken` and recorded with their refresh family.
 */
import { randomUUID } from 'node:crypto';
import { signJws } from '../../jose/jws.ts';
import { nowSeconds } from '../../ports/clock.ts';
import { recordAccessToken } from '../../oauth/tokens/access-token-records.ts';
import type { FiwareScope, FiwareService } from '../service-config.ts';
import type { FiwareCredential } from '../presentation/context.ts';
import type { FiwareDeps, FiwareTokenResponse } from './context.ts';
import { includedObject } from './jwt-inclusion.ts';

export const ACCESS_TOKEN_TYPE_URI = 'urn:ietf:params:oauth:token-type:access_token';

export interface FiwareAccessTokenInput {
  readonly service: FiwareService;
  readonly scopeNames: readonly string[];
  readonly scopes: readonly FiwareScope[];
  readonly holder: string;
  readonly credentials: readonly FiwareCredential[];
  /** The presentation's (M2M) or the login's (H2M) nonce; absent ⇒ a fresh UUID. */
  readonly nonce?: string;
}

export interface IssuedFiwareAccessToken {
  readonly token: string;
  readonly jti: string;
  readonly claims: Record<string, unknown>;
  readonly expiresIn: number;
}

const RESERVED = new Set(['iss', 'aud', 'sub', 'iat', 'exp', 'nbf', 'jti', 'nonce', 'scope', 'client_id', 'vc', 'verifiableCredential', 'verifiablePresentation']);

/**
 * The credential claims of the token (see the module comment): `verifiableCredential` /
 * `verifiablePresentation` / the flat claims, and `vc`. A browser login computes them when the
 * wallet answers and keeps them in its grant, so that the code exchange and every refresh carry
 * the same (fiware/h2m/user-tokens.ts).
 */
export function fiwareCredentialClaims(scopes: readonly FiwareScope[], credentials: readonly FiwareCredential[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const included = [...new Set(credentials)].map(includedObject).filter((o): o is Record<string, unknown> => o !== undefined);
  if (scopes.some((s) => s.flatClaims)) {
    for (const o of included) for (const [k, v] of Object.entries(o)) if (!RESERVED.has(k) && !Object.hasOwn(claims, k)) claims[k] = v;
  } else if (included.length === 1) {
    claims.verifiableCredential = included[0];
  } else if (included.length > 1) {
    claims.verifiablePresentation = included;
  }
  if (included.length > 0) claims.vc = included[0];
  return claims;
}

export interface FiwareTokenClaimsInput {
  readonly serviceId: string;
  /** The `scope` claim: the scope names joined with `,` (M2M) or the login's scope name (H2M). */
  readonly scope: string;
  readonly holder: string;
  readonly nonce?: string;
  /** fiwareCredentialClaims(…) of the presented credentials. */
  readonly credentialClaims: Readonly<Record<string, unknown>>;
}

/** Signs a FIWARE access token (M2M grants and browser logins alike); records nothing. */
export function signFiwareAccessToken(deps: Pick<FiwareDeps, 'clock' | 'tokenPolicy' | 'signer'>, input: FiwareTokenClaimsInput): IssuedFiwareAccessToken {
  const iat = nowSeconds(deps.clock);
  const expiresIn = deps.tokenPolicy.accessTokenExpiresInSeconds;
  const jti = randomUUID();
  const claims: Record<string, unknown> = {
    iss: deps.tokenPolicy.issuer,
    aud: [input.serviceId],
    sub: input.holder,
    iat,
    exp: iat + expiresIn,
    jti,
    nonce: input.nonce ?? randomUUID(),
    scope: input.scope,
  };
  // Never over a claim above (RESERVED keeps the flat claims off them as well).
  for (const [k, v] of Object.entries(input.credentialClaims)) if (!Object.hasOwn(claims, k)) claims[k] = v;
  const token = signJws({ alg: 'ES256', kid: deps.signer.kid, typ: 'JWT' }, claims, deps.signer.key);
  return { token, jti, claims, expiresIn };
}

/** Signs (and, with recordMachineTokens, records) the access token of a vp_token / token-exchange grant. */
export async function issueFiwareAccessToken(deps: FiwareDeps, input: FiwareAccessTokenInput): Promise<IssuedFiwareAccessToken> {
  const issued = signFiwareAccessToken(deps, {
    serviceId: input.service.id,
    scope: input.scopeNames.join(','),
    holder: input.holder,
    ...(input.nonce !== undefined ? { nonce: input.nonce } : {}),
    credentialClaims: fiwareCredentialClaims(input.scopes, input.credentials),
  });
  if (deps.tokenPolicy.recordMachineTokens) await recordAccessToken(deps.store, issued.jti, { c: input.service.id }, issued.expiresIn * 1000);
  return issued;
}

/** VCVerifier's TokenResponse for the vp_token and token-exchange grants. */
export function fiwareTokenResponse(issued: IssuedFiwareAccessToken, scopeNames: readonly string[]): FiwareTokenResponse {
  return {
    token_type: 'Bearer',
    issued_token_type: ACCESS_TOKEN_TYPE_URI,
    expires_in: issued.expiresIn,
    access_token: issued.token,
    id_token: issued.token,
    scope: scopeNames.join(','),
  };
}
