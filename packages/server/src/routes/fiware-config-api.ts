/**
 * The FIWARE configuration listener (`verifier.fiware.configServer`): the
 * Credentials-Config-Service-compatible `/service` API (core fiware/ccs/service-api.ts) and
 * `/health`, on its own port with its own connection cap, so that FIWARE's helm registration
 * job (poll `<HOST>/health`, POST each service, 409 = exists) works unchanged.
 *
 * Unlike VCVerifier's config server it is not open to anyone: it binds loopback by default; off
 * loopback the configuration requires a bearer token (compared in constant time, never logged)
 * or mTLS (HTTPS, a client certificate signed by `clientCa`, checked in the TLS handshake).
 * `/health` needs no credentials (the job's wait-for-host init container sends none) and tells
 * nothing but UP/DOWN. Errors are RFC 7807 ProblemDetails; no CORS (browsers have no business
 * here). Bodies are capped at CONFIG_API_BODY_LIMIT bytes; authentication is checked when the
 * headers arrive, before any body is read.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { Counter } from 'prom-client';
import { VerifierError } from '@dome-verifier/core';
import { ConfigError } from '@dome-verifier/core/config';
import { createServiceApi, PROBLEM_CONTENT_TYPE, PROBLEM_TYPES, problem, type ApiResult, type ProblemDetails } from '@dome-verifier/core/fiware';
import type { Runtime } from '../runtime.ts';
import { baseOptions, type AppOptions } from '../app.ts';
import { capConnections } from '../http/connections.ts';
import { echoRequestId } from '../http/request-id.ts';

/** Largest request body: a service definition (queries are at most 16 KiB each). */
export const CONFIG_API_BODY_LIMIT = 128 * 1024;
/** Connections the configuration listener holds (a registration job, an operator). */
export const CONFIG_API_MAX_CONNECTIONS = 64;

const STATUS_TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function sendProblem(reply: FastifyReply, p: ProblemDetails): FastifyReply {
  return reply.code(p.status).header('content-type', PROBLEM_CONTENT_TYPE).header('cache-control', 'no-store').send(JSON.stringify(p));
}

function send(reply: FastifyReply, r: ApiResult): FastifyReply {
  if (r.status >= 400) return sendProblem(reply, r.body as ProblemDetails);
  for (const [k, v] of Object.entries(r.headers ?? {})) reply.header(k, v);
  reply.code(r.status).header('cache-control', 'no-store');
  return r.body === undefined ? reply.send() : reply.header('content-type', 'application/json').send(JSON.stringify(r.body));
}

