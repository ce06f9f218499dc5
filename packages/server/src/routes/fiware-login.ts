/**
 * FIWARE VCVerifier-compatible browser logins (spec §2.4–2.10, §2.13; docs/fiware.md, "Browser
 * logins (H2M)"), on the framework-free core in core/src/fiware/h2m and the DOME login machinery:
 *
 * - `GET /api/v1/authorization` — DEEPLINK: `302 openid4vp://?client_id&request_uri&request_uri_method=get`;
 *   FRONTEND_V2: `302 /api/v2/loginQR?…`; errors as OAuth JSON (a machine client reads them).
 * - `GET /api/v2/loginQR` — our login page (QR code, wallet link, languages, colours) for a
 *   cross-device login, with the browser-binding cookie; the page follows the login by SSE/polling
 *   as DOME's does; errors as the HTML error page.
 * - `GET /api/v1/request/:id` — the request object, once (`text/plain`, as VCVerifier).
 * - `POST /api/v1/authentication_response` — the wallet's `direct_post`: same-device 302 with the
 *   code, cross-device `200 {}`; in the CPU-bound work queue like `/oid4vp/auth-response`.
 * - `GET /ws?state=` — FIWARE's completion messages `{"type":"session"}` then
 *   `{"type":"authenticated","redirectUrl":"<redirect_uri>?state=&code="}`. Only the browser that
 *   holds the login's cookie may open it (VCVerifier hands the code to anyone who knows `state`);
 *   at most 4 sockets per login and `verifier.backend.login.maxPending` in total; closed on
 *   completion (1000), failure (4001) or expiry (4002; the store is polled once a second, so a
 *   login answered on another replica is seen too) and when the server closes (1001).
 *
 * WebSocket: @fastify/websocket (the fastify team's plugin over `ws`; upgrade requests run the
 * route's hooks, so the cookie check answers a plain 403 before any upgrade).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { didKeyIdentity, loginCookieName, parseFormBody, VerifierError, type LoginView } from '@dome-verifier/core';
import { handleFiwareAuthenticationResponse, handleFiwareLogin, takeFiwareRequestObject, type FiwareLoginDeps, type WalletAnswerDeps } from '@dome-verifier/core/fiware';
import type { Runtime } from '../runtime.ts';
import type { Metrics } from '../metrics.ts';
import { NO_STORE } from '../http/error-response.ts';
import { cpuBoundRoute, type Admission } from '../http/admission.ts';
import { walletRejection } from './oid4vp.ts';
import { cookieValues } from '../login/cookies.ts';
import { pickLang } from '../login/lang.ts';
import { authorizeErrorMessage, MESSAGES } from '../login/messages.ts';
import { htmlPageHeaders, newNonce, renderLoginPage, sendErrorPage } from '../login/pages.ts';
import { basePath, isValidState } from '../login/urls.ts';

const SOCKETS_PER_LOGIN = 4;
const POLL_MS = 1000;

/** The FIWARE login's dependencies, from the DOME login's (same store, sessions, caps, signer). */
export function fiwareLoginDeps(runtime: Runtime, metrics?: Metrics): FiwareLoginDeps & { wallet: WalletAnswerDeps } {
  const a = runtime.authorizeDeps;
  const identity = a.requestObjectIdentity ?? didKeyIdentity(a.signer.kid);
  return {
    clock: a.clock,
    store: a.store,
    fetch: a.fetch,
    logins: a.logins,
    admission: a.admission,
    services: runtime.fiwareServices,
    signer: a.signer,
    identity,
    // The FIWARE endpoint's DID resolver (did:key; the DID method registry when it lands).
    resolveDid: runtime.fiwareDeps.resolveDidKey,
    issuer: runtime.issuer,
    clockSkewSeconds: runtime.config.verifier.backend.security.clockSkewSeconds,
    // The FIWARE presentation pipeline's dependencies (trust lists, DID registry, x5c, status lists).
    wallet: { ...runtime.fiwareDeps, clientId: identity.clientId, ...(metrics ? { onStepFailure: (f) => metrics.countStepFailure(f) } : {}) },
  };
}

