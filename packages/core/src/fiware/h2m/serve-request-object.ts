/**
 * `GET /api/v1/request/{id}` (spec §2.8): the login's request object, signed when fetched, handed
 * out once (the handle is taken from the store, like DOME's request objects; VCVerifier serves it
 * repeatedly). Unknown, used or expired handles, and logins whose service is gone, give undefined.
 */
import type { FiwareLoginDeps } from './context.ts';
import { fiwareRequestKey } from './start-login.ts';
import { createFiwareRequestObject } from './request-object.ts';

const HANDLE = /^[A-Za-z0-9_-]{43}$/;

export async function takeFiwareRequestObject(deps: FiwareLoginDeps, id: string): Promise<string | undefined> {
  if (!HANDLE.test(id)) return undefined;
  const sessionId = await deps.store.take(fiwareRequestKey(id));
  const session = sessionId === undefined ? undefined : await deps.logins.get(sessionId);
  if (!session?.fiware || session.status !== 'pending' || deps.clock.now() >= session.expiresAt) return undefined;
  const scope = (await deps.services.get(session.fiware.serviceId))?.oidcScopes[session.scope];
  if (!scope) return undefined;
  return createFiwareRequestObject(deps.signer, deps.identity, {
    issuer: deps.issuer,
    state: session.state,
    nonce: session.presentationNonce,
    scope,
    nowSeconds: Math.floor(deps.clock.now() / 1000),
    loginExpiresAtSeconds: Math.floor(session.expiresAt / 1000),
  });
}
