/**
 * The OpenTelemetry SDK side of tracing.ts, imported only when tracing is on: a Node tracer
 * provider (AsyncLocalStorage context, W3C trace-context propagation) with a batch processor
 * and the OTLP/HTTP (JSON) exporter, which reads `OTEL_EXPORTER_OTLP_*` itself; sampling from
 * `OTEL_TRACES_SAMPLER(_ARG)`, batching from `OTEL_BSP_*`, resource from `OTEL_SERVICE_NAME`
 * and `OTEL_RESOURCE_ATTRIBUTES`.
 */
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { context, propagation, trace, ROOT_CONTEXT, SpanKind, SpanStatusCode, type Span } from '@opentelemetry/api';
import { BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { FetchError, observeSteps, VerifierError } from '@dome-verifier/core';
import type { Tracing, TracingSettings } from './tracing.ts';

const HOST_PORT = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/;

/** Marks `span` failed with a stable code only (never an error message). */
function failed(span: Span, code: string): void {
  span.setAttribute('error.type', code);
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
}

const codeOf = (e: unknown): string => (e instanceof VerifierError ? e.code : 'ERR_SERVER');

export function createTracing(settings: TracingSettings): Tracing {
  const exporter = settings.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter();
  const provider = new NodeTracerProvider({
    resource: defaultResource().merge(detectResources({ detectors: [envDetector] })).merge(resourceFromAttributes({ 'service.name': settings.serviceName })),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  provider.register();
  const tracer = provider.getTracer('dome-verifier');

  observeSteps({
    step(name, run) {
      return tracer.startActiveSpan(`step ${name}`, { attributes: { 'verifier.step': name } }, (span) => {
        const fail = (e: unknown) => {
          span.setAttribute('verifier.error_code', codeOf(e));
          failed(span, codeOf(e));
          span.end();
          throw e;
        };
        try {
          const r = run();
          if (r instanceof Promise) {
            return r.then((v: unknown) => {
              span.end();
              return v;
            }, fail) as typeof r;
          }
          span.end();
          return r;
        } catch (e) {
          return fail(e);
        }
      });
    },
  });

  const open = new WeakMap<IncomingMessage, Span>();
  const handle = (req: IncomingMessage, res: Parameters<RequestListener>[1], next: RequestListener) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan(req.method ?? 'HTTP', { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method ?? '' } }, parent);
    open.set(req, span);
    // An aborted request never reaches onResponse: its span ends when the response closes
    // (after the onResponse hooks of a completed one, hence the setImmediate).
    res.once('close', () =>
      setImmediate(() => {
        if (!open.has(req)) return;
        open.delete(req);
        span.end();
      }),
    );
    const ctx = trace.setSpan(parent, span);
    // Body and response events run in the request's context too (fastify parses in 'data'/'end').
    context.bind(ctx, req);
    context.bind(ctx, res);
    context.with(ctx, () => next(req, res));
  };

  return {
    instrument(server: Server) {
      const listeners = server.listeners('request') as RequestListener[];
      server.removeAllListeners('request');
      for (const l of listeners) server.on('request', (req: IncomingMessage, res: Parameters<RequestListener>[1]) => handle(req, res, l));
    },
    endRequest(req, { route, status, outcome, requestId }) {
      const span = open.get(req);
      if (!span) return;
      open.delete(req);
      span.updateName(route ? `${req.method} ${route}` : `${req.method}`);
      if (route) span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', status);
      span.setAttribute('verifier.request_id', requestId);
      if (status >= 400 && outcome) span.setAttribute('oauth.error', outcome);
      if (status >= 500) failed(span, String(status));
      span.end();
    },
    traceFetch(target, run) {
      const [, address = '', port] = HOST_PORT.exec(target.host) ?? [];
      const attributes = { 'http.request.method': 'GET', 'url.scheme': target.scheme, 'server.address': address, 'verifier.fetch.purpose': target.purpose, ...(port ? { 'server.port': Number(port) } : {}) };
      return tracer.startActiveSpan(`GET ${target.host || target.scheme}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
        const headers: Record<string, string> = {};
        propagation.inject(context.active(), headers);
        try {
          const res = await run(headers);
          span.setAttribute('http.response.status_code', res.status);
          if (res.status >= 400) failed(span, String(res.status));
          return res;
        } catch (e) {
          failed(span, e instanceof FetchError ? e.reason : 'network');
          throw e;
        } finally {
          span.end();
        }
      });
    },
    async shutdown() {
      observeSteps(undefined);
      await provider.shutdown();
      trace.disable();
      propagation.disable();
      context.disable();
    },
  };
}
