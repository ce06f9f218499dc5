/**
 * Validation of DOME Verifier access tokens (docs/resource-server.md): an ES256 compact JWS
 * signed with the verifier's key (JWKS via discovery), `iss` = the verifier URL, `exp`, `aud`,
 * and the LEAR credential in the `vc` claim.
 */
import { errors as joseErrors, importJWK, jwtVerify, type JSONWebKeySet, type JWK, type JWTPayload, type ProtectedHeaderParameters } from 'jose';
import { bearerToken, type HeadersLike } from './bearer.ts';
import { parseLearCredential, type CredentialKind, type LearCredential } from './credential.ts';
import { InvalidTokenError } from './errors.ts';
import { createKeySource } from './jwks.ts';
import { createIntrospector, type IntrospectionOptions } from './introspection.ts';

export type AudienceCheck = string | readonly string[] | ((aud: string | string[] | undefined, claims: AccessTokenClaims) => boolean);

export interface ValidatorOptions {
  /** The verifier URL (`VERIFIER_BACKEND_URL`), e.g. `https://verifier.dome-marketplace.eu`; tokens must carry it as `iss`. */
  issuer: string;
  /**
   * Accepted `aud`: M2M tokens carry the verifier URL, H2M tokens the RP's client id. A value or
   * list (any match), or a predicate. Default: any audience, but one must be present.
   */
  audience?: AudienceCheck;
  /** Default 30. */
  clockToleranceSeconds?: number;
  /** Accepted `typ` header values. Default `['JWT', 'at+jwt']` (the verifier sends `JWT`). */
  typ?: ReadonlyArray<'JWT' | 'at+jwt'>;
  /** Accepted `alg` values. Default `['ES256']`; `none` and HMAC algorithms are never accepted. */
  algorithms?: readonly string[];
  /** Fetch for discovery and JWKS (default: global fetch; 5 s timeout, 256 KiB cap either way). */
  fetch?: typeof fetch;
  /** Static keys instead of discovery (tests, air-gapped deployments). */
  jwks?: JSONWebKeySet;
  /** JWKS cache lifetime. Default 10 minutes; an unknown `kid` refetches at most every 30 s. */
  jwksCacheMaxAgeMs?: number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Opt-in introspection mode: also ask the verifier (RFC 7662) whether each locally valid token
   * is still active, so that revoked tokens and tokens of a detected code/refresh reuse are
   * refused (401) within `cacheTtlMs`; 503 when the verifier cannot answer (fail closed).
   */
  introspection?: IntrospectionOptions;
}

export interface AccessTokenClaims extends JWTPayload {
  scope?: string;
  client_id?: string;
  vc?: unknown;
  /** IN2 V3: the presented credential type (e.g. `learcredential.employee.w3c.4`). */
  credential_type?: string;
  /** IN2 V3: the tenant configured for the client, when it has one. */
  tenant?: string;
}

export interface VerifiedAccessToken {
  /** The compact JWS as received (do not log it). */
  readonly token: string;
  readonly header: ProtectedHeaderParameters;
  readonly claims: AccessTokenClaims;
  readonly credential: LearCredential;
  /** `sub`: the mandatee's DID. */
  readonly subject: string;
  readonly kind: CredentialKind;
  /** `credential_type` when the verifier sent it (IN2 V3 and this verifier), else the credential's first non-generic type. */
  readonly credentialType: string | undefined;
  /** `tenant` when the client is configured with one. */
  readonly tenant: string | undefined;
  /** `scope` split on spaces (`openid learcredential` for H2M, `machine learcredential` for M2M). */
  readonly scopes: readonly string[];
}

export interface RequestLike {
  headers: HeadersLike;
  /** The request target (path and query), to refuse `?access_token=`. */
  url?: string;
  /** Node's `IncomingMessage.headersDistinct` (Node discards repeated Authorization headers from `headers`). */
  headersDistinct?: Readonly<Record<string, readonly string[] | undefined>>;
}

