/**
 * The DID-signed client assertion of a FIWARE code or refresh exchange (spec §5.6 option B; the
 * BAE marketplace's `buildClientAssertion`): `client_assertion_type` jwt-bearer, a compact JWS
 * whose header `kid` is a DID (or DID URL) — and, our hardening, that DID is the `client_id`
 * (VCVerifier takes the key of any `kid`) — verified with the DID's key; `iss` = `sub` =
 * `client_id`; `aud` (a string or a list) names this verifier; `exp` present, unexpired and at
 * most 5 minutes ahead; `nbf`/`iat` not in the future. Returns the client DID. Every failure is
 * `ERR_FIWARE_CLIENT_ASSERTION` (401 invalid_client).
 */
import { decodeJws, verifyJws, type DecodedJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import { readNumericDate } from '../../shared/time.ts';
import type { Clock } from '../../ports/clock.ts';
import type { DidKeyResolver } from './context.ts';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const ALGORITHMS = ['ES256', 'ES384', 'EdDSA'] as const;
const MAX_AHEAD_SECONDS = 300;

const refuse = (message: string, cause?: unknown) => new VerifierError('ERR_FIWARE_CLIENT_ASSERTION', message, cause ? { cause } : undefined);

export interface ClientAssertionDeps {
  clock: Clock;
  issuer: string;
  clockSkewSeconds: number;
  resolveDidKey: DidKeyResolver;
}

/** True when the form carries any part of a client assertion. */
export function hasClientAssertion(params: Readonly<Record<string, string>>): boolean {
  return params.client_assertion !== undefined || params.client_assertion_type !== undefined;
}

export async function verifyDidClientAssertion(deps: ClientAssertionDeps, params: Readonly<Record<string, string>>): Promise<string> {
  const { client_assertion_type: type, client_assertion: assertion, client_id: clientId } = params;
  if (type !== JWT_BEARER) throw refuse(`client_assertion_type must be ${JWT_BEARER}`);
  if (!assertion) throw refuse('client_assertion is required');
  if (!clientId) throw refuse('client_id is required with a client assertion');
  let jws: DecodedJws;
  try {
    jws = decodeJws(assertion, { maxLength: 16 * 1024, maxHeaderLength: 4 * 1024 });
  } catch (e) {
    throw refuse('the client assertion is not a compact JWS', e);
  }
  const kid = jws.header.kid;
  if (typeof kid !== 'string' || kid.split('#')[0] !== clientId || !clientId.startsWith('did:')) throw refuse('the client assertion kid must be the client_id DID');
  const { key } = await deps.resolveDidKey(kid).catch((e: unknown) => {
    if (e instanceof VerifierError && e.status >= 500) throw e;
    throw refuse('the client_id DID cannot be resolved to a key', e);
  });
  try {
    verifyJws(jws, key, { algorithms: ALGORITHMS });
  } catch (e) {
    throw refuse(`the client assertion signature does not verify with the client DID key${e instanceof JoseError ? ` (${e.message})` : ''}`, e);
  }
  const p = jws.payload;
  if (p.iss !== clientId || p.sub !== clientId) throw refuse('iss and sub of the client assertion must both be client_id');
  const aud = typeof p.aud === 'string' ? [p.aud] : Array.isArray(p.aud) ? p.aud : [];
  if (!aud.some((a) => a === deps.issuer || a === `${deps.issuer}/`)) throw refuse('the client assertion aud does not name this verifier');
  const exp = readNumericDate(p.exp, false);
  const nbf = readNumericDate(p.nbf, false);
  const iat = readNumericDate(p.iat, false);
  if (!exp.ok || !nbf.ok || !iat.ok || exp.seconds === undefined) throw refuse('the client assertion needs a NumericDate exp (nbf, iat NumericDates when present)');
  const now = deps.clock.now() / 1000;
  const skew = deps.clockSkewSeconds;
  if (now - skew >= exp.seconds) throw refuse('the client assertion has expired');
  if (exp.seconds > now + MAX_AHEAD_SECONDS + skew) throw refuse('the client assertion exp is more than 5 minutes ahead');
  if ((nbf.seconds ?? 0) > now + skew || (iat.seconds ?? 0) > now + skew) throw refuse('the client assertion is not yet valid');
  return clientId;
}