function queryParams(request: FastifyRequest): Record<string, string> {
  const url = request.raw.url ?? '';
  const q = url.indexOf('?');
  return parseFormBody(q === -1 ? '' : url.slice(q + 1));
}

function cookieHeader(cookie: { name: string; value: string; maxAgeSeconds: number; secure: boolean }): string {
  return [`${cookie.name}=${cookie.value}`, 'Path=/', `Max-Age=${cookie.maxAgeSeconds}`, 'HttpOnly', 'SameSite=Lax', ...(cookie.secure ? ['Secure'] : [])].join('; ');
}

export async function fiwareLoginRoutes(app: FastifyInstance, runtime: Runtime, admission: Admission, metrics: Metrics): Promise<void> {
  const deps = fiwareLoginDeps(runtime, metrics);
  const frontend = runtime.config.verifier.frontend;
  const base = basePath(runtime.issuer);
  const onFailure = (f: Parameters<Metrics['countStepFailure']>[0]) => metrics.countStepFailure(f);

  app.get('/api/v1/authorization', async (request, reply) => {
    reply.headers(NO_STORE).header('referrer-policy', 'no-referrer');
    const outcome = await handleFiwareLogin(deps, queryParams(request), 'authorization', { ip: request.ip }, onFailure);
    request.outcome = outcome.kind;
    if (outcome.kind === 'qr-page') throw new VerifierError('ERR_SERVER', 'unexpected login outcome');
    return reply.redirect(outcome.location, 302);
  });

  const langOf = (request: FastifyRequest) => {
    const header = request.headers['accept-language'];
    const lang = (request.query as Record<string, unknown>).lang;
    return pickLang(typeof lang === 'string' ? lang : undefined, typeof header === 'string' ? header : undefined, frontend.defaultLang);
  };

  app.get('/api/v2/loginQR', async (request, reply) => {
    reply.header('referrer-policy', 'no-referrer');
    const lang = langOf(request);
    const m = MESSAGES[lang];
    let outcome;
    try {
      outcome = await handleFiwareLogin(deps, queryParams(request), 'qr', { ip: request.ip }, onFailure);
    } catch (e) {
      const v = e instanceof VerifierError ? e : new VerifierError('ERR_SERVER', 'the login could not be started', { cause: e });
      request.outcome = v.error;
      metrics.countRejection(v);
      if (v.status >= 500 && v.status !== 503) request.log.error({ err: e, code: v.code }, 'FIWARE login failed');
      else request.log.info({ code: v.code }, 'FIWARE login refused (error page)');
      if (v.retryAfterSeconds !== undefined) reply.header('retry-after', String(v.retryAfterSeconds));
      const status = v.status === 429 || v.status >= 500 ? v.status : 400;
      return sendErrorPage(reply, { status, code: v.code, title: m.invalidRequestTitle, message: authorizeErrorMessage(m, v.code), lang, frontend });
    }
    if (outcome.kind !== 'qr-page') throw new VerifierError('ERR_SERVER', 'unexpected login outcome');
    request.outcome = 'login';
    const nonce = newNonce();
    const html = renderLoginPage({ lang, frontend, nonce, authRequest: outcome.authRequest, state: outcome.state, base, expiresIn: Math.ceil((outcome.expiresAt - deps.clock.now()) / 1000) });
    return reply.headers(htmlPageHeaders(nonce)).header('set-cookie', cookieHeader(outcome.cookie)).send(html);
  });

  app.get<{ Params: { id: string } }>('/api/v1/request/:id', async (request, reply) => {
    reply.headers(NO_STORE);
    const jwt = await takeFiwareRequestObject(deps, request.params.id);
    if (!jwt) return reply.code(404).send({ error: 'invalid_request_uri', error_description: 'unknown or already used request object', summary: 'no_session' });
    return reply.type('text/plain; charset=utf-8').send(jwt);
  });

  cpuBoundRoute(app, admission, '/api/v1/authentication_response', { headers: NO_STORE }, async (request, reply, params) => {
    let outcome;
    try {
      outcome = await handleFiwareAuthenticationResponse(deps, params);
    } catch (e) {
      return walletRejection(e, request, reply, metrics);
    }
    return outcome.sameDevice ? reply.redirect(outcome.location, 302) : reply.send({});
  });

  await completionSocket(app, runtime, deps);
}

