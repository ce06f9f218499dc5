/** Step 9 — KB-JWT `aud` (RFC 9901 §4.3): a string equal to the verifier's client_id. */
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const checkKbAudience: Step<SdJwtContext> = {
  name: 'sd-jwt-kb-audience',
  run({ input, state }) {
    const aud = state.kbJwt!.payload.aud;
    if (typeof aud !== 'string' || aud !== input.expectedAudience) sdJwtFail('KEY_BINDING_AUDIENCE_INVALID', "the Key Binding JWT aud is not this verifier's client_id");
  },
};
