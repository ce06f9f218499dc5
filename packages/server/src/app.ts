/**
 * The HTTP layer: fastify routes that only map requests onto the core and errors onto
 * RFC 6749 bodies. Request logs carry method, route and status — never bodies, query strings
 * or Authorization headers (client assertions, presentations and tokens are secrets).
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Runtime } from './runtime.ts';
import type { Metrics } from './metrics.ts';
import type { Tracing } from './tracing.ts';
import { sendOAuthError, toVerifierError } from './http/error-response.ts';
import { tokenRoute } from './routes/token.ts';
import { fiwareTokenRoutes } from './routes/fiware-token.ts';
import { fiwareDiscoveryRoutes } from './routes/fiware-discovery.ts';
import { introspectionRoute, revocationRoute } from './routes/token-state.ts';
import { wellKnownRoutes } from './routes/well-known.ts';
import { opsRoutes } from './routes/ops.ts';
import { authorizeRoutes, type ErrorPage } from './routes/authorize.ts';
import { oid4vpRoutes } from './routes/oid4vp.ts';
import { fiwareLoginRoutes } from './routes/fiware-login.ts';
import { loginRoutes, pickLang, sendErrorPage } from './routes/login.ts';
import { authorizeErrorMessage, MESSAGES } from './login/messages.ts';
import { registeredClientCors, walletCors } from './http/cors.ts';
import { fiwareCors } from './http/fiware-cors.ts';
import { createWorkQueue, type WorkQueue } from './http/work-queue.ts';
import { createAdmission, limitAddresses } from './http/admission.ts';
import { capConnections, clientErrorHandler, closeConnectionsWhenClosing, timeoutOptions } from './http/connections.ts';
import { createOutageLog } from './http/outages.ts';
import { basePathRewrite } from './http/base-path.ts';
import { echoRequestId, requestId } from './http/request-id.ts';

export interface AppOptions {
  metrics: Metrics;
  /** A pino logger (shared with the runtime); without one the app does not log. */
  logger?: FastifyBaseLogger;
  /** The queue of the CPU-bound endpoints; by default one bounded by `server.maxQueuedRequests`. */
  workQueue?: WorkQueue;
  /** OpenTelemetry tracing (tracing.ts), when on: a span per request on the public listener. */
  tracing?: Tracing;
}

declare module 'fastify' {
  interface FastifyRequest {
    outcome?: string;
  }
}

/** `server.trustProxy` as fastify (proxy-addr) takes it. */
function trustProxyOption(value: string): boolean | string {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value;
}

const silentLog = { debug: () => undefined, warn: () => undefined };

/** Fastify options shared by the public, the management and the FIWARE configuration listener. */
export function baseOptions(runtime: Runtime, options: AppOptions) {
  const server = runtime.config.server;
  return {
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    ...timeoutOptions(server),
    clientErrorHandler: clientErrorHandler(options.logger ?? silentLog, options.metrics),
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: trustProxyOption(server.trustProxy),
    return503OnClosing: true,
    // X-Request-Id is read (and validated) by genReqId, never taken as is (http/request-id.ts).
    requestIdHeader: false,
    genReqId: requestId,
  } as const;
}

