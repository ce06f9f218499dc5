/**
 * Admission control: which requests the verifier takes on, decided as early and as cheaply as
 * possible (docs/operations.md, "Overload, rate limits and admission").
 *
 * - Per client address, when the headers have arrived (`onRequest`, every route but health and
 *   metrics): a token bucket per address (`server.rateLimit.perIp*`); over it → 429
 *   ERR_RATE_LIMITED with Retry-After and `Connection: close`, the body never read.
 * - CPU-bound routes (`cpuBoundRoute`: token, wallet response, and any endpoint that verifies
 *   signatures): at most `server.maxQueuedRequests` are admitted at once, counted from their
 *   headers to their answer; one more → 503 ERR_SERVER_BUSY with Retry-After and
 *   `Connection: close`, its body never read. An admitted request has its body read, its form
 *   parsed (cheap), its client id's bucket charged (`server.rateLimit.perClient*`; 429 before any
 *   signature is checked), then waits for its turn in the FIFO work queue, which refuses it if
 *   the turn comes more than `server.maxQueueWaitMs` after its headers arrived.
 *
 * The client id used for the per-client bucket is not verified yet (that is the expensive part
 * being protected): `client_id`, else the client assertion's `iss`. Someone who knows a client id
 * can therefore use up that client's budget; the per-address limit bounds how fast one address
 * can do so, and the budget is generous for a client that caches its tokens.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFormBody, VerifierError, type ErrorCode } from '@dome-verifier/core';
import type { VerifierConfig } from '@dome-verifier/core/config';
import type { Metrics } from '../metrics.ts';
import { createRateLimiter, type RateLimiter } from './rate-limit.ts';
import type { WorkQueue } from './work-queue.ts';

/** A refusal before the request is processed; `closeConnection` when its body was not read. */
export class RefusedError extends VerifierError {
  readonly closeConnection: boolean;
  constructor(code: ErrorCode, description: string, retryAfterSeconds: number, closeConnection: boolean) {
    super(code, description, { retryAfterSeconds });
    this.closeConnection = closeConnection;
  }
}

export interface Admission {
  readonly work: WorkQueue;
  /**
   * CPU-bound requests admitted at headers time and not answered yet (body being read, form
   * parsed, waiting in the queue, or running): bounded by the work queue's `maxDepth`.
   */
  inFlight: number;
  readonly metrics: Metrics;
  /** Undefined when rate limiting is off. */
  readonly perIp: RateLimiter | undefined;
  readonly perClient: RateLimiter | undefined;
}

export function createAdmission(server: VerifierConfig['server'], metrics: Metrics, work: WorkQueue): Admission {
  const r = server.rateLimit;
  return {
    work,
    inFlight: 0,
    metrics,
    perIp: r.enabled ? createRateLimiter({ perSecond: r.perIpPerSecond, burst: r.perIpBurst, maxKeys: r.maxTrackedKeys }) : undefined,
    perClient: r.enabled ? createRateLimiter({ perSecond: r.perClientPerSecond, burst: r.perClientBurst, maxKeys: r.maxTrackedKeys }) : undefined,
  };
}

/** Health, readiness and metrics: answered whatever the load, never limited or queued. */
export const isOpsRoute = (url: string | undefined): boolean => url !== undefined && (url === '/health' || url.startsWith('/health/') || url === '/metrics' || url === '/prometheus');

/** The per-address limit on every route but the ops routes, checked when the headers have arrived. */
export function limitAddresses(app: FastifyInstance, admission: Admission): void {
  const limiter = admission.perIp;
  if (!limiter) return;
  app.addHook('onRequest', async (request) => {
    if (isOpsRoute(request.routeOptions.url)) return;
    const wait = limiter.take(request.ip);
    if (wait > 0) {
      admission.metrics.rateLimited.inc({ scope: 'ip' });
      throw new RefusedError('ERR_RATE_LIMITED', 'too many requests from this address; retry later', wait, true);
    }
  });
}

const MAX_CLIENT_KEY = 256;

/**
 * The client a token-endpoint form claims to be, unverified: `client_id`, else the `iss` of the
 * client assertion's payload (decoded, not verified). Undefined when neither is readable.
 */
export function claimedClientId(params: Record<string, string>): string | undefined {
  const id = params['client_id'];
  if (id) return id.slice(0, MAX_CLIENT_KEY);
  const payload = params['client_assertion']?.split('.', 3)[1];
  if (!payload || payload.length > 64 * 1024) return undefined;
  try {
    const iss = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' && iss !== '' ? iss.slice(0, MAX_CLIENT_KEY) : undefined;
  } catch {
    return undefined;
  }
}

export interface CpuBoundRouteOptions {
  /** The client a request claims to be (for the per-client limit); none ⇒ no per-client limit. */
  readonly clientId?: (params: Record<string, string>) => string | undefined;
  /** Headers of every answer, refusals included (e.g. CORS for the wallet). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** When each admitted request's headers arrived (its wait in the queue counts from then). */
const arrivals = new WeakMap<FastifyRequest, number>();

/** 64 KiB: a DOME token request is ≈ 17 KB. */
export const FORM_BODY_LIMIT = 64 * 1024;

const FORM = /^application\/x-www-form-urlencoded\s*(;|$)/i;

/**
 * `POST path` for an endpoint that does signature work: form bodies only (≤ 64 KiB), refused at
 * headers time when the work queue is full, per-client limited after the parse, and run in its
 * turn of the work queue. `handler` gets the parsed form.
 */
export function cpuBoundRoute(
  app: FastifyInstance,
  admission: Admission,
  path: string,
  options: CpuBoundRouteOptions,
  handler: (request: FastifyRequest, reply: FastifyReply, params: Record<string, string>) => Promise<unknown>,
): void {
  const { work, metrics, perClient } = admission;
  app.post(path, {
    bodyLimit: FORM_BODY_LIMIT,
    onRequest: async (request, reply) => {
      if (options.headers) reply.headers(options.headers);
      if (admission.inFlight >= work.maxDepth) {
        work.countRefused();
        throw new RefusedError('ERR_SERVER_BUSY', 'the verifier is overloaded; retry later', 5, true);
      }
      admission.inFlight++;
      arrivals.set(request, work.now());
      reply.raw.once('close', () => admission.inFlight--);
    },
    handler: async (request, reply) => {
      if (!FORM.test(request.headers['content-type'] ?? '')) {
        throw new VerifierError('ERR_REQUEST_CONTENT_TYPE', 'the body must be application/x-www-form-urlencoded');
      }
      const params = parseFormBody(typeof request.body === 'string' ? request.body : '');
      const client = perClient ? options.clientId?.(params) : undefined;
      if (client !== undefined && client !== '') {
        const wait = perClient!.take(client);
        if (wait > 0) {
          metrics.rateLimited.inc({ scope: 'client' });
          throw new RefusedError('ERR_RATE_LIMITED', 'too many requests for this client; retry later', wait, false);
        }
      }
      await work.turn(arrivals.get(request));
      return handler(request, reply, params);
    },
  });
}
