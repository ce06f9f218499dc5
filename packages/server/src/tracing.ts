/**
 * OpenTelemetry tracing, off by default. Configured by the standard OpenTelemetry environment
 * variables (as IN2's verifier is): it is on when `OTEL_TRACES_EXPORTER` is `otlp` or `console`,
 * or, with `OTEL_TRACES_EXPORTER` unset, when an OTLP endpoint is named
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); `OTEL_SDK_DISABLED=true`
 * and `OTEL_TRACES_EXPORTER=none` turn it off. The SDK (tracing-sdk.ts) is imported only then:
 * off, nothing of OpenTelemetry is loaded and the hooks (core's step observer, the fetcher's
 * trace port, the request listener) are not installed.
 *
 * Spans: one SERVER span per HTTP request (`POST /oidc/token`: route template, method, status,
 * OAuth error, request id), a child per pipeline step (`step <name>`, with the stable error code
 * when it refused) and a CLIENT span per outbound fetch (`GET <host>`: purpose, scheme, host,
 * status). Never bodies, query strings, paths, headers or tokens. An incoming W3C `traceparent`
 * is continued; outbound fetches carry one.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { FetcherOptions } from '@dome-verifier/core';

export interface RequestSpanEnd {
  /** The route template (`/oid4vp/auth-request/:id`), undefined when no route matched. */
  route: string | undefined;
  status: number;
  /** The OAuth `error` answered (or `ok`). */
  outcome: string | undefined;
  requestId: string;
}

export interface Tracing {
  /** Wraps `server`'s request listener: one span per request, in whose context the request runs. */
  instrument(server: Server): void;
  /** Records the answer on the request's span and ends it (called from the onResponse hook). */
  endRequest(req: IncomingMessage, end: RequestSpanEnd): void;
  /** The fetcher's trace port (a CLIENT span per fetch, `traceparent` sent). */
  readonly traceFetch: NonNullable<FetcherOptions['trace']>;
  /** Flushes the spans not exported yet and uninstalls the hooks. */
  shutdown(): Promise<void>;
}

export interface TracingSettings {
  exporter: 'otlp' | 'console';
  serviceName: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** What the environment asks for; undefined = tracing off. Throws on an exporter we do not ship. */
export function tracingSettings(env: Env): TracingSettings | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return undefined;
  const serviceName = env.OTEL_SERVICE_NAME?.trim() || 'dome-verifier';
  const named = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s !== '');
  if (named.length === 0) {
    return env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? { exporter: 'otlp', serviceName } : undefined;
  }
  if (named.includes('none')) return undefined;
  const unknown = named.filter((n) => n !== 'otlp' && n !== 'console');
  if (unknown.length > 0 || named.length > 1) {
    throw new Error(`OTEL_TRACES_EXPORTER=${env.OTEL_TRACES_EXPORTER} is not supported: use one of otlp, console, none`);
  }
  return { exporter: named[0] as 'otlp' | 'console', serviceName };
}

/** Starts tracing when the environment asks for it (loading the SDK); undefined when off. */
export async function startTracing(env: Env = process.env): Promise<Tracing | undefined> {
  const settings = tracingSettings(env);
  if (!settings) return undefined;
  const { createTracing } = await import('./tracing-sdk.ts');
  return createTracing(settings);
}
