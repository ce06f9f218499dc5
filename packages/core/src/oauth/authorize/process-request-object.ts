/**
 * Authorize step 2 — signed request objects (RFC 9101), by value (`request`) or by reference
 * (`request_uri`, fetched through the SSRF guard: https and public addresses only unless
 * `allowInsecure`, 2.5 s, 64 KiB, no redirects). Verified with the client's key (its did:key,
 * else its registered `jwkSetUrl`) and an asymmetric algorithm; `client_id`/`response_type`
 * equal the outer ones, `iss` is the client, `aud` names this issuer, `exp` is required and at
 * most 60 minutes after `nbf`/`iat`, no nested `request`/`request_uri`. Parameters inside win
 * over outer ones (the DOME marketplace RP sends `state`/`nonce` outside only, so outer values
 * remain when the object has none).
 */
import { decodeJws, verifyJws, type DecodedJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { FetchError, type Fetcher } from '../../ports/fetcher.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { readNumericDate } from '../../shared/time.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { AuthorizeContext } from './context.ts';
import { pickParams } from './check-client.ts';

const MAX_REQUEST_OBJECT = 64 * 1024;
export const REQUEST_OBJECT_ALGORITHMS = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'] as const;
const ACCEPTED_TYP: ReadonlySet<string> = new Set(['oauth-authz-req+jwt', 'application/oauth-authz-req+jwt', 'jwt']);
const invalid = (msg: string, cause?: unknown) => new VerifierError('ERR_REQUEST_OBJECT_INVALID', msg, cause ? { cause } : undefined);

/** GETs a request object by reference through the SSRF guard (shared with FIWARE logins, fiware/h2m). */
export async function fetchRequestObject(fetch: Fetcher, uri: string): Promise<string> {
  let res;
  try {
    res = await fetch({ url: uri, purpose: 'untrusted', maxBytes: MAX_REQUEST_OBJECT, accept: 'application/oauth-authz-req+jwt, application/jwt' });
  } catch (e) {
    const reason = e instanceof FetchError ? e.reason : 'network';
    throw new VerifierError('ERR_REQUEST_URI_INVALID', `the request_uri cannot be fetched (${reason})`, { cause: e });
  }
  if (res.status !== 200) throw new VerifierError('ERR_REQUEST_URI_INVALID', `the request_uri answered HTTP ${res.status}`);
  return res.body.toString('utf8').trim();
}

/** The request object's compact JWS (size caps), refused when its `typ` names another kind of JWT. */
export function decodeRequestObject(jwt: string): DecodedJws {
  let jws: DecodedJws;
  try {
    jws = decodeJws(jwt, { maxLength: MAX_REQUEST_OBJECT, maxHeaderLength: 8 * 1024 });
  } catch (e) {
    throw invalid(`the request object is not a signed JWT${e instanceof JoseError ? ` (${e.message})` : ''}`, e);
  }
  if (jws.header.typ !== undefined && !ACCEPTED_TYP.has(jws.header.typ.toLowerCase())) throw invalid('the request object typ names another kind of JWT');
  return jws;
}

function checkClaims(ctx: AuthorizeContext, jws: DecodedJws): void {
  const { raw, deps, state } = ctx;
  const p = jws.payload;
  const { policy } = deps;
  const clientId = state.client!.clientId;
  if (p.request !== undefined || p.request_uri !== undefined) throw invalid('the request object must not contain request or request_uri');
  if (p.client_id !== undefined && p.client_id !== raw.client_id) throw invalid('the request object client_id differs from the request');
  if (p.response_type !== undefined && raw.response_type !== undefined && p.response_type !== raw.response_type) throw invalid('the request object response_type differs from the request');
  if (p.iss !== undefined && p.iss !== clientId) throw invalid('the request object iss is not the client');
  const aud = p.aud;
  if (aud !== undefined) {
    const list = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (!list.some((a) => a === policy.issuer || a === `${policy.issuer}/`)) throw invalid('the request object aud does not name this issuer');
  } else if (policy.requestObjectRequireAud) {
    throw invalid('the request object has no aud');
  }
  const ms = false;
  const exp = readNumericDate(p.exp, ms);
  const nbf = readNumericDate(p.nbf, ms);
  const iat = readNumericDate(p.iat, ms);
  if (!exp.ok || !nbf.ok || !iat.ok) throw invalid('the request object exp/nbf/iat must be NumericDates');
  const now = deps.clock.now() / 1000;
  const skew = policy.clockSkewSeconds;
  if (exp.seconds === undefined) {
    if (policy.requestObjectRequireExp) throw invalid('the request object has no exp');
  } else {
    if (now - skew >= exp.seconds) throw invalid('the request object has expired');
    const start = nbf.seconds ?? iat.seconds ?? now;
    if (exp.seconds - start > 3600) throw invalid('the request object lifetime exceeds 60 minutes');
  }
  if (nbf.seconds !== undefined && nbf.seconds > now + skew) throw invalid('the request object is not yet valid');
  if (iat.seconds !== undefined && iat.seconds > now + skew) throw invalid('the request object was issued in the future');
}

export const processRequestObject: Step<AuthorizeContext> = {
  name: 'request-object',
  async run(ctx) {
    const { raw, deps, state } = ctx;
    if (raw.request === undefined && raw.request_uri === undefined) return;
    if (raw.request !== undefined && raw.request_uri !== undefined) throw new VerifierError('ERR_AUTHZ_PARAMETER', 'use request or request_uri, not both');
    const jwt = raw.request ?? (await fetchRequestObject(deps.fetch, raw.request_uri!));
    const jws = decodeRequestObject(jwt);
    const keys = await deps.clientKeys.keysFor(state.client!, jws.header).catch((e: unknown) => {
      if (e instanceof VerifierError && e.status >= 500) throw e;
      throw invalid('no key of the client matches the request object', e);
    });
    let verified = false;
    for (const key of keys) {
      try {
        verifyJws(jws, key, { algorithms: REQUEST_OBJECT_ALGORITHMS });
        verified = true;
        break;
      } catch (e) {
        if (e instanceof JoseError && (e.code === 'ERR_JWS_ALG_NOT_ALLOWED' || e.code === 'ERR_JWS_CRIT_UNSUPPORTED')) throw invalid(`the request object header is not acceptable: ${e.message}`, e);
      }
    }
    if (!verified) throw invalid('the request object signature does not verify with the client key');
    checkClaims(ctx, jws);
    Object.assign(state.params, pickParams(jws.payload));
  },
};