/** PEM text, or the file it names; an unreadable file is invalid configuration (exit 2). */
function pem(value: string, key: string): string {
  if (value.trimStart().startsWith('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (e) {
    throw new ConfigError(`verifier.fiware.configServer.${key}`, `cannot read ${value} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `header` is `Bearer <token>`; constant time in the token (both sides are hashed first). */
function bearerMatches(header: string | undefined, expected: Buffer): boolean {
  const m = /^Bearer +(\S+) *$/i.exec(header ?? '');
  return m !== null && timingSafeEqual(digest(m[1]!), expected);
}

function changeCounter(options: AppOptions): Counter<'change'> {
  const name = 'verifier_fiware_service_changes_total';
  const existing = options.metrics.registry.getSingleMetric(name);
  if (existing) return existing as Counter<'change'>;
  return new Counter({ name, help: 'FIWARE services created, replaced or deleted through the configuration API (this replica).', labelNames: ['change'], registers: [options.metrics.registry] });
}

/** The configuration listener's app; listen on `verifier.fiware.configServer.host:port`. */
export async function buildFiwareConfigApp(runtime: Runtime, options: AppOptions): Promise<FastifyInstance> {
  const registry = runtime.fiwareConfig;
  if (!registry) throw new Error('verifier.fiware.configServer.enabled is false: there is no configuration API to serve');
  const cs = runtime.config.verifier.fiware.configServer;
  const tls =
    cs.tlsCert !== undefined && cs.tlsKey !== undefined && cs.clientCa !== undefined
      ? { https: { cert: pem(cs.tlsCert, 'tlsCert'), key: pem(cs.tlsKey, 'tlsKey'), ca: pem(cs.clientCa, 'clientCa'), requestCert: true, rejectUnauthorized: true } }
      : {};
  const app = Fastify({
    ...baseOptions(runtime, options),
    ...tls,
    bodyLimit: CONFIG_API_BODY_LIMIT,
    // Router refusals (a malformed %-escape in the path) as ProblemDetails too.
    frameworkErrors: (_err, _request, reply) => sendProblem(reply, problem(400, PROBLEM_TYPES.validation, 'Bad Request', 'The request path cannot be decoded.')),
  }) as unknown as FastifyInstance;
  capConnections(app.server, { max: CONFIG_API_MAX_CONNECTIONS, perAddress: 0 });
  echoRequestId(app);
  const log = options.logger;
  const changes = changeCounter(options);
  const api = createServiceApi({
    registry,
    onChange: (change, id) => {
      changes.inc({ change });
      log?.info({ fiwareService: id, change }, 'FIWARE service configuration changed');
    },
  });

  // Any content type is read as JSON text, as VCVerifier's ShouldBindJSON does.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const token = cs.bearerToken === undefined ? undefined : digest(cs.bearerToken);
  app.addHook('onRequest', async (request, reply) => {
    if (token === undefined || request.url === '/health') return;
    if (bearerMatches(request.headers.authorization, token)) return;
    const given = request.headers.authorization !== undefined;
    reply.header('www-authenticate', given ? 'Bearer error="invalid_token"' : 'Bearer');
    return sendProblem(reply, problem(401, PROBLEM_TYPES.blank, 'Unauthorized', given ? 'The bearer token is not valid.' : 'This API requires a bearer token (Authorization: Bearer <token>).'));
  });

  app.setErrorHandler((err, request, reply) => {
    if (err instanceof VerifierError && err.status === 503) {
      log?.warn({ code: err.code }, 'FIWARE configuration API: store unavailable');
      return sendProblem(reply, problem(503, PROBLEM_TYPES.blank, 'Service Unavailable', err.message));
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const detail = status === 413 ? `The request body exceeds ${CONFIG_API_BODY_LIMIT} bytes.` : 'The request cannot be processed.';
      return sendProblem(reply, problem(status, status === 400 ? PROBLEM_TYPES.validation : PROBLEM_TYPES.blank, STATUS_TITLES[status] ?? 'Bad Request', detail));
    }
    request.log.error({ err }, 'FIWARE configuration API request failed');
    return sendProblem(reply, problem(500, PROBLEM_TYPES.internal, 'Internal server error', 'The request failed.'));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problem(404, PROBLEM_TYPES.blank, 'Not Found', 'This listener serves /service and /health only.', request.url.split('?')[0])),
  );
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, route: request.routeOptions.url ?? 'unmatched', status: reply.statusCode, listener: 'fiware-config' }, 'request completed');
  });

  const query = (url: string) => new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');
  const body = (b: unknown) => (typeof b === 'string' ? b : undefined);
  type IdParams = { Params: { id: string } };

  app.get('/health', async (_request, reply) => {
    const up = await runtime.storeHealthy();
    return reply.code(up ? 200 : 503).header('cache-control', 'no-store').send({ status: up ? 'UP' : 'DOWN' });
  });
  app.post('/service', async (request, reply) => send(reply, await api.create(body(request.body))));
  app.get('/service', async (request, reply) => send(reply, await api.list(query(request.url))));
  app.get<IdParams>('/service/:id', async (request, reply) => send(reply, await api.get(request.params.id)));
  app.put<IdParams>('/service/:id', async (request, reply) => send(reply, await api.replace(request.params.id, body(request.body))));
  app.delete<IdParams>('/service/:id', async (request, reply) => send(reply, await api.delete(request.params.id)));
  app.get<IdParams>('/service/:id/scope', async (request, reply) => send(reply, await api.scope(request.params.id, query(request.url))));
  return app;
}
