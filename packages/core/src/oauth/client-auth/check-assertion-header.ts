/**
 * Client authentication, step 3 — header policy: the algorithm is asymmetric, in the server
 * allow-list and equal to the client's registered signing algorithm when it has one
 * (`client_secret_jwt` + ES256 is DOME's label for a key-based JWT: never an HMAC); no
 * `jku`/`x5u`, no unknown `crit`; `typ`, when present, is not that of another kind of JWT.
 */
import { checkJwsHeader, type JwsAlg } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { ClientAuthContext } from './context.ts';

export const ASSERTION_ALGORITHMS: readonly JwsAlg[] = ['ES256', 'ES384', 'PS256', 'RS256', 'EdDSA'];
const ACCEPTED_TYP = new Set(['jwt', 'client-authentication+jwt', 'application/client-authentication+jwt', 'application/jwt']);

export const checkAssertionHeader: Step<ClientAuthContext> = {
  name: 'assertion-header',
  run({ state }) {
    const { assertion, client } = state;
    if (!assertion || !client) return;
    const { header } = assertion;
    const registered = client.tokenEndpointAuthenticationSigningAlgorithm;
    if (registered !== undefined && header.alg !== registered) {
      throw new VerifierError('ERR_ASSERTION_ALG', `the client assertion must be signed with ${registered.slice(0, 16)}`);
    }
    try {
      checkJwsHeader(header, { algorithms: ASSERTION_ALGORITHMS });
    } catch (e) {
      const code = e instanceof JoseError && e.code === 'ERR_JWS_ALG_NOT_ALLOWED' ? 'ERR_ASSERTION_ALG' : 'ERR_ASSERTION_HEADER';
      throw new VerifierError(code, `client assertion header: ${(e as Error).message}`, { cause: e });
    }
    if (header.typ !== undefined && !ACCEPTED_TYP.has(header.typ.toLowerCase())) {
      throw new VerifierError('ERR_ASSERTION_HEADER', 'the client assertion typ names another kind of JWT');
    }
  },
};
