/**
 * ID token validation (OpenID Connect Core §3.1.3.7) for the verifier's ID tokens
 * (docs/integration-confidential-client.md §4): ES256 signature with the `jwks_uri` key selected by `kid`,
 * `iss` = metadata issuer, `aud` contains the client_id (and `azp` = client_id when several
 * audiences), `exp` in the future, `iat` not in the future, `sub` present, `nonce` equal to the
 * one sent when one was sent. Errors: OAuthError `invalid_id_token` (or the JWKS fetch errors).
 */
import { createLocalJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { OAuthError } from '../oauth-error.ts';
import { httpGet, readJsonObject } from '../http.ts';
import type { AuthorizationServerMetadata } from './discover.ts';

export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
  aud: string | string[];
  exp: number;
  iat: number;
  nonce?: string;
  auth_time?: number;
  acr?: string;
  /** The LEARCredentialEmployee as a JSON string. */
  vc_json?: string;
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  email_verified?: boolean;
}

export interface ValidateIdTokenOptions {
  metadata: Pick<AuthorizationServerMetadata, 'issuer' | 'jwks_uri'>;
  clientId: string;
  /** The nonce sent in the authorization request; when given, the ID token must carry it. */
  nonce?: string;
  /** Clock in milliseconds (like Date.now). */
  now?: () => number;
  /** Verification keys; default: fetched from the metadata `jwks_uri`. */
  jwks?: JSONWebKeySet;
  /** Default 30. */
  clockToleranceSeconds?: number;
  fetch?: typeof fetch;
  /** For the jwks_uri GET; default 10000. */
  timeoutMs?: number;
}

export interface FetchJwksOptions {
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/** GET `jwks_uri` (no redirects, size-limited); cache the result as long as you like and refetch on an unknown kid. */
export async function fetchJwks(metadata: Pick<AuthorizationServerMetadata, 'jwks_uri'>, o: FetchJwksOptions = {}): Promise<JSONWebKeySet> {
  if (typeof metadata.jwks_uri !== 'string' || metadata.jwks_uri === '') throw new OAuthError('invalid_metadata', { description: 'the metadata has no jwks_uri' });
  const res = await httpGet(metadata.jwks_uri, { fetch: o.fetch, timeoutMs: o.timeoutMs, accept: 'application/jwk-set+json, application/json', what: 'the jwks_uri document' });
  const doc = await readJsonObject(res, { invalidCode: 'invalid_jwks', what: 'the jwks_uri document' });
  if (!Array.isArray(doc.keys)) throw new OAuthError('invalid_jwks', { status: res.status, description: 'the jwks_uri document has no keys array' });
  return doc as unknown as JSONWebKeySet;
}

const invalid = (description: string, cause?: unknown) => new OAuthError('invalid_id_token', { description, cause });

function describe(e: unknown): string {
  if (e instanceof joseErrors.JWTExpired) return 'the ID token has expired';
  if (e instanceof joseErrors.JWTClaimValidationFailed) return `the ID token ${e.claim} claim is not acceptable (${e.reason})`;
  if (e instanceof joseErrors.JOSEAlgNotAllowed) return 'the ID token must be signed with ES256';
  if (e instanceof joseErrors.JWKSNoMatchingKey) return 'no key of the jwks_uri matches the ID token kid';
  if (e instanceof joseErrors.JWKSMultipleMatchingKeys) return 'several keys of the jwks_uri match the ID token kid';
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return 'the ID token signature does not verify';
  if (e instanceof joseErrors.JWTInvalid || e instanceof joseErrors.JWSInvalid) return 'the ID token is not a valid signed JWT';
  return 'the ID token cannot be verified';
}

export async function validateIdToken(idToken: string, o: ValidateIdTokenOptions): Promise<IdTokenClaims> {
  if (typeof o.clientId !== 'string' || o.clientId === '') throw new TypeError('validateIdToken: clientId is required');
  if (typeof idToken !== 'string' || idToken.split('.').length !== 3) throw invalid('the ID token is not a compact signed JWT');
  let kid: unknown;
  try {
    kid = decodeProtectedHeader(idToken).kid;
  } catch (e) {
    throw invalid('the ID token is not a compact signed JWT', e);
  }
  if (typeof kid !== 'string' || kid === '') throw invalid('the ID token header has no kid');
  const jwks = o.jwks ?? (await fetchJwks(o.metadata, { ...(o.fetch ? { fetch: o.fetch } : {}), ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) }));
  const nowMs = o.now ? o.now() : Date.now();
  const tolerance = o.clockToleranceSeconds ?? 30;
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, createLocalJWKSet(jwks), {
      algorithms: ['ES256'],
      issuer: o.metadata.issuer,
      audience: o.clientId,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
      currentDate: new Date(nowMs),
      clockTolerance: tolerance,
    }));
  } catch (e) {
    throw invalid(describe(e), e);
  }
  if (typeof payload.sub !== 'string' || payload.sub === '') throw invalid('the ID token has no sub');
  if ((payload.iat ?? 0) > nowMs / 1000 + tolerance) throw invalid('the ID token was issued in the future');
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== undefined && payload.azp !== o.clientId) {
    throw invalid('the ID token azp is not this client');
  }
  if (o.nonce !== undefined && payload.nonce !== o.nonce) {
    throw invalid(payload.nonce === undefined ? 'the ID token has no nonce' : 'the ID token nonce is not the one sent');
  }
  return payload as IdTokenClaims;
}
