/**
 * Last step (grant mode) — one use per VP: `sha256(holder ‖ nonce)` is reserved in the Store by
 * set-if-absent until the VP's `exp` plus the clock skew (bound mode caps `exp` at 10 minutes
 * ahead; an unbound VP with a nonce but no `exp`, and an SD-JWT's KB-JWT nonce, are remembered for
 * 10 minutes). A second request
 * with the same holder and nonce — on any replica sharing the store — is refused. It runs after
 * every other check, so a rejected request stores nothing; an unbound VP without a nonce cannot
 * be tracked (docs/fiware.md, allowUnboundVp).
 */
import { createHash } from 'node:crypto';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwarePresentationContext } from './context.ts';
import { MAX_BOUND_VP_LIFETIME_SECONDS } from './check-vp-binding.ts';

export const fiwareVpReplayKey = (holder: string, nonce: string): string => `fiware-vp:${createHash('sha256').update(`${holder}\u0000${nonce}`).digest('base64url')}`;

export const reserveFiwareVpNonce: Step<FiwarePresentationContext> = {
  name: 'fiware-vp-replay',
  async run({ input, deps, state }) {
    if (input.mode !== 'grant' || !state.holder) return;
    const skewMs = deps.presentationPolicy.clockSkewSeconds * 1000;
    const now = deps.clock.now();
    const reserved: string[] = [];
    const bindings = [...(state.vps ?? []).map((vp) => vp.payload), ...(state.sdJwts ?? []).map((p) => ({ nonce: p.nonce, exp: undefined }))];
    for (const { nonce, exp } of bindings) {
      if (typeof nonce !== 'string') continue;
      const key = fiwareVpReplayKey(state.holder, nonce);
      if (reserved.includes(key)) continue;
      const cap = now + MAX_BOUND_VP_LIFETIME_SECONDS * 1000;
      const untilMs = typeof exp === 'number' ? Math.min(exp * 1000, cap) : cap;
      if (!(await deps.store.setIfAbsent(key, '1', Math.max(1000, untilMs - now + skewMs)))) {
        await Promise.all(reserved.map((k) => deps.store.delete(k).catch(() => undefined)));
        throw new VerifierError('ERR_FIWARE_VP_REPLAYED', 'this presentation (holder and nonce) was already used');
      }
      reserved.push(key);
    }
    state.replayKeys = reserved;
  },
};
