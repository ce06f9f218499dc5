/**
 * Step 5 — the digest algorithm. `_sd_alg` absent means sha-256 (RFC 9901 §4.1.1); any other
 * value than `sha-256` is refused. DOME's issuer writes `_sd_alg` inside the object that carries
 * the `_sd` array (`mandate._sd_alg`, dome-wallet-pwa.md §6.3), not at the top level as RFC 9901
 * does: a nested `_sd_alg` is read by the same rule, so no object can name another algorithm.
 */
import type { Step } from '../../shared/pipeline.ts';
import { isRecord } from '../../shared/json.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export const SD_ALG = 'sha-256';

export const checkSdAlg: Step<SdJwtContext> = {
  name: 'sd-jwt-sd-alg',
  run({ state }) {
    // The payload depth is capped by decodeJws (limits.maxDepth): an explicit stack, no recursion.
    const stack: unknown[] = [state.issuerJwt!.payload];
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) stack.push(...v);
      else if (isRecord(v)) {
        if ('_sd_alg' in v && v._sd_alg !== SD_ALG) sdJwtFail('SD_ALG_UNSUPPORTED', `the _sd_alg must be "${SD_ALG}"`);
        for (const c of Object.values(v)) if (c !== null && typeof c === 'object') stack.push(c);
      }
    }
  },
};