export async function buildApp(runtime: Runtime, options: AppOptions): Promise<FastifyInstance> {
  const { metrics } = options;
  const server = runtime.config.server;
  const { url, serveUnderIssuerPath } = runtime.config.verifier.backend;
  const app = Fastify({ ...baseOptions(runtime, options), bodyLimit: 64 * 1024, ...basePathRewrite(url, serveUnderIssuerPath) });
  capConnections(app.server, { max: server.maxConnections, perAddress: server.maxConnectionsPerAddress }, metrics);
  closeConnectionsWhenClosing(app);
  echoRequestId(app);
  options.tracing?.instrument(app.server);

  // Bodies are read as text and parsed by the route, so that duplicate parameters can be
  // detected (RFC 6749 §3.2) and any content type yields an OAuth error rather than a 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  // Expected refusals (503 dependency down or busy, 429 rate limited) are counted, not logged as
  // errors per request (http/outages.ts).
  const outages = createOutageLog(options.logger ?? silentLog, metrics);
  app.setErrorHandler((err, request, reply) => {
    const v = toVerifierError(err, request.id);
    request.outcome = v.error;
    metrics.countRejection(v);
    if (v.status === 503 || v.status === 429) {
      outages.refused(v);
      request.log.debug({ code: v.code, route: request.routeOptions.url }, 'request refused');
    } else if (v.status >= 500) request.log.error({ err: v.cause ?? err, code: v.code }, 'request failed');
    else request.log.info({ code: v.code, route: request.routeOptions.url }, 'request rejected');
    return sendOAuthError(reply, v);
  });
  app.setNotFoundHandler((request, reply) => {
    request.outcome = 'not_found';
    return reply.code(404).send({ error: 'not_found', error_description: 'no such endpoint' });
  });

  app.addHook('onResponse', async (request, reply) => {
    options.tracing?.endRequest(request.raw, { route: request.routeOptions.url, status: reply.statusCode, outcome: request.outcome, requestId: request.id });
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { route, method: request.method };
    metrics.requests.inc({ ...labels, status: String(reply.statusCode), outcome: request.outcome ?? (reply.statusCode < 400 ? 'ok' : 'error') });
    metrics.duration.observe(labels, reply.elapsedTime / 1000);
    request.log.info({ method: request.method, route, status: reply.statusCode, outcome: request.outcome, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
  });

  // One queue for the CPU-bound endpoints, so that token and wallet requests share the CPU in
  // arrival order (http/work-queue.ts); admission (rate limits, refusal at headers time) in
  // front of it (http/admission.ts).
  const work = options.workQueue ?? createWorkQueue({ maxDepth: server.maxQueuedRequests, maxWaitMs: server.maxQueueWaitMs });
  metrics.watchWorkQueue(work);
  const admission = createAdmission(server, metrics, work);
  walletCors(app, runtime.config.verifier.frontend.walletOrigins); // first: refusals carry CORS too
  limitAddresses(app, admission);

  registeredClientCors(app, runtime.clients);
  fiwareCors(app, runtime.fiwareServices);
  tokenRoute(app, runtime, metrics, admission);
  fiwareTokenRoutes(app, runtime, metrics, admission);
  revocationRoute(app, runtime, admission);
  introspectionRoute(app, runtime, admission);
  wellKnownRoutes(app, runtime);
  fiwareDiscoveryRoutes(app, runtime);
  opsRoutes(app, runtime, metrics);
  const frontend = runtime.config.verifier.frontend;
  const errorPage: ErrorPage = (request, reply, o) => {
    const lang = pickLang((request.query as Record<string, string | undefined>).lang, request.headers['accept-language'], frontend.defaultLang);
    // The language switch repeats the request's own query (a GET; a POSTed form is not repeated).
    const url = request.raw.url ?? '';
    const selfQuery = request.method === 'GET' && url.includes('?') ? url.slice(url.indexOf('?') + 1) : '';
    return sendErrorPage(reply, { status: o.status, code: o.code, selfQuery, ...(o.homeUri ? { homeUri: o.homeUri } : {}), title: MESSAGES[lang].invalidRequestTitle, message: authorizeErrorMessage(MESSAGES[lang], o.code), lang, frontend });
  };
  authorizeRoutes(app, runtime, metrics, errorPage);
  oid4vpRoutes(app, runtime, admission, metrics);
  await fiwareLoginRoutes(app, runtime, admission, metrics);
  loginRoutes(app, { logins: runtime.logins, frontend, issuer: runtime.issuer, clock: runtime.tokenDeps.clock });
  return app;
}

/**
 * The management listener (`server.management.port`): the ops routes only (health, readiness,
 * metrics), on its own server, so that probes and scrapes are answered while the public port is
 * at its connection cap or flooded. Same timeouts; its own small connection cap.
 */
export async function buildManagementApp(runtime: Runtime, options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify(baseOptions(runtime, options));
  capConnections(app.server, { max: MANAGEMENT_MAX_CONNECTIONS, perAddress: 0 });
  closeConnectionsWhenClosing(app);
  echoRequestId(app);
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: 'not_found', error_description: 'the management port serves health and metrics only' }));
  opsRoutes(app, runtime, options.metrics);
  return app;
}

/** Connections the management listener holds (probes and scrapers are few). */
export const MANAGEMENT_MAX_CONNECTIONS = 256;
