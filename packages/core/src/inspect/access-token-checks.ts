/**
 * Checks of an access token this verifier issued (see oauth/tokens/create-access-token.ts):
 * ES256 signature with the verifier identity key, header `typ` as configured, `iss` = the
 * verifier URL, `exp`/`iat`, an `aud`, and a `vc` claim that maps to a LEAR credential. The
 * error catalogue has no codes for access tokens (the verifier never receives them), so these
 * failures carry a message only, except the credential check.
 */
import type { KeyObject } from 'node:crypto';
import { decodeJws, verifyJws, type DecodedJws } from '../jose/jws.ts';
import { JoseError } from '../jose/errors.ts';
import { VerifierError } from '../errors/verifier-error.ts';
import type { Clock } from '../ports/clock.ts';
import type { Step } from '../shared/pipeline.ts';
import { isRecord } from '../shared/json.ts';
import { readNumericDate } from '../shared/time.ts';
import { mapLearCredential } from '../credentials/lear-credential.ts';
import type { AccessTokenTyp } from '../oauth/tokens/create-access-token.ts';
import type { ErrorCode } from '../errors/codes.ts';
import type { Prerequisite, Prerequisites } from './run-checks.ts';

/** Larger than any token this verifier issues (the `vc` claim of a DOME credential is a few KiB). */
export const MAX_ACCESS_TOKEN_LENGTH = 128 * 1024;

export interface AccessTokenContext {
  readonly jwt: string;
  readonly deps: {
    clock: Clock;
    issuer: string;
    /** Public key of the verifier identity and its did:key (the `kid`). */
    key: KeyObject;
    did: string;
    typ: AccessTokenTyp;
    clockSkewSeconds: number;
  };
  readonly state: { jws?: DecodedJws };
}

const fail = (code: ErrorCode, message: string): never => {
  throw new VerifierError(code, message);
};

export const parseAccessToken: Step<AccessTokenContext> = {
  name: 'parse-access-token',
  run({ jwt, state }) {
    try {
      state.jws = decodeJws(jwt, { maxLength: MAX_ACCESS_TOKEN_LENGTH });
    } catch (e) {
      fail('ERR_ACCESS_TOKEN_MALFORMED', `the access token is not a valid JWT${e instanceof JoseError ? `: ${e.message}` : ''}`);
    }
  },
};

export const checkAccessTokenSignature: Step<AccessTokenContext> = {
  name: 'access-token-signature',
  run({ deps, state }) {
    const jws = state.jws!;
    if (jws.header.kid !== undefined && jws.header.kid !== deps.did) fail('ERR_ACCESS_TOKEN_SIGNATURE', `the access token kid is not this verifier's key (${deps.did})`);
    try {
      verifyJws(jws, deps.key, { algorithms: ['ES256'] });
    } catch (e) {
      fail('ERR_ACCESS_TOKEN_SIGNATURE', `the access token signature does not verify with this verifier's key${e instanceof JoseError ? ` (${e.message})` : ''}`);
    }
  },
};

export const checkAccessTokenTyp: Step<AccessTokenContext> = {
  name: 'access-token-typ',
  run({ deps, state }) {
    const typ = state.jws!.header.typ;
    if (typ !== deps.typ) fail('ERR_ACCESS_TOKEN_TYP', `the access token typ is ${typ === undefined ? 'missing' : JSON.stringify(typ.slice(0, 32))}; this verifier issues "${deps.typ}"`);
  },
};

export const checkAccessTokenIssuer: Step<AccessTokenContext> = {
  name: 'access-token-issuer',
  run({ deps, state }) {
    const iss = state.jws!.payload.iss;
    if (iss !== deps.issuer) fail('ERR_ACCESS_TOKEN_ISSUER', `the access token iss is not this verifier (${deps.issuer})`);
  },
};

export const checkAccessTokenTime: Step<AccessTokenContext> = {
  name: 'access-token-time',
  run({ deps, state }) {
    const p = state.jws!.payload;
    const exp = readNumericDate(p.exp, false);
    const iat = readNumericDate(p.iat, false);
    const nbf = readNumericDate(p.nbf, false);
    if (!exp.ok || exp.seconds === undefined) fail('ERR_ACCESS_TOKEN_MALFORMED', 'the access token exp must be a NumericDate');
    if (!iat.ok || iat.seconds === undefined) fail('ERR_ACCESS_TOKEN_MALFORMED', 'the access token iat must be a NumericDate');
    if (!nbf.ok) fail('ERR_ACCESS_TOKEN_MALFORMED', 'the access token nbf must be a NumericDate');
    const now = deps.clock.now() / 1000;
    const skew = deps.clockSkewSeconds;
    if (exp.ok && exp.seconds !== undefined && now - skew >= exp.seconds) fail('ERR_ACCESS_TOKEN_EXPIRED', `the access token expired at ${new Date(exp.seconds * 1000).toISOString()}`);
    if (iat.ok && iat.seconds !== undefined && iat.seconds > now + skew) fail('ERR_ACCESS_TOKEN_NOT_YET_VALID', 'the access token was issued in the future (iat)');
    if (nbf.ok && nbf.seconds !== undefined && nbf.seconds > now + skew) fail('ERR_ACCESS_TOKEN_NOT_YET_VALID', 'the access token is not yet valid (nbf)');
  },
};

export const checkAccessTokenAudience: Step<AccessTokenContext> = {
  name: 'access-token-audience',
  run({ state }) {
    const aud = state.jws!.payload.aud;
    const ok = (typeof aud === 'string' && aud.length > 0) || (Array.isArray(aud) && aud.length > 0 && aud.every((a) => typeof a === 'string' && a.length > 0));
    if (!ok) fail('ERR_ACCESS_TOKEN_AUDIENCE', 'the access token has no aud (a string or an array of strings)');
  },
};

export const checkAccessTokenCredential: Step<AccessTokenContext> = {
  name: 'access-token-credential',
  run({ state }) {
    const vc = state.jws!.payload.vc;
    if (!isRecord(vc)) throw new VerifierError('ERR_VC_MALFORMED', 'the access token has no vc object');
    const mapped = mapLearCredential(vc);
    if (!mapped.ok) throw new VerifierError(mapped.code, `the access token vc ${mapped.reason}`);
  },
};

export const ACCESS_TOKEN_CHECKS: readonly Step<AccessTokenContext>[] = [
  parseAccessToken,
  checkAccessTokenSignature,
  checkAccessTokenTyp,
  checkAccessTokenIssuer,
  checkAccessTokenTime,
  checkAccessTokenAudience,
  checkAccessTokenCredential,
];

const decoded: Prerequisite<AccessTokenContext> = { step: 'parse-access-token', present: (c) => c.state.jws !== undefined };
export const ACCESS_TOKEN_PREREQUISITES: Prerequisites<AccessTokenContext> = Object.fromEntries(
  ACCESS_TOKEN_CHECKS.map((s) => [s.name, s === parseAccessToken ? [] : [decoded]]),
);
