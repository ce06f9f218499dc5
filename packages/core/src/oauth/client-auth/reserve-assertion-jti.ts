/**
 * Client authentication, step 7 — single use of the assertion `jti` until it expires
 * (RFC 7523 §3 item 7). The store key is sha256(iss ‖ jti) so clients cannot collide with each
 * other; the write is an atomic SET-if-absent so two concurrent requests (on one node or, with a
 * shared store, on two) cannot both pass. It runs after the signature check, so unauthenticated
 * input never writes, and the reservation is released if the request fails afterwards.
 */
import { createHash } from 'node:crypto';
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { ClientAuthContext } from './context.ts';
import { assertionExpiry } from './check-assertion-claims.ts';

export const reserveAssertionJti: Step<ClientAuthContext> = {
  name: 'assertion-replay',
  async run({ deps, state }) {
    const a = state.assertion;
    if (!a || !state.client) return;
    const key = `jti:${createHash('sha256').update(`${String(a.payload.iss)}\u0000${String(a.payload.jti)}`).digest('base64url')}`;
    const exp = assertionExpiry(a.payload, deps.policy.acceptMillisecondTimestamps);
    const ttlMs = Math.max(1000, (exp + deps.policy.clockSkewSeconds) * 1000 - deps.clock.now());
    if (!(await deps.store.setIfAbsent(key, '1', ttlMs))) {
      throw new VerifierError('ERR_ASSERTION_REPLAYED', 'the client assertion was already used (jti)');
    }
    state.replayKey = key;
  },
};
