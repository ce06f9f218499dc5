/** Authorize step 1 — the client is registered. Unknown clients get an error page, never a redirect. */
import { VerifierError } from '../../errors/verifier-error.ts';
import type { Step } from '../../shared/pipeline.ts';
import { AUTHORIZE_PARAMETERS, type AuthorizeContext, type AuthorizeParameter } from './context.ts';

export const checkClient: Step<AuthorizeContext> = {
  name: 'authorize-client',
  run({ raw, deps, state }) {
    const id = raw.client_id;
    if (!id) throw new VerifierError('ERR_AUTHZ_CLIENT_UNKNOWN', 'client_id is required');
    const client = deps.clients.get(id);
    if (!client) throw new VerifierError('ERR_AUTHZ_CLIENT_UNKNOWN', 'unknown client');
    state.client = client;
    state.params = pickParams(raw);
  },
};

/** The authorization parameters among `source` (string values only). */
export function pickParams(source: Readonly<Record<string, unknown>>): Partial<Record<AuthorizeParameter, string>> {
  const out: Partial<Record<AuthorizeParameter, string>> = {};
  for (const name of AUTHORIZE_PARAMETERS) {
    const v = source[name];
    if (typeof v === 'string' && v !== '') out[name] = v;
  }
  return out;
}
