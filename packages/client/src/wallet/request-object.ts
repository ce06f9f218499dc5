/**
 * Fetches and checks the OID4VP request object exactly as the DOME wallet does
 * (the DOME wallet's `VerifierValidationServiceImpl`: header `typ` exactly
 * `oauth-authz-req+jwt`, `client_id` = `iss`, `kid` a did:key without fragment that verifies the signature), plus the claim checks any
 * wallet needs to answer (response_type/mode, response_uri, nonce, state, scope, exp).
 */
import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { KeyObject } from 'node:crypto';
import { didKeyToKeyObject } from '@dome-verifier/did-key';
import type { AuthorizationRequest } from './parse-url.ts';
import { WalletError } from './wallet-error.ts';

export const REQUEST_OBJECT_TYP = 'oauth-authz-req+jwt';
/** The only scope the DOME wallet selects a credential for (→ LEARCredentialEmployee). */
export const LEAR_EMPLOYEE_SCOPE = 'dome.credentials.presentation.LEARCredentialEmployee';
const DID_KEY_PREFIX = 'did:key:z';
const ACCEPTED_CONTENT_TYPES = ['application/oauth-authz-req+jwt', 'application/jwt', 'text/plain'];
const DEFAULT_TIMEOUT_MS = 15_000;

export interface RequestObjectClaims {
  iss: string;
  client_id: string;
  client_id_scheme?: string;
  response_uri: string;
  response_type: string;
  response_mode: string;
  scope: string;
  nonce: string;
  state: string;
  iat?: number;
  exp?: number;
  aud?: string | string[];
  [claim: string]: unknown;
}

export interface VerifiedRequestObject {
  header: { alg: string; typ: string; kid: string; [param: string]: unknown };
  claims: RequestObjectClaims;
  /** The compact JWT as fetched. */
  jwt: string;
}

export interface FetchRequestObjectOptions {
  fetch?: typeof fetch;
  /** Clock in milliseconds (like Date.now); used for `exp`. */
  now?: () => number;
  /** Default 15000. */
  timeoutMs?: number;
}

function invalid(reason: string, message: string, cause?: unknown): WalletError {
  return new WalletError('request_object_invalid', message, { reason, ...(cause !== undefined ? { cause } : {}) });
}

async function download(requestUri: string, o: FetchRequestObjectOptions): Promise<string> {
  const doFetch = o.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(requestUri, {
      method: 'GET',
      headers: { accept: 'application/oauth-authz-req+jwt, application/jwt' },
      redirect: 'error',
      signal: AbortSignal.timeout(o.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
  } catch (e) {
    throw new WalletError('request_object_fetch', `GET request_uri failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new WalletError('request_object_fetch', `GET request_uri answered HTTP ${res.status}`, { status: res.status });
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!ACCEPTED_CONTENT_TYPES.includes(mediaType)) {
    throw new WalletError('request_object_fetch', `unexpected request object content type "${mediaType || '(none)'}"`, { status: res.status });
  }
  const jwt = text.trim();
  if (jwt === '') throw new WalletError('request_object_fetch', 'the request object body is empty', { status: res.status });
  return jwt;
}

function requireString(claims: Record<string, unknown>, name: string, reason = name): string {
  const v = claims[name];
  if (typeof v !== 'string' || v === '') throw invalid(reason, `the request object has no ${name}`);
  return v;
}

/**
 * Checks a compact request object and, when given, the `client_id` of the openid4vp URL.
 * Order as the DOME wallet: parse, header typ, client_id = iss, kid → did:key → ES256 signature; then claims.
 */
export async function verifyRequestObject(jwt: string, o: { expectedClientId?: string; now?: () => number } = {}): Promise<VerifiedRequestObject> {
  if (typeof jwt !== 'string' || jwt.split('.').length !== 3) throw invalid('jwt', 'the request object is not a compact signed JWT');
  let header: Record<string, unknown>;
  let unverified: Record<string, unknown>;
  try {
    header = { ...decodeProtectedHeader(jwt) };
    unverified = { ...decodeJwt(jwt) };
  } catch (e) {
    throw invalid('jwt', 'the request object is not a compact signed JWT', e);
  }
  if (header.typ !== REQUEST_OBJECT_TYP) {
    throw invalid('typ', `header typ must be exactly "${REQUEST_OBJECT_TYP}" (got ${JSON.stringify(header.typ ?? null)})`);
  }
  const clientId = requireString(unverified, 'client_id');
  if (unverified.iss !== clientId) throw invalid('client_id', 'client_id must equal iss');
  const kid = header.kid;
  if (typeof kid !== 'string' || !kid.startsWith(DID_KEY_PREFIX)) throw invalid('kid', 'header kid must be a did:key (did:key:z…)');
  if (kid.includes('#')) throw invalid('kid', 'header kid must be a bare did:key without #fragment');
  let key: KeyObject;
  try {
    key = didKeyToKeyObject(kid);
  } catch (e) {
    throw invalid('kid', `header kid is not a P-256 did:key: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  let claims: Record<string, unknown>;
  try {
    const nowMs = o.now ? o.now() : Date.now();
    ({ payload: claims } = await jwtVerify(jwt, key, { algorithms: ['ES256'], typ: REQUEST_OBJECT_TYP, currentDate: new Date(nowMs) }));
  } catch (e) {
    if (e instanceof joseErrors.JWTExpired) throw invalid('exp', 'the request object has expired', e);
    if (e instanceof joseErrors.JWSSignatureVerificationFailed) throw invalid('signature', 'the request object signature does not verify with the kid did:key', e);
    if (e instanceof joseErrors.JOSEAlgNotAllowed) throw invalid('signature', 'the request object must be signed with ES256', e);
    const reason = e instanceof joseErrors.JWTClaimValidationFailed ? e.claim : 'signature';
    throw invalid(reason, `the request object does not verify: ${e instanceof Error ? e.message : String(e)}`, e);
  }
  if (o.expectedClientId !== undefined && o.expectedClientId !== clientId) {
    throw invalid('client_id_mismatch', 'the client_id of the URL differs from the request object client_id');
  }
  if (claims.response_type !== 'vp_token') throw invalid('response_type', `response_type must be "vp_token" (got ${JSON.stringify(claims.response_type ?? null)})`);
  if (claims.response_mode !== 'direct_post') throw invalid('response_mode', `response_mode must be "direct_post" (got ${JSON.stringify(claims.response_mode ?? null)})`);
  const responseUri = requireString(claims, 'response_uri');
  let target: URL | undefined;
  try {
    target = new URL(responseUri);
  } catch {
    target = undefined;
  }
  if (!target || (target.protocol !== 'https:' && target.protocol !== 'http:')) throw invalid('response_uri', 'response_uri must be an http(s) URL');
  requireString(claims, 'nonce');
  requireString(claims, 'state');
  if (claims.scope !== LEAR_EMPLOYEE_SCOPE) {
    throw invalid('scope', `scope must be "${LEAR_EMPLOYEE_SCOPE}" (the DOME wallet selects no credential otherwise; got ${JSON.stringify(claims.scope ?? null)})`);
  }
  return {
    header: header as VerifiedRequestObject['header'],
    claims: claims as RequestObjectClaims,
    jwt,
  };
}

/** GET `request_uri` and check the request object against the URL's `client_id`. */
export async function fetchRequestObject(req: AuthorizationRequest, o: FetchRequestObjectOptions = {}): Promise<VerifiedRequestObject> {
  const jwt = await download(req.requestUri, o);
  return verifyRequestObject(jwt, { expectedClientId: req.clientId, ...(o.now ? { now: o.now } : {}) });
}