export interface AccessTokenValidator {
  /** Validates a compact JWS access token. Throws InvalidTokenError (401) or KeySetUnavailableError (503). */
  validate(token: string): Promise<VerifiedAccessToken>;
  /** Reads the bearer token of a request (RFC 6750 §2.1) and validates it. */
  validateRequest(req: RequestLike): Promise<VerifiedAccessToken>;
  /** Alias of {@link validateRequest}: framework-free authentication of a request. */
  authenticate(req: RequestLike): Promise<VerifiedAccessToken>;
}

type VerificationKey = Awaited<ReturnType<typeof importJWK>>;

const DEFAULT_ALGORITHMS = ['ES256'];
const DEFAULT_TYP = ['JWT', 'at+jwt'];
const MAX_TOKEN_LENGTH = 64 * 1024;
const SEGMENT = /^[A-Za-z0-9_-]+$/;

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 7515 §4.1.9: media types compare case-insensitively, `application/` may be omitted. */
const normalizeTyp = (t: string): string => t.toLowerCase().replace(/^application\//, '');

const invalid = (description: string): InvalidTokenError => new InvalidTokenError(description);

function decodeHeader(segment: string): Record<string, unknown> {
  try {
    const h = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (isRecord(h)) return h;
  } catch {
    // fall through
  }
  throw invalid('the access token header is not a JSON object');
}

/** Maps a jose failure to a fixed description (jose messages and errors carry claim values). */
function fromJose(e: unknown): InvalidTokenError {
  if (e instanceof joseErrors.JWTExpired) return invalid('the access token has expired');
  if (e instanceof joseErrors.JWTClaimValidationFailed) {
    switch (e.claim) {
      case 'iss':
        return invalid(e.reason === 'missing' ? 'the access token has no iss claim' : 'the access token was issued by another issuer');
      case 'nbf':
        return invalid('the access token is not yet valid');
      case 'exp':
        return invalid('the access token has no valid exp claim');
      case 'sub':
        return invalid('the access token has no sub claim');
      default:
        return invalid('the access token claims are invalid');
    }
  }
  if (e instanceof joseErrors.JWSSignatureVerificationFailed) return invalid('the access token signature is invalid');
  if (e instanceof joseErrors.JWTInvalid) return invalid('the access token claims are not a valid JWT claims set');
  if (e instanceof joseErrors.JOSEError) return invalid('the access token is not a valid JWS');
  return invalid('the access token could not be verified');
}

function checkAudience(check: AudienceCheck | undefined, claims: AccessTokenClaims): boolean {
  const aud = claims.aud;
  const values = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : undefined;
  if (typeof check === 'function') return check(aud, claims);
  if (!values || values.length === 0 || !values.every((a) => typeof a === 'string' && a.length > 0)) return false;
  if (check === undefined) return true;
  const accepted: readonly string[] = typeof check === 'string' ? [check] : check;
  return values.some((a) => accepted.includes(a));
}

export function createAccessTokenValidator(o: ValidatorOptions): AccessTokenValidator {
  if (typeof o.issuer !== 'string' || o.issuer === '') throw new TypeError('issuer is required');
  const issuer = o.issuer.replace(/\/+$/, '');
  if (!URL.canParse(issuer)) throw new TypeError('issuer must be an absolute URL');
  const algorithms = [...(o.algorithms ?? DEFAULT_ALGORITHMS)];
  if (algorithms.length === 0 || algorithms.some((a) => a === 'none' || /^HS/i.test(a))) throw new TypeError('algorithms must be asymmetric JWS algorithms');
  const accepted = new Set((o.typ ?? DEFAULT_TYP).map(normalizeTyp));
  const tolerance = o.clockToleranceSeconds ?? 30;
  const now = o.now ?? Date.now;
  const keySource = createKeySource({ issuer, fetch: o.fetch, jwks: o.jwks, maxAgeMs: o.jwksCacheMaxAgeMs ?? 600_000, now });
  const imported = new WeakMap<JWK, Map<string, Promise<VerificationKey | undefined>>>();
  const introspector = o.introspection ? createIntrospector(issuer, o.introspection, o.fetch, now) : undefined;

  function importKey(jwk: JWK, alg: string): Promise<VerificationKey | undefined> {
    let byAlg = imported.get(jwk);
    if (!byAlg) imported.set(jwk, (byAlg = new Map()));
    let p = byAlg.get(alg);
    if (!p) {
      // A key of another type/curve than `alg` needs is skipped, not an error.
      p = importJWK(jwk, alg).catch(() => undefined);
      byAlg.set(alg, p);
    }
    return p;
  }

  function candidates(keys: readonly JWK[], kid: string, alg: string): JWK[] {
    return keys.filter((k) => k.kid === kid && (k.alg === undefined || k.alg === alg) && (k.use === undefined || k.use === 'sig') && (k.key_ops === undefined || k.key_ops.includes('verify')));
  }

  async function validate(token: string): Promise<VerifiedAccessToken> {
    if (typeof token !== 'string' || token.length === 0) throw invalid('the access token is empty');
    if (token.length > MAX_TOKEN_LENGTH) throw invalid('the access token is too large');
    const parts = token.split('.');
    if (parts.length !== 3 || !parts.every((p) => SEGMENT.test(p))) throw invalid('the access token is not a compact JWS');
    const header = decodeHeader(parts[0]!);
    const { alg, kid, typ } = header;
    if (typeof alg !== 'string' || !algorithms.includes(alg)) throw invalid('the access token algorithm is not accepted');
    if (typeof kid !== 'string' || kid === '') throw invalid('the access token has no key id (kid)');
    if (typeof typ !== 'string' || !accepted.has(normalizeTyp(typ))) throw invalid('the access token type (typ) is not accepted');
    if ('crit' in header) throw invalid('the access token has critical header parameters');

    let found = candidates(await keySource.keys(), kid, alg);
    if (found.length === 0 && (await keySource.refreshForUnknownKid())) found = candidates(await keySource.keys(), kid, alg);
    if (found.length === 0) throw invalid('the access token is signed with an unknown key');

    let result: Awaited<ReturnType<typeof jwtVerify<AccessTokenClaims>>> | undefined;
    let failure: unknown;
    for (const jwk of found) {
      const key = await importKey(jwk, alg);
      if (!key) continue;
      try {
        result = await jwtVerify<AccessTokenClaims>(token, key, {
          algorithms: [alg],
          issuer,
          clockTolerance: tolerance,
          currentDate: new Date(now()),
          requiredClaims: ['exp', 'sub'],
        });
        break;
      } catch (e) {
        failure = e;
        // Another key with the same kid may have signed it; any other failure is final.
        if (!(e instanceof joseErrors.JWSSignatureVerificationFailed)) break;
      }
    }
    if (!result) throw failure === undefined ? invalid('the access token is signed with an unknown key') : fromJose(failure);

    const claims = result.payload;
    const nowSeconds = now() / 1000;
    if (typeof claims.exp !== 'number') throw invalid('the access token has no valid exp claim');
    if (claims.iat !== undefined && claims.iat > nowSeconds + tolerance) throw invalid('the access token was issued in the future');
    if (typeof claims.sub !== 'string' || claims.sub === '') throw invalid('the access token has no sub claim');
    if (!checkAudience(o.audience, claims)) throw invalid('the access token is not intended for this resource server');
    if (claims.vc === undefined) throw invalid('the token carries no LEAR credential');
    const credential = parseLearCredential(claims.vc);
    if (introspector) {
      if (typeof claims.jti !== 'string' || claims.jti === '') throw invalid('the access token has no jti');
      if (!(await introspector.isActive(token, claims.jti, claims.exp))) throw invalid('the access token is no longer active');
    }
    return {
      token,
      header: result.protectedHeader,
      claims,
      credential,
      subject: claims.sub,
      kind: credential.kind,
      credentialType: typeof claims.credential_type === 'string' && claims.credential_type !== '' ? claims.credential_type : credential.types.find((t) => t !== 'VerifiableCredential' && t !== 'VerifiableAttestation'),
      tenant: typeof claims.tenant === 'string' && claims.tenant !== '' ? claims.tenant : undefined,
      scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
    };
  }

  async function validateRequest(req: RequestLike): Promise<VerifiedAccessToken> {
    const distinct = req.headersDistinct?.authorization;
    const headers: HeadersLike = distinct && distinct.length > 1 ? { authorization: distinct } : req.headers;
    return validate(bearerToken(headers, req.url));
  }

  return { validate, validateRequest, authenticate: validateRequest };
}
