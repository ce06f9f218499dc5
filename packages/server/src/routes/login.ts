/**
 * Human login (H2M) in the browser, after `/oidc/authorize` (dome-verifier-wire.md §2.3, §2.5):
 *
 * - `GET /login?authRequest=…&state=…&homeUri=…[&lang=]` — the page with the QR code of the
 *   `openid4vp://` request, a same-device wallet link and a countdown; its inline script waits
 *   for the outcome and navigates to the RP. Rendered only for a login found through the
 *   browser's cookie and `state`, from what the login stored (request, client home): a URL
 *   naming another request (`authRequest` ≠ the stored one), no cookie, or an unknown login get
 *   the 400 error page without QR code or links from the query (issue #9 item 6).
 * - `GET /api/login/events?state=…` — Server-Sent Events: `redirect` (data = the RP redirect
 *   URL), `failed` (`{"error": …}`) or `expired` (`{}`), then the stream ends; `pending`
 *   (`{"expires_in": s}`) when it opens, `: ping` comments as heartbeat. Completion is seen
 *   through the in-process subscription and, for logins completed on another replica, by
 *   polling the store.
 * - `GET /api/login/status?state=…` — the same as JSON, for browsers without EventSource.
 *
 * Unlike IN2 (anyone who knew `state` got the code, §10 item 13) the outcome goes only to the
 * browser holding the login cookie `loginCookieName(state)` = `<sessionId>.<secret>` set by
 * `/oidc/authorize`; any other caller gets 403.
 *
 * External login portal (`verifier.frontend.portalUrl`, the IN2 V3 shape): `/oidc/authorize`
 * hands the portal that same `<sessionId>.<secret>` as its `state`, and `?state=<handle>` opens
 * the stream without a cookie, with IN2 V3's events: `redirect` (data = the RP redirect URL) or
 * `validation_failed` (`{"code": <errors/codes.ts code>, "message": …}`, also on expiry), CORS
 * from the portal's origin. The RP's `state` still opens nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { loginCookieName, type LoginSessions, type LoginView } from '@dome-verifier/core';
import type { VerifierConfig } from '@dome-verifier/core/config';
import { NO_STORE } from '../http/error-response.ts';
import { cookieValues } from '../login/cookies.ts';
import { pickLang } from '../login/lang.ts';
import { MESSAGES, type Lang } from '../login/messages.ts';
import { htmlPageHeaders, newNonce, renderLoginPage, sendErrorPage } from '../login/pages.ts';
import { basePath, isValidAuthRequest, isValidState } from '../login/urls.ts';

export { pickLang } from '../login/lang.ts';
export { renderErrorPage, sendErrorPage, htmlPageHeaders, type ErrorPageOptions, type FrontendConfig } from '../login/pages.ts';
export { escapeHtml } from '../login/escape-html.ts';
export type { Lang } from '../login/messages.ts';

export interface LoginRouteDeps {
  logins: LoginSessions;
  frontend: VerifierConfig['verifier']['frontend'];
  issuer: string;
  clock: { now(): number };
  /** Store poll of an open event stream (completion on another replica); default 1000 ms. */
  pollIntervalMs?: number;
  /** SSE comment heartbeat; default 15000 ms. */
  heartbeatMs?: number;
}

const FORBIDDEN = { error: 'access_denied', error_description: 'this login was not started in this browser' } as const;
const BAD_STATE = { error: 'invalid_request', error_description: 'state is required (at most 1024 characters)' } as const;

type Query = Record<string, unknown>;
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const secondsLeft = (view: LoginView, now: number) => Math.max(0, Math.ceil((view.expiresAt - now) / 1000));

/** One SSE event; every line of `data` gets its own `data:` field (EventSource joins them with `\n`). */
export function sseEvent(name: string, data: string): string {
  return `event: ${name}\n${data
    .split(/\r\n|\r|\n/)
    .map((l) => `data: ${l}\n`)
    .join('')}\n`;
}

const portalFailure = (code: string, message: string) => sseEvent('validation_failed', JSON.stringify({ code, message }));
const EXPIRED_MESSAGE = 'the login has expired';

