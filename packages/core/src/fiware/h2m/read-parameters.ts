/**
 * FIWARE login step 2 — the parameters (spec §2.4, §2.5), after the client's request object:
 * `client_id` (the service id), `state` (≤ 1024), `scope` (one scope name, used verbatim — a
 * name may contain a space; absent on the QR page ⇒ the service's default scope), `nonce`
 * (optional, ≤ 1024), `response_type` (`/api/v1/authorization`: required; any value other than
 * `code` is refused — VCVerifier checks presence only, by a slip), `request_mode` (QR page:
 * `byReference` only; VCVerifier's default).
 */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import type { FiwareLoginContext, FiwareLoginParams } from './context.ts';

const MAX = 1024;
const OUTER = ['client_id', 'scope', 'state', 'nonce', 'redirect_uri', 'response_type', 'request_mode'] as const;
const bad = (message: string) => new VerifierError('ERR_FIWARE_LOGIN_PARAMETER', message);

export const readParameters: Step<FiwareLoginContext> = {
  name: 'fiware-login-parameters',
  run({ raw, entry, state }) {
    // The query's values, unless the client's request object (step 1) already set them.
    const merged: FiwareLoginParams = {};
    for (const name of OUTER) if (raw[name] !== undefined && raw[name] !== '') merged[name] = raw[name];
    state.params = { ...merged, ...state.params };
    const p = state.params;
    for (const name of OUTER) if (p[name] !== undefined && p[name]!.length > MAX) throw bad(`${name} is longer than ${MAX} characters`);
    if (!p.client_id) throw bad('client_id is required');
    if (!p.state) throw bad('state is required');
    if (entry === 'authorization') {
      if (!p.scope) throw bad('scope is required');
      if (!p.response_type) throw bad('response_type is required');
      if (p.response_type !== 'code') throw bad('response_type must be code');
    } else if ((p.request_mode ?? 'byReference') !== 'byReference') {
      throw bad('request_mode must be byReference');
    }
  },
};
