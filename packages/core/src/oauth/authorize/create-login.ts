/**
 * Authorize step 9 — start the wallet login: a login session (120 s), a one-shot OpenID4VP
 * request object stored under a fresh id, and the DOME login-page redirect
 * `/login?authRequest=<openid4vp URL>&state=<RP state>&homeUri=<client url>` (absolute, so a
 * path prefix such as `/verifier` keeps working). With an external login portal
 * (`policy.portalUrl`, the IN2 V3 shape) the redirect is `{portalUrl}/login?…` and its `state` is
 * the login's secret handle (the cookie value `<session id>.<secret>`), which the portal presents to
 * `/api/login/events`: the RP's `state` (chosen by others, possibly guessable) opens nothing.
 */
import { randomBytes } from 'node:crypto';
import { loginCookieName } from '../login/login-sessions.ts';
import { createRequestObject, didKeyIdentity, openId4VpUrl } from '../oid4vp/create-request-object.ts';
import { dcqlQueryForScope } from '../oid4vp/dcql.ts';
import type { AuthorizeContext, AuthorizeResult } from './context.ts';

export const requestObjectKey = (id: string) => `reqobj:${id}`;

export async function createLogin({ deps, state }: AuthorizeContext): Promise<AuthorizeResult> {
  const { issuer } = deps.policy;
  const p = state.params;
  const client = state.client!;
  const requestId = randomBytes(32).toString('base64url');
  const identity = deps.requestObjectIdentity ?? didKeyIdentity(deps.signer.kid);
  const authRequest = openId4VpUrl(issuer, identity.clientId, requestId);
  const { session, browserSecret } = await deps.logins.create({
    state: p.state!,
    clientId: client.clientId,
    redirectUri: state.redirectUri!,
    scope: p.scope!,
    authRequest,
    ...(p.nonce !== undefined ? { nonce: p.nonce } : {}),
    ...(p.code_challenge !== undefined ? { codeChallenge: p.code_challenge } : {}),
    ...(client.url !== undefined ? { homeUri: client.url } : {}),
  });
  const requestObject = createRequestObject(deps.signer, {
    issuer,
    sessionId: session.id,
    nonce: session.presentationNonce,
    nowSeconds: Math.floor(session.createdAt / 1000),
    expiresAtSeconds: Math.floor(session.createdAt / 1000) + Math.round(deps.logins.lifetimeMs / 1000),
    dcqlQuery: dcqlQueryForScope(deps.policy.dcqlProfiles, session.scope),
  }, identity);
  await deps.store.set(requestObjectKey(requestId), requestObject, session.expiresAt - session.createdAt);
  // The page renders what the session stores; the URL keeps DOME's shape for wallets and tools that read it.
  const portal = deps.policy.portalUrl;
  const query = new URLSearchParams({ authRequest, state: portal ? browserSecret : session.state });
  if (session.homeUri) query.set('homeUri', session.homeUri);
  return {
    location: `${portal ?? issuer}/login?${query.toString()}`,
    cookie: { name: loginCookieName(session.state), value: browserSecret, maxAgeSeconds: Math.ceil(deps.logins.lifetimeMs / 1000) + 60, secure: issuer.startsWith('https:') },
    sessionId: session.id,
  };
}