/** The final event for a portal stream (IN2 V3's `redirect` / `validation_failed`), or undefined while pending. */
function portalTerminalEvent(view: LoginView | undefined, now: number): string | undefined {
  if (!view || view.status === 'expired' || (view.status === 'pending' && now >= view.expiresAt)) return portalFailure('ERR_LOGIN_EXPIRED', EXPIRED_MESSAGE);
  if (view.status === 'complete') return view.redirectTo ? sseEvent('redirect', view.redirectTo) : portalFailure('server_error', 'the login completed without a redirect');
  if (view.status === 'failed') return portalFailure(view.errorCode ?? 'login_failed', view.error ?? 'the presentation was refused');
  return undefined;
}

/** The final event for a view, or undefined while the login is still pending. */
function terminalEvent(view: LoginView | undefined, now: number): string | undefined {
  if (!view) return sseEvent('expired', '{}');
  switch (view.status) {
    case 'complete':
      return view.redirectTo ? sseEvent('redirect', view.redirectTo) : sseEvent('failed', JSON.stringify({ error: 'server_error' }));
    case 'failed':
      return sseEvent('failed', JSON.stringify({ error: view.error ?? 'login_failed' }));
    case 'expired':
      return sseEvent('expired', '{}');
    case 'pending':
      return now >= view.expiresAt ? sseEvent('expired', '{}') : undefined;
  }
}

function statusBody(view: LoginView, now: number) {
  const status = view.status === 'pending' && now >= view.expiresAt ? 'expired' : view.status;
  return {
    status,
    ...(status === 'complete' && view.redirectTo ? { redirect_to: view.redirectTo } : {}),
    ...(status === 'failed' ? { error: view.error ?? 'login_failed' } : {}),
    expires_in: status === 'expired' ? 0 : secondsLeft(view, now),
  };
}