/** `/ws?state=`: the FIWARE page's completion channel, for the browser holding the login cookie. */
async function completionSocket(app: FastifyInstance, runtime: Runtime, deps: FiwareLoginDeps): Promise<void> {
  await app.register(websocket, { options: { maxPayload: 1024 } });
  const perLogin = new Map<string, number>();
  const open = new Set<() => void>();
  const maxTotal = runtime.config.verifier.backend.login.maxPending;

  async function binding(request: FastifyRequest, state: string): Promise<{ binding: string; view: LoginView } | undefined> {
    for (const b of cookieValues(request.headers.cookie, loginCookieName(state))) {
      const view = await deps.logins.viewForBrowser(b, state);
      if (view) return { binding: b, view };
    }
    return undefined;
  }

  const refuse = (reply: FastifyReply, status: number, error: string, description: string) => reply.code(status).headers(NO_STORE).send({ error, error_description: description });

  app.get('/ws', {
    websocket: true,
    preValidation: async (request, reply) => {
      const state = (request.query as Record<string, unknown>).state;
      if (!isValidState(state)) return refuse(reply, 400, 'invalid_request', 'state is required (at most 1024 characters)');
      const found = await binding(request, state);
      if (!found) return refuse(reply, 403, 'access_denied', 'this login was not started in this browser');
      const id = found.binding.slice(0, found.binding.indexOf('.'));
      if ((perLogin.get(id) ?? 0) >= SOCKETS_PER_LOGIN || open.size >= maxTotal) {
        reply.header('retry-after', '5');
        return refuse(reply, 429, 'temporarily_unavailable', 'too many sockets for this login');
      }
      (request as FastifyRequest & { fiwareLogin?: string }).fiwareLogin = found.binding;
    },
  }, (socket, request) => {
      const state = (request.query as Record<string, string>).state!;
      const b = (request as FastifyRequest & { fiwareLogin?: string }).fiwareLogin!;
      const id = b.slice(0, b.indexOf('.'));
      perLogin.set(id, (perLogin.get(id) ?? 0) + 1);
      let closed = false;
      const cleanup = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(poll);
        open.delete(end);
        const n = (perLogin.get(id) ?? 1) - 1;
        if (n <= 0) perLogin.delete(id);
        else perLogin.set(id, n);
      };
      const finish = (code: number, reason: string, message?: string) => {
        if (closed) return;
        cleanup();
        if (message !== undefined) socket.send(message);
        socket.close(code, reason);
      };
      function end() {
        finish(1001, 'server closing');
      }
      let checking = false;
      const check = async () => {
        if (closed || checking) return;
        checking = true;
        try {
          const view = await deps.logins.viewForBrowser(b, state);
          const now = deps.clock.now();
          if (!view || view.status === 'expired' || (view.status === 'pending' && now >= view.expiresAt)) finish(4002, 'login expired');
          else if (view.status === 'failed') finish(4001, 'login failed');
          else if (view.status === 'complete' && view.redirectTo) finish(1000, 'authenticated', JSON.stringify({ type: 'authenticated', redirectUrl: view.redirectTo }));
        } catch (err) {
          request.log.warn({ err }, 'ws: login lookup failed');
        } finally {
          checking = false;
        }
      };
      const unsubscribe = deps.logins.subscribe(id, () => void check());
      const poll = setInterval(() => void check(), POLL_MS);
      open.add(end);
      socket.on('close', cleanup);
      socket.on('error', cleanup);
      socket.on('message', () => undefined);
      socket.send(JSON.stringify({ type: 'session' }));
      void check();
  });

  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
}
