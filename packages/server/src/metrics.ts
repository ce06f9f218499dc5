/**
 * Prometheus metrics (served at /metrics and, as in DOME, /prometheus): requests by route and
 * outcome, latency histograms, validation failures by error code and pipeline step, outbound
 * fetches by purpose and outcome, and the process defaults (RSS, event-loop lag, GC).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StepFailure, VerifierError } from '@dome-verifier/core';
import type { WorkQueue } from './http/work-queue.ts';

export interface Metrics {
  readonly registry: Registry;
  readonly requests: Counter<'route' | 'method' | 'status' | 'outcome'>;
  readonly duration: Histogram<'route' | 'method'>;
  readonly validationFailures: Counter<'code' | 'step'>;
  readonly tokensIssued: Counter<'grant_type'>;
  readonly outbound: Counter<'purpose' | 'outcome'>;
  readonly outboundDuration: Histogram<'purpose'>;
  readonly clients: Gauge;
  readonly clientListRefreshes: Counter<'outcome'>;
  /** Requests refused with 429 by a rate limit (`scope` = ip or client). */
  readonly rateLimited: Counter<'scope'>;
  /** Requests refused with 503 because a dependency (store, trust service, client JWKS) is unavailable. */
  readonly dependencyUnavailable: Counter<'dependency'>;
  /** Connections closed at accept time by a connection cap (`reason` = max_connections or per_address). */
  readonly connectionsRefused: Counter<'reason'>;
  /** Connections closed for a client error (`reason` = timeout, header_overflow, malformed). */
  readonly clientErrors: Counter<'reason'>;
  /** Exposes the work queue's depth and refusals (read at scrape time, no per-request cost). */
  watchWorkQueue(queue: WorkQueue): void;
  /** Counts a pipeline step's failure in `validationFailures` (once per error, however many pipelines rethrow it). */
  countStepFailure(f: StepFailure): void;
  /**
   * Counts an answered rejection not counted by a step yet, under `step="request"` (request
   * parsing, grant_type, scope/resource, grant checks…). Refusals that are not a verdict on the
   * request — 429 and 5xx (busy, dependency down: their own metrics), are not counted here.
   */
  countRejection(err: VerifierError): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'verifier_' });
  const queues: WorkQueue[] = [];
  new Gauge({
    name: 'verifier_work_queue_depth',
    help: 'Token and wallet-response requests waiting for CPU in the FIFO work queue.',
    registers: [registry],
    collect() {
      this.set(queues.reduce((n, q) => n + q.depth, 0));
    },
  });
  new Counter({
    name: 'verifier_work_queue_refused_total',
    help: 'Requests refused with 503 because the work queue was full (server.maxQueuedRequests).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(queues.reduce((n, q) => n + q.refused, 0));
    },
  });
  new Counter({
    name: 'verifier_work_queue_expired_total',
    help: 'Requests refused with 503 because they waited longer than server.maxQueueWaitMs for CPU.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(queues.reduce((n, q) => n + q.expired, 0));
    },
  });
  // Errors already counted: a failure rethrown by an enclosing pipeline or reaching the error
  // handler is counted once, under the innermost step that raised it.
  const counted = new WeakSet<VerifierError>();
  const validationFailures = new Counter({ name: 'verifier_validation_failures_total', help: 'Rejected requests by stable error code and failing pipeline step ("request" outside a pipeline step).', labelNames: ['code', 'step'], registers: [registry] });
  return {
    validationFailures,
    countStepFailure({ step, error }) {
      if (counted.has(error)) return;
      counted.add(error);
      validationFailures.inc({ code: error.code, step });
    },
    countRejection(err) {
      if (counted.has(err) || err.status === 429 || err.status >= 500) return;
      counted.add(err);
      validationFailures.inc({ code: err.code, step: 'request' });
    },
    rateLimited: new Counter({ name: 'verifier_rate_limited_total', help: 'Requests refused with 429 by a rate limit (server.rateLimit.*), by scope: ip or client.', labelNames: ['scope'], registers: [registry] }),
    dependencyUnavailable: new Counter({ name: 'verifier_dependency_unavailable_total', help: 'Requests refused with 503 because a dependency is unavailable: store, trust_service or client_jwks.', labelNames: ['dependency'], registers: [registry] }),
    connectionsRefused: new Counter({ name: 'verifier_connections_refused_total', help: 'Connections closed when accepted because of a cap: max_connections or per_address.', labelNames: ['reason'], registers: [registry] }),
    clientErrors: new Counter({ name: 'verifier_http_client_errors_total', help: 'Connections closed for a client error: timeout (slow headers or body), header_overflow or malformed.', labelNames: ['reason'], registers: [registry] }),
    watchWorkQueue: (queue) => void queues.push(queue),
    registry,
    requests: new Counter({ name: 'verifier_http_requests_total', help: 'HTTP requests by route, method, status and outcome (OAuth error code or "ok").', labelNames: ['route', 'method', 'status', 'outcome'], registers: [registry] }),
    duration: new Histogram({ name: 'verifier_http_request_duration_seconds', help: 'HTTP request latency by route.', labelNames: ['route', 'method'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    tokensIssued: new Counter({ name: 'verifier_tokens_issued_total', help: 'Access tokens issued by grant type.', labelNames: ['grant_type'], registers: [registry] }),
    outbound: new Counter({ name: 'verifier_outbound_requests_total', help: 'Outbound fetches (trust lists, JWKS, status lists) by purpose and outcome.', labelNames: ['purpose', 'outcome'], registers: [registry] }),
    outboundDuration: new Histogram({ name: 'verifier_outbound_request_duration_seconds', help: 'Outbound fetch latency by purpose.', labelNames: ['purpose'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    clients: new Gauge({ name: 'verifier_registered_clients', help: 'Clients in the last good Trusted Services List.', registers: [registry] }),
    clientListRefreshes: new Counter({ name: 'verifier_client_list_refreshes_total', help: 'Trusted Services List loads by outcome.', labelNames: ['outcome'], registers: [registry] }),
  };
}
