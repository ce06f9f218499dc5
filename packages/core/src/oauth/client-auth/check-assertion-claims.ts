/**
 * Client authentication, step 4 — claims (RFC 7523 §3, OIDC Core §9): `iss` = `sub` =
 * client_id; `aud` names this server (the issuer as a string, as DOME clients send; the issuer
 * with a trailing slash and the token endpoint are tolerated; when the issuer has a path, such as
 * IN2 V3's `/verifier`, the same three forms of its origin too; an array only when every member
 * is one of those); `exp` required and at most `maxAssertionLifetimeSeconds` ahead; `iat`/`nbf`
 * not in the future beyond the skew; `jti` required. Millisecond dates are converted first
 * (DOME leniency, configurable).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { readNumericDate } from '../../shared/time.ts';
import { BoundedCache } from '../../shared/bounded-cache.ts';
import type { ClientAuthContext } from './context.ts';

const missing = (claim: string) => new VerifierError('ERR_ASSERTION_CLAIM_MISSING', `the client assertion has no ${claim}`);
const invalidClaim = (claim: string, what: string) => new VerifierError('ERR_ASSERTION_CLAIM_INVALID', `the client assertion ${claim} must be ${what}`);

/** Issuer → its accepted audiences; a runtime has one issuer (tests a few): bounded. */
const audiences = new BoundedCache<string, ReadonlySet<string>>(16);

export function acceptedAudiences(issuer: string): ReadonlySet<string> {
  let set = audiences.get(issuer);
  if (!set) {
    const forms = (base: string) => [base, `${base}/`, `${base}/oidc/token`];
    const { origin, pathname } = new URL(issuer);
    set = new Set([...forms(issuer), ...(pathname.replace(/\/+$/, '') === '' ? [] : forms(origin))]);
    audiences.set(issuer, set);
  }
  return set;
}

export const checkAssertionClaims: Step<ClientAuthContext> = {
  name: 'assertion-claims',
  run({ deps, state }) {
    const { assertion, client } = state;
    if (!assertion || !client) return;
    const p = assertion.payload;
    const { policy } = deps;

    for (const claim of ['iss', 'sub', 'aud', 'exp', 'jti'] as const) if (p[claim] === undefined) throw missing(claim);
    if (typeof p.iss !== 'string') throw invalidClaim('iss', 'a string');
    if (typeof p.sub !== 'string') throw invalidClaim('sub', 'a string');
    if (p.iss !== client.clientId || p.sub !== client.clientId) {
      throw new VerifierError('ERR_ASSERTION_SUBJECT', 'the client assertion iss and sub must equal the client_id');
    }

    const ours = acceptedAudiences(policy.issuer);
    const aud = p.aud;
    if (typeof aud === 'string') {
      if (!ours.has(aud)) throw new VerifierError('ERR_ASSERTION_AUDIENCE', 'the client assertion aud is not this server');
    } else if (Array.isArray(aud)) {
      if (aud.length === 0 || !aud.every((a) => typeof a === 'string')) throw invalidClaim('aud', 'a string or an array of strings');
      if (!aud.every((a) => ours.has(a as string))) throw new VerifierError('ERR_ASSERTION_AUDIENCE', 'every client assertion aud must identify this server');
    } else {
      throw invalidClaim('aud', 'a string or an array of strings');
    }

    if (typeof p.jti !== 'string' || p.jti.length === 0 || p.jti.length > 256) throw invalidClaim('jti', 'a non-empty string of at most 256 characters');

    const ms = policy.acceptMillisecondTimestamps;
    const exp = readNumericDate(p.exp, ms);
    const iat = readNumericDate(p.iat, ms);
    const nbf = readNumericDate(p.nbf, ms);
    if (!exp.ok || exp.seconds === undefined) throw invalidClaim('exp', 'a NumericDate');
    if (!iat.ok) throw invalidClaim('iat', 'a NumericDate');
    if (!nbf.ok) throw invalidClaim('nbf', 'a NumericDate');
    const now = deps.clock.now() / 1000;
    const skew = policy.clockSkewSeconds;
    if (now - skew >= exp.seconds) throw new VerifierError('ERR_ASSERTION_EXPIRED', 'the client assertion has expired');
    if (exp.seconds > now + policy.maxAssertionLifetimeSeconds + skew) {
      throw new VerifierError('ERR_ASSERTION_LIFETIME', `the client assertion exp must be at most ${policy.maxAssertionLifetimeSeconds} s ahead`);
    }
    if (iat.seconds !== undefined && iat.seconds > now + skew) throw new VerifierError('ERR_ASSERTION_NOT_YET_VALID', 'the client assertion iat lies in the future');
    if (nbf.seconds !== undefined && nbf.seconds > now + skew) throw new VerifierError('ERR_ASSERTION_NOT_YET_VALID', 'the client assertion is not yet valid (nbf)');
  },
};

/** `exp` of a checked assertion in seconds (ms converted). */
export function assertionExpiry(payload: Record<string, unknown>, acceptMs: boolean): number {
  const exp = readNumericDate(payload.exp, acceptMs);
  return exp.ok && exp.seconds !== undefined ? exp.seconds : 0;
}
