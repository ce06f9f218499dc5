/**
 * Step 11 — KB-JWT `sd_hash` (RFC 9901 §4.3.1): base64url(SHA-256) over the ASCII of
 * everything up to and including the last `~` before the KB-JWT, in the `_sd_alg` (sha-256).
 * It binds the KB-JWT to exactly this issuer JWT and this set of disclosures.
 */
import { createHash } from 'node:crypto';
import type { Step } from '../../shared/pipeline.ts';
import type { SdJwtContext } from './context.ts';
import { sdJwtFail } from './errors.ts';

export function sdHashOf(presentedWithoutKb: string): string {
  return createHash('sha256').update(presentedWithoutKb, 'ascii').digest('base64url');
}

export const checkKbSdHash: Step<SdJwtContext> = {
  name: 'sd-jwt-kb-sd-hash',
  run({ state }) {
    const sdHash = state.kbJwt!.payload.sd_hash;
    if (typeof sdHash !== 'string' || sdHash !== sdHashOf(state.sdHashInput!)) {
      sdJwtFail('KEY_BINDING_SD_HASH_INVALID', 'the Key Binding JWT sd_hash does not match the presented SD-JWT');
    }
  },
};
