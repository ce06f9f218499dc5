/**
 * Step 2 — decode the issuer-signed JWT (strict JWS layer, jose/jws.ts) and check its header:
 * `typ` exactly `dc+sd-jwt` (SD-JWT VC §3.2.1; the legacy `vc+sd-jwt` is refused), `alg` in the
 * JWT VC allow-list, no unsupported or unknown critical parameters.
 */
import { checkJwsHeader, decodeJws } from '../../jose/jws.ts';
import { JoseError } from '../../jose/errors.ts';
import type { Step } from '../../shared/pipeline.ts';
import { SD_JWT_ISSUER_ALGORITHMS, type SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const SD_JWT_TYP = 'dc+sd-jwt';

export const checkIssuerHeader: Step<SdJwtContext> = {
  name: 'sd-jwt-issuer-header',
  run({ limits, state }) {
    let jws;
    try {
      jws = decodeJws(state.issuerJwtText, { maxLength: limits.maxLength, maxHeaderLength: 24 * 1024, maxDepth: limits.maxDepth, rejectDuplicatePayloadKeys: true });
    } catch (e) {
      if (e instanceof JoseError && e.code === 'ERR_JWS_ALG_NOT_ALLOWED') sdJwtFail('ISSUER_JWT_ALG', 'the issuer JWT alg is not accepted', e);
      if (e instanceof JoseError && e.code === 'ERR_JWS_TOO_LARGE') sdJwtFail('PRESENTATION_TOO_LARGE', 'the issuer JWT is too large', e);
      sdJwtFail('ISSUER_JWT_MALFORMED', `the issuer JWT is not a well-formed JWS (${e instanceof JoseError ? e.message : 'unreadable'})`, e);
    }
    if (jws.header.typ !== SD_JWT_TYP) sdJwtFail('ISSUER_JWT_TYP', `the issuer JWT typ must be "${SD_JWT_TYP}"`);
    try {
      checkJwsHeader(jws.header, { algorithms: SD_JWT_ISSUER_ALGORITHMS, crit: ['sigT'] });
    } catch (e) {
      sdJwtFail('ISSUER_JWT_ALG', `the issuer JWT header is not acceptable (${e instanceof JoseError ? e.message : 'invalid'})`, e);
    }
    state.issuerJwt = jws;
  },
};
