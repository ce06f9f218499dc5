/**
 * The FIWARE access token (spec §4.5) and token response (§4.4). ES256 with the verifier key
 * (header `kid` = the key id `/oidc/jwks` and `/.well-known/jwks` publish); claims `iss`
 * (`verifier.backend.url`), `aud` `[service id]`, `sub` (the holder), `iat`, `exp`, `jti`,
 * `nonce` (the VP's, else a fresh UUID as VCVerifier's), `scope` (the requested scopes joined
 * with `,`, which also marks it as an access token for /oidc/introspect and /oidc/revoke), and
 * the credentials: one included → `verifiableCredential`, several → `verifiablePresentation`
 * (a list of credential objects), `flatClaims` on a requested scope → every member of every
 * included object at the top level (never over a claim above). A `vc` claim carries the first
 * included credential too (DOME consumers and the newer ODRL-PAP read it). The token is recorded
 * (`at:{jti}` → the service id) when `recordMachineTokens` is on.
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

/** Signs (and, with recordMachineTokens, records) the access token. */
export async function issueFiwareAccessToken(deps: FiwareDeps, input: FiwareAccessTokenInput): Promise<IssuedFiwareAccessToken> {
  const iat = nowSeconds(deps.clock);
  const expiresIn = deps.tokenPolicy.accessTokenExpiresInSeconds;
  const jti = randomUUID();
  const claims: Record<string, unknown> = {
    iss: deps.tokenPolicy.issuer,
    aud: [input.service.id],
    sub: input.holder,
    iat,
    exp: iat + expiresIn,
    jti,
    nonce: input.nonce ?? randomUUID(),
    scope: input.scopeNames.join(','),
  };
  const included = [...new Set(input.credentials)].map(includedObject).filter((o): o is Record<string, unknown> => o !== undefined);
  if (input.scopes.some((s) => s.flatClaims)) {
    for (const o of included) for (const [k, v] of Object.entries(o)) if (!RESERVED.has(k) && !Object.hasOwn(claims, k)) claims[k] = v;
  } else if (included.length === 1) {
    claims.verifiableCredential = included[0];
  } else if (included.length > 1) {
    claims.verifiablePresentation = included;
  }
  if (included.length > 0) claims.vc = included[0];
  const token = signJws({ alg: 'ES256', kid: deps.signer.kid, typ: 'JWT' }, claims, deps.signer.key);
  if (deps.tokenPolicy.recordMachineTokens) await recordAccessToken(deps.store, jti, { c: input.service.id }, expiresIn * 1000);
  return { token, jti, claims, expiresIn };
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