export function loginRoutes(app: FastifyInstance, deps: LoginRouteDeps): void {
  const base = basePath(deps.issuer);
  const pollIntervalMs = deps.pollIntervalMs ?? 1000;
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  /** Open event streams, ended when the server closes (otherwise `close()` would wait for them). */
  const streams = new Set<() => void>();

  const portalOrigin = deps.frontend.portalUrl ? new URL(deps.frontend.portalUrl).origin : undefined;
  /** CORS of the event and status endpoints for the portal (no credentials: it presents the handle). */
  const portalCors: Record<string, string> = portalOrigin ? { 'access-control-allow-origin': portalOrigin, vary: 'Origin' } : {};

  /**
   * The login this browser may see: the cookie for `state` (several tolerated) must match; with a
   * portal, `state` may instead be the login's handle (`portal: true`).
   */
  async function lookup(request: FastifyRequest, state: string): Promise<{ view: LoginView; binding: string; portal: boolean } | undefined> {
    for (const binding of cookieValues(request.headers.cookie, loginCookieName(state))) {
      const view = await deps.logins.viewForBrowser(binding, state);
      if (view) return { view, binding, portal: false };
    }
    if (portalOrigin) {
      const view = await deps.logins.viewForBinding(state);
      if (view) return { view, binding: state, portal: true };
    }
    return undefined;
  }

  function langOf(request: FastifyRequest): Lang {
    const header = request.headers['accept-language'];
    return pickLang(text((request.query as Query).lang), typeof header === 'string' ? header : undefined, deps.frontend.defaultLang);
  }

  app.get('/login', async (request, reply) => {
    const q = request.query as Query;
    const lang = langOf(request);
    const m = MESSAGES[lang];
    const state = q.state;
    const authRequest = q.authRequest;
    // Only a login this verifier started, seen by the browser that started it, is rendered; the
    // QR code, the wallet button and the back link come from the stored login, never the query.
    const invalid = (message: string) => sendErrorPage(reply, { status: 400, title: m.invalidRequestTitle, message, lang, frontend: deps.frontend });
    if (!isValidState(state) || (authRequest !== undefined && !isValidAuthRequest(authRequest))) return invalid(m.invalidRequestMessage);
    let found: Awaited<ReturnType<typeof lookup>>;
    try {
      found = await lookup(request, state);
    } catch (err) {
      request.log.warn({ err }, 'login page: session lookup failed');
      reply.header('retry-after', '5');
      return sendErrorPage(reply, { status: 503, title: m.invalidRequestTitle, message: m.unavailableMessage, lang, frontend: deps.frontend });
    }
    // Unknown, another browser's, or a URL carrying a request other than the stored one.
    if (!found || (authRequest !== undefined && authRequest !== found.view.authRequest)) return invalid(m.notStartedMessage);
    const nonce = newNonce();
    const html = renderLoginPage({
      lang,
      frontend: deps.frontend,
      nonce,
      authRequest: found.view.authRequest,
      state,
      homeUri: found.view.homeUri,
      base,
      expiresIn: secondsLeft(found.view, deps.clock.now()),
    });
    return reply.headers(htmlPageHeaders(nonce)).send(html);
  });

  app.get('/api/login/status', async (request, reply) => {
    reply.headers(portalCors);
    const state = (request.query as Query).state;
    if (!isValidState(state)) return reply.code(400).headers(NO_STORE).send(BAD_STATE);
    const found = await lookup(request, state);
    if (!found) return reply.code(403).headers(NO_STORE).send(FORBIDDEN);
    return reply.headers(NO_STORE).send(statusBody(found.view, deps.clock.now()));
  });

  app.get('/api/login/events', { exposeHeadRoute: false }, async (request, reply) => {
    reply.headers(portalCors);
    const state = (request.query as Query).state;
    if (!isValidState(state)) return reply.code(400).headers(NO_STORE).send(BAD_STATE);
    const found = await lookup(request, state);
    if (!found) return reply.code(403).headers(NO_STORE).send(FORBIDDEN);
    openStream(request, reply, found);
    return reply;
  });

  function openStream(request: FastifyRequest, reply: FastifyReply, found: { view: LoginView; binding: string; portal: boolean }): void {
    const { binding, view: first } = found;
    // Our page's stream checks the RP state with the cookie; the portal's has only the handle.
    const state = (request.query as Query).state as string;
    const viewOf = () => (found.portal ? deps.logins.viewForBinding(binding) : deps.logins.viewForBrowser(binding, state));
    const terminal = found.portal ? portalTerminalEvent : terminalEvent;
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
      ...portalCors,
    });
    // A login that ended before the page subscribed is still delivered.
    const done = terminal(first, deps.clock.now());
    if (done) {
      res.end(done);
      return;
    }

    let closed = false;
    let checking = false;
    let recheck = false;
    const write = (chunk: string) => {
      if (!closed && !res.destroyed && !res.writableEnded) res.write(chunk);
    };
    const cleanup = () => {
      if (closed) return;
      closed = true;
      unsubscribe();
      clearInterval(poll);
      clearInterval(heartbeat);
      clearTimeout(expiry);
      streams.delete(end);
    };
    const finish = (event: string) => {
      if (closed) return;
      cleanup();
      if (!res.destroyed && !res.writableEnded) res.end(event);
    };
    function end() {
      cleanup();
      if (!res.destroyed && !res.writableEnded) res.end();
    }
    const check = async (): Promise<void> => {
      if (closed) return;
      if (checking) {
        recheck = true;
        return;
      }
      checking = true;
      try {
        const event = terminal(await viewOf(), deps.clock.now());
        if (event) finish(event);
      } catch (err) {
        request.log.warn({ err }, 'login events: session lookup failed');
      } finally {
        checking = false;
      }
      if (recheck) {
        recheck = false;
        await check();
      }
    };

    const sessionId = binding.slice(0, binding.indexOf('.'));
    const unsubscribe = deps.logins.subscribe(sessionId, () => void check());
    const poll = setInterval(() => void check(), pollIntervalMs);
    const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
    const expiry = setTimeout(() => void check(), Math.max(0, first.expiresAt - deps.clock.now()) + 50);
    streams.add(end);
    request.raw.on('close', cleanup);
    res.on('close', cleanup);
    res.on('error', cleanup);

    write(sseEvent('pending', JSON.stringify({ expires_in: secondsLeft(first, deps.clock.now()) })));
    // Covers a completion between the first lookup and the subscription.
    void check();
  }

  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
}
