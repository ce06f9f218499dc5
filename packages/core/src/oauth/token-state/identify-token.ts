/**
 * Step 3 — what the presented token is. A compact JWS is ours only if it verifies with the
 * verifier's key (ES256, `kid` = the verifier did:key, `iss` = this issuer) and has not expired;
 * it is an access token when it carries a `scope`, otherwise an ID token. Anything else of the
 * refresh-token shape is looked up by hash. Unknown, foreign, malformed and expired tokens leave
 * `identified` unset: revocation then has no effect and introspection answers inactive (RFC 7009
 * §2.2, RFC 7662 §2.2) — never an error, so the answer reveals nothing about what was sent.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeJws, verifyJws, type DecodedJws } from '../../jose/jws.ts';
import { nowSeconds } from '../../ports/clock.ts';
import type { Step } from '../../shared/pipeline.ts';
import { findAccessTokenRecord } from '../tokens/access-token-records.ts';
import { findRefreshToken } from '../tokens/refresh-tokens.ts';
import type { TokenStateContext, TokenStateDeps } from './context.ts';

/** Our access tokens carry the credential; 64 KiB is the request body limit anyway. */
const MAX_JWT_LENGTH = 64 * 1024;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const publicKeys = new WeakMap<KeyObject, KeyObject>();
function verifierPublicKey(deps: TokenStateDeps): KeyObject {
  let key = publicKeys.get(deps.signer.key);
  if (!key) publicKeys.set(deps.signer.key, (key = createPublicKey(deps.signer.key)));
  return key;
}

function verifiedOwnJwt(token: string, deps: TokenStateDeps): DecodedJws | undefined {
  try {
    const jws = decodeJws(token, { maxLength: MAX_JWT_LENGTH });
    if (jws.header.kid !== deps.signer.kid) return undefined;
    verifyJws(jws, verifierPublicKey(deps), { algorithms: ['ES256'] });
    return jws.payload.iss === deps.tokenPolicy.issuer ? jws : undefined;
  } catch {
    return undefined;
  }
}

export const identifyToken: Step<TokenStateContext> = {
  name: 'identify-token',
  async run({ deps, state }) {
    const token = state.token!;
    if (REFRESH_TOKEN_SHAPE.test(token)) {
      const found = await findRefreshToken(deps.store, deps.clock, token);
      if (found) state.identified = { kind: 'refresh_token', found };
      return;
    }
    const jws = verifiedOwnJwt(token, deps);
    if (!jws) return;
    const claims = jws.payload;
    const { exp, jti, aud, sub } = claims;
    if (typeof exp !== 'number' || exp <= nowSeconds(deps.clock)) return;
    if (typeof claims.scope !== 'string') {
      state.identified = { kind: 'id_token' };
      return;
    }
    if (typeof jti !== 'string' || jti === '') return;
    // FIWARE tokens (fiware/token/issue-fiware-access-token.ts) are machine tokens of the
    // service their one-element `aud` list names; DOME H2M tokens have a string `aud` (the RP).
    const service = Array.isArray(aud) && aud.length === 1 && typeof aud[0] === 'string' ? aud[0] : undefined;
    const human = service === undefined && aud !== deps.tokenPolicy.issuer;
    const record = await findAccessTokenRecord(deps.store, jti);
    // The client it was issued to: recorded; else an H2M token's audience (the RP), a FIWARE
    // token's service, or an M2M token's subject (the machine, which holder binding ties to the
    // authenticated client).
    const inferred = service ?? (human ? aud : sub);
    const clientId = record?.c ?? (typeof inferred === 'string' ? inferred : undefined);
    state.identified = { kind: 'access_token', jti, claims, exp, human, record, clientId };
  },
};
