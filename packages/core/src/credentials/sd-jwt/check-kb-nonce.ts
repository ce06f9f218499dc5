/** Step 10 — KB-JWT `nonce` (RFC 9901 §4.3): equal to the login's nonce (the replay binding). */
import { timingSafeEqual } from 'node:crypto';
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const checkKbNonce: Step<SdJwtContext> = {
  name: 'sd-jwt-kb-nonce',
  run({ input, state }) {
    const nonce = state.kbJwt!.payload.nonce;
    const a = Buffer.from(typeof nonce === 'string' ? nonce : '');
    const b = Buffer.from(input.expectedNonce);
    if (typeof nonce !== 'string' || b.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) {
      sdJwtFail('KEY_BINDING_NONCE_INVALID', 'the Key Binding JWT nonce is not the one of this login');
    }
  },
};
