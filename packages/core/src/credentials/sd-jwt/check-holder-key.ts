/**
 * Step 7 — the holder key: `cnf.jwk` of the issuer JWT (SD-JWT VC §3.2.2.2, RFC 7800), a public
 * JWK (no private members) of a type a KB-JWT algorithm can use. The PWA refuses credentials
 * without it (dome-wallet-pwa.md §4.1), and so do we: key binding is required.
 */
import { importPublicJwk } from '../../jose/keys.ts';
import { isRecord } from '../../shared/json.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const checkHolderKey: Step<SdJwtContext> = {
  name: 'sd-jwt-holder-key',
  run({ state }) {
    const cnf = state.claims!.cnf;
    const jwk = isRecord(cnf) ? cnf.jwk : undefined;
    if (!isRecord(jwk)) sdJwtFail('HOLDER_KEY_INVALID', 'the SD-JWT VC has no cnf.jwk holder key');
    if (jwk.kty !== 'EC' && jwk.kty !== 'OKP') sdJwtFail('HOLDER_KEY_INVALID', 'the cnf.jwk holder key must be an EC or OKP key');
    try {
      state.holderKey = importPublicJwk(jwk);
    } catch (e) {
      sdJwtFail('HOLDER_KEY_INVALID', 'the cnf.jwk holder key is not a valid public key', e);
    }
    state.holderJwk = jwk;
  },
};
