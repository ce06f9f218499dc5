/**
 * Access tokens as DOME issues them (dome-verifier-wire.md §5.1): ES256, header `kid` = the
 * verifier did:key, `typ` `JWT` by default (DOME resource servers reject `at+jwt`) or `at+jwt`;
 * claims `iss`, `aud`, `sub`, `jti`, `iat`, `exp`, `scope`, `client_id` (= verifier URL) and
 * `vc` (the credential, keys sorted alphabetically as Jackson wrote them — the caller passes
 * `VerifiedPresentation.tokenVc`).
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import { signJwsJson } from '../../jose/jws.ts';

export interface Signer {
  /** P-256 private key of the verifier identity. */
  readonly key: KeyObject;
  /** The verifier did:key, used as `kid`. */
  readonly kid: string;
}

export type AccessTokenTyp = 'JWT' | 'at+jwt';

export interface AccessTokenInput {
  issuer: string;
  audience: string;
  subject: string;
  scope: string;
  /** The credential, already in token form (see VerifiedPresentation.tokenVc). */
  vc: Record<string, unknown>;
  /** `JSON.stringify(vc)` when the caller has it (a cached credential): written as is, not serialized again. */
  vcJson?: string;
  nowSeconds: number;
  expiresInSeconds: number;
  typ: AccessTokenTyp;
  /** Extra claims (H2M adds none today; kept for profiles). */
  extra?: Record<string, unknown>;
}

export interface IssuedToken {
  token: string;
  jti: string;
  expiresIn: number;
}

export function createAccessToken(signer: Signer, input: AccessTokenInput): IssuedToken {
  const jti = randomUUID();
  const claims = {
    aud: input.audience,
    client_id: input.issuer,
    exp: input.nowSeconds + input.expiresInSeconds,
    iat: input.nowSeconds,
    iss: input.issuer,
    jti,
    scope: input.scope,
    sub: input.subject,
  };
  const token = signJwsJson({ alg: 'ES256', kid: signer.kid, typ: input.typ }, payloadJson(claims, input), signer.key);
  return { token, jti, expiresIn: input.expiresInSeconds };
}

/**
 * `JSON.stringify({...claims, vc, ...extra})`. With the text of `vc` given, the same bytes are
 * put together around it instead (the `vc` of a DOME credential is most of the payload); an
 * extra claim that would replace a claim or `vc` takes the plain path.
 */
function payloadJson(claims: Record<string, unknown>, input: AccessTokenInput): string {
  const extra = input.extra ?? {};
  if (input.vcJson === undefined || Object.keys(extra).some((k) => k === 'vc' || Object.hasOwn(claims, k))) {
    return JSON.stringify({ ...claims, vc: input.vc, ...extra });
  }
  const extraJson = JSON.stringify(extra);
  return `${JSON.stringify(claims).slice(0, -1)},"vc":${input.vcJson}${extraJson === '{}' ? '}' : `,${extraJson.slice(1)}`}`;
}
