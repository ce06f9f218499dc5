/**
 * FIWARE login step 1 — a request object supplied by the client (`request_uri` on
 * `/api/v1/authorization` or `/api/v2/loginQR`, spec §5.2; the BAE marketplace sends one):
 * fetched through the SSRF-guarded fetcher (https, public addresses, 2.5 s, 64 KiB, no
 * redirects), a compact JWS whose header `kid` is a DID or DID URL, verified with that DID's key;
 * `aud` must name this verifier, `exp` must be present and unexpired (VCVerifier's jwx checks
 * it when present; we require it), `iss`, when present, is the signing DID. Its `client_id`,
 * `scope`, `redirect_uri`, `nonce`, `state` and `response_type` replace the query's. The DID is
 * remembered: it is the only client a DID-signed assertion may redeem the login's code as.
 */
import { verifyJws, type DecodedJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { readNumericDate } from '../../shared/time.ts';
import type { Step } from '../../shared/pipeline.ts';
import { decodeRequestObject, fetchRequestObject, REQUEST_OBJECT_ALGORITHMS } from '../../oauth/authorize/process-request-object.ts';
import type { FiwareLoginContext, FiwareLoginParams } from './context.ts';

const PARAMS = ['client_id', 'scope', 'redirect_uri', 'nonce', 'state', 'response_type'] as const;
const invalid = (msg: string, cause?: unknown) => new VerifierError('ERR_REQUEST_OBJECT_INVALID', msg, cause ? { cause } : undefined);

function checkClaims(ctx: FiwareLoginContext, jws: DecodedJws, did: string): void {
  const p = jws.payload;
  const { issuer, clockSkewSeconds: skew } = ctx.deps;
  if (p.request !== undefined || p.request_uri !== undefined) throw invalid('the request object must not contain request or request_uri');
  if (p.iss !== undefined && p.iss !== did) throw invalid('the request object iss is not the DID that signed it');
  const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud : [];
  if (!aud.some((a) => a === issuer || a === `${issuer}/`)) throw invalid('the request object aud does not name this verifier');
  const exp = readNumericDate(p.exp, false);
  const nbf = readNumericDate(p.nbf, false);
  if (!exp.ok || !nbf.ok || exp.seconds === undefined) throw invalid('the request object must carry a NumericDate exp');
  const now = ctx.deps.clock.now() / 1000;
  if (now - skew >= exp.seconds) throw invalid('the request object has expired');
  if (nbf.seconds !== undefined && nbf.seconds > now + skew) throw invalid('the request object is not yet valid');
  for (const name of PARAMS) {
    const v = p[name];
    if (v !== undefined && typeof v !== 'string') throw invalid(`the request object ${name} must be a string`);
  }
}

export const clientRequestObject: Step<FiwareLoginContext> = {
  name: 'fiware-client-request-object',
  async run(ctx) {
    const uri = ctx.raw.request_uri;
    if (uri === undefined) return;
    const jwt = await fetchRequestObject(ctx.deps.fetch, uri);
    const jws = decodeRequestObject(jwt);
    const kid = jws.header.kid;
    if (typeof kid !== 'string' || !kid.startsWith('did:')) throw invalid('the request object kid must be a DID');
    const { did, key } = await ctx.deps.resolveDid(kid).catch((e: unknown) => {
      if (e instanceof VerifierError && e.status >= 500) throw e;
      throw invalid('the request object kid names no usable DID key', e);
    });
    try {
      verifyJws(jws, key, { algorithms: REQUEST_OBJECT_ALGORITHMS });
    } catch (e) {
      throw invalid(`the request object signature does not verify with the key of its kid${e instanceof JoseError ? ` (${e.message})` : ''}`, e);
    }
    checkClaims(ctx, jws, did);
    const inner: FiwareLoginParams = {};
    for (const name of PARAMS) if (typeof jws.payload[name] === 'string') inner[name] = jws.payload[name] as string;
    Object.assign(ctx.state.params, inner);
    ctx.state.clientDid = did;
  },
};
