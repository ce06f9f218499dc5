/**
 * `GET /api/v1/authorization` and `GET /api/v2/loginQR`, framework-free (spec §2.4, §2.5, §5.2).
 * The steps run in order (a client request object, the parameters, the service and scope, the
 * redirect URI, a pending-login slot); then:
 *
 * - DEEPLINK at `/api/v1/authorization`: a same-device login; `302 openid4vp://?client_id=<our
 *   client id>&request_uri=<verifier>/api/v1/request/<id>&request_uri_method=get`;
 * - FRONTEND_V2 at `/api/v1/authorization`: nothing is stored; `302 <verifier>/api/v2/loginQR?…`
 *   with the request's own parameters (a `request_uri` is passed on and verified there again, so
 *   that the QR login is bound to the client DID that signed it);
 * - `/api/v2/loginQR`: a cross-device login; the page data and the browser-binding cookie.
 *
 * The login is a login session of the DOME machinery (same store, lifetime, admission caps and
 * answer lease) with a FIWARE flavour. Unlike VCVerifier (which keys sessions by the client's
 * `state`), the session id is random; the client's `state` indexes it (`fiware-state:{sha256}`,
 * set-if-absent: a second pending login with the same state is refused, as VCVerifier refuses
 * it) so that the wallet's answer, which echoes that `state`, finds it. The request object is
 * reachable by a random single-use handle, not by the (guessable) state.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { VerifierError } from '../../errors/verifier-error.ts';
import { runSteps, type Step, type StepFailure } from '../../shared/pipeline.ts';
import { loginCookieName } from '../../oauth/login/login-sessions.ts';
import type { FiwareEntry, FiwareLoginContext, FiwareLoginDeps } from './context.ts';
import { clientRequestObject } from './client-request-object.ts';
import { readParameters } from './read-parameters.ts';
import { findService } from './find-service.ts';
import { checkRedirectUri } from './check-redirect-uri.ts';
import { admitFiwareLogin } from './admit-login.ts';
import { fiwareOpenId4VpUrl } from './request-object.ts';

export const FIWARE_LOGIN_STEPS: readonly Step<FiwareLoginContext>[] = [clientRequestObject, readParameters, findService, checkRedirectUri, admitFiwareLogin];
/** `/api/v1/authorization` for a FRONTEND_V2 service checks everything but stores nothing. */
const CHECK_ONLY_STEPS = FIWARE_LOGIN_STEPS.filter((s) => s !== admitFiwareLogin);

export const fiwareStateKey = (state: string) => `fiware-state:${createHash('sha256').update(state).digest('base64url')}`;
export const fiwareRequestKey = (id: string) => `fiware-reqobj:${id}`;
const GRACE_MS = 60_000;

export interface FiwareLoginCookie {
  name: string;
  value: string;
  maxAgeSeconds: number;
  secure: boolean;
}

export type FiwareLoginOutcome =
  /** DEEPLINK: the openid4vp:// redirect. */
  | { kind: 'deeplink'; location: string }
  /** FRONTEND_V2 at /api/v1/authorization: the QR page's URL. */
  | { kind: 'qr-redirect'; location: string }
  /** The QR page of a cross-device login. */
  | { kind: 'qr-page'; authRequest: string; state: string; expiresAt: number; cookie: FiwareLoginCookie };

const FORWARDED = ['state', 'client_id', 'redirect_uri', 'scope', 'nonce', 'request_uri'] as const;

export async function handleFiwareLogin(
  deps: FiwareLoginDeps,
  raw: Readonly<Record<string, string>>,
  entry: FiwareEntry,
  source: { ip?: string } = {},
  onFailure?: (f: StepFailure) => void,
): Promise<FiwareLoginOutcome> {
  const ctx: FiwareLoginContext = { raw, entry, deps, state: { params: {} }, source };
  if (entry === 'authorization') {
    await runSteps(CHECK_ONLY_STEPS, ctx, onFailure);
    if (ctx.state.service!.authorizationType === 'FRONTEND_V2') {
      const query = new URLSearchParams();
      for (const name of FORWARDED) if (raw[name] !== undefined) query.set(name, raw[name]);
      query.set('request_mode', 'byReference');
      return { kind: 'qr-redirect', location: `${deps.issuer}/api/v2/loginQR?${query.toString()}` };
    }
    await runSteps([admitFiwareLogin], ctx, onFailure);
  } else {
    await runSteps(FIWARE_LOGIN_STEPS, ctx, onFailure);
  }
  try {
    return await createFiwareLogin(ctx);
  } catch (e) {
    ctx.state.slot?.release();
    throw e;
  }
}

async function createFiwareLogin({ deps, state: s }: FiwareLoginContext): Promise<FiwareLoginOutcome> {
  const { store, logins, issuer } = deps;
  const state = s.params.state!;
  const nonce = s.params.nonce ?? randomUUID();
  const ttl = logins.lifetimeMs + GRACE_MS;
  const requestId = randomBytes(32).toString('base64url');
  const authRequest = fiwareOpenId4VpUrl(issuer, deps.identity.clientId, requestId);
  const indexKey = fiwareStateKey(state);
  if (!(await store.setIfAbsent(indexKey, 'reserved', ttl))) throw new VerifierError('ERR_FIWARE_LOGIN_STATE_IN_USE', 'a login with this state is already pending');
  try {
    const { session, browserSecret } = await logins.create({
      state,
      clientId: s.service!.id,
      redirectUri: s.callback!,
      scope: s.scopeName!,
      nonce,
      presentationNonce: nonce,
      authRequest,
      fiware: { serviceId: s.service!.id, sameDevice: s.sameDevice!, ...(s.clientDid ? { clientDid: s.clientDid } : {}) },
    });
    await store.set(indexKey, session.id, ttl);
    await store.set(fiwareRequestKey(requestId), session.id, ttl);
    if (s.sameDevice) return { kind: 'deeplink', location: authRequest };
    return {
      kind: 'qr-page',
      authRequest,
      state,
      expiresAt: session.expiresAt,
      cookie: { name: loginCookieName(state), value: browserSecret, maxAgeSeconds: Math.ceil(ttl / 1000), secure: issuer.startsWith('https:') },
    };
  } catch (e) {
    await store.delete(indexKey).catch(() => undefined);
    throw e;
  }
}
