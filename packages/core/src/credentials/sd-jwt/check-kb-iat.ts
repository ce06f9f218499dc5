/**
 * Step 12 — KB-JWT `iat` (RFC 9901 §7.3 step 5): present, not older than `kbMaxAgeSeconds`,
 * not in the future beyond the skew. The PWA sets iat = now and no exp (dome-wallet-pwa.md §4.5).
 */
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const checkKbIat: Step<SdJwtContext> = {
  name: 'sd-jwt-kb-iat',
  run({ deps, policy, state }) {
    const iat = state.kbJwt!.payload.iat;
    if (typeof iat !== 'number' || !Number.isFinite(iat)) sdJwtFail('KEY_BINDING_IAT_INVALID', 'the Key Binding JWT has no numeric iat');
    const now = deps.clock.now() / 1000;
    if (iat > now + policy.clockSkewSeconds) sdJwtFail('KEY_BINDING_IAT_INVALID', 'the Key Binding JWT iat lies in the future');
    if (iat < now - policy.kbMaxAgeSeconds - policy.clockSkewSeconds) sdJwtFail('KEY_BINDING_IAT_INVALID', 'the Key Binding JWT is too old (iat)');
  },
};
