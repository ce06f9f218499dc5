/**
 * Wallet leg — the presented credential satisfies the DCQL credential query it answers (the
 * `vp_token` map key, decode-vp-token.ts): a `jwt_vc_json` query is answered by a VP JWT whose
 * credential has every `credential_definition.type` (and one `type_values` alternative); a
 * `dc+sd-jwt` query by an SD-JWT VC whose `vct` is among `vct_values`. Bare presentations (the
 * deployed wallet, or no DCQL) answer no query and skip this step.
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { typesSatisfy, vctSatisfies } from '../../oauth/oid4vp/sent-queries.ts';
import type { PresentationContext } from '../context.ts';

const mismatch = (msg: string) => new VerifierError('ERR_VP_TOKEN_QUERY_MISMATCH', msg);

export const checkAnsweredQuery: Step<PresentationContext> = {
  name: 'answered-query',
  run({ input, state }) {
    const { query } = input;
    const c = state.credential;
    if (!query || !c) return;
    if (query.format === 'dc+sd-jwt') {
      if (!state.sdJwt) throw mismatch('a JWT VC was presented for a dc+sd-jwt credential query');
      if (!vctSatisfies(query, state.sdJwt.vct)) throw mismatch('the SD-JWT VC vct is not one the credential query asks for');
      return;
    }
    if (state.sdJwt) throw mismatch('an SD-JWT VC was presented for a jwt_vc_json credential query');
    if (!typesSatisfy(query, c.types)) throw mismatch('the credential type is not one the credential query asks for');
  },
};
