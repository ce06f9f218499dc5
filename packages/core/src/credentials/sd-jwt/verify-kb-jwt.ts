/**
 * Step 8 — the Key Binding JWT (RFC 9901 §4.3, §7.3): a compact JWS with header `typ` exactly
 * `kb+jwt`, an allowed asymmetric `alg`, signed by the `cnf.jwk` holder key.
 */
import { decodeJws, verifyJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import type { Step } from '../../shared/pipeline.ts';
import { KB_JWT_ALGORITHMS, type SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const KB_JWT_TYP = 'kb+jwt';
const MAX_KB_JWT = 4096;

export const verifyKbJwt: Step<SdJwtContext> = {
  name: 'sd-jwt-kb-signature',
  run({ state }) {
    let jws;
    try {
      jws = decodeJws(state.kbJwtText, { maxLength: MAX_KB_JWT, maxDepth: 4, rejectDuplicatePayloadKeys: true });
    } catch (e) {
      sdJwtFail('KEY_BINDING_MALFORMED', `the Key Binding JWT is not a well-formed JWS (${e instanceof JoseError ? e.message : 'unreadable'})`, e);
    }
    if (jws.header.typ !== KB_JWT_TYP) sdJwtFail('KEY_BINDING_TYP', `the Key Binding JWT typ must be "${KB_JWT_TYP}"`);
    try {
      verifyJws(jws, state.holderKey!, { algorithms: KB_JWT_ALGORITHMS });
    } catch (e) {
      sdJwtFail('KEY_BINDING_SIGNATURE_INVALID', 'the Key Binding JWT is not signed by the cnf.jwk holder key', e);
    }
    state.kbJwt = jws;
  },
};
