/**
 * `npm start`: configuration (file named by --config / VERIFIER_CONFIG / Spring's
 * SPRING_CONFIG_ADDITIONAL_LOCATION, env overrides) → runtime → HTTP server on HOST:PORT.
 * With no configuration at all this is a working development verifier: a persisted dev key,
 * an in-memory store and a generated demo trust framework.
 */
import { parseArgs } from 'node:util';
import { loadConfig, ConfigError } from '@dome-verifier/core/config';
import { createMetrics } from './metrics.ts';
import { createRuntime } from './runtime.ts';
import { buildApp, buildManagementApp } from './app.ts';
import { buildFiwareConfigApp } from './routes/fiware-config-api.ts';
import { createLogger, stdoutDestination } from './logger.ts';
import { startTracing } from './tracing.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
  const config = configured(() => loadConfig({ file: values.config, env: process.env }));
  const logger = createLogger(config.logLevel, stdoutDestination(config.server.logBufferBytes));
  const metrics = createMetrics();
  const tracing = await startTracing(process.env);
  if (tracing) logger.info({ service: process.env.OTEL_SERVICE_NAME ?? 'dome-verifier' }, 'OpenTelemetry tracing on');
  // The runtime's own configuration checks (identity key in production, trust anchors) exit 2 too.
  const runtime = await configured(() => createRuntime(config, { metrics, logger, ...(tracing && { tracing }) }));
  const app = await buildApp(runtime, { metrics, logger, ...(tracing && { tracing }) });
  await app.listen({ host: config.server.host, port: config.server.port });
  logger.info({ issuer: runtime.issuer, did: runtime.identity.did, host: config.server.host, port: config.server.port }, 'DOME Verifier listening');
  // Health and metrics on their own port (off unless server.management.port is set), outside the
  // public port's connection cap and rate limits.
  const { management } = config.server;
  const managementApp = management.port === undefined ? undefined : await buildManagementApp(runtime, { metrics, logger });
  if (managementApp) {
    const host = management.host ?? config.server.host;
    await managementApp.listen({ host, port: management.port });
    logger.info({ host, port: management.port }, 'management listener (health, metrics) listening');
  }
  // The FIWARE configuration API (/service) on its own port; off unless verifier.fiware.configServer.enabled.
  const cs = config.verifier.fiware.configServer;
  const configApp = cs.enabled ? await configured(() => buildFiwareConfigApp(runtime, { metrics, logger })) : undefined;
  if (configApp) {
    await configApp.listen({ host: cs.host, port: cs.port });
    const auth = [cs.bearerToken !== undefined && 'bearer token', cs.tlsCert !== undefined && 'mTLS'].filter(Boolean);
    logger.info({ host: cs.host, port: cs.port, auth: auth.length > 0 ? auth.join(' + ') : 'none (loopback only)' }, 'FIWARE configuration API (/service) listening');
  }
  if (runtime.demo) {
    logger.info({ machine: runtime.demo.machine.did }, `demo trust framework ready — get a token with: npm run cli -- token --demo`);
  }
  // The start-up lines are written now, not when the log buffer next fills (server.logBufferBytes).
  logger.flush();

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    void Promise.all([app.close(), managementApp?.close(), configApp?.close()])
      .then(() => runtime.close())
      .then(() => tracing?.shutdown())
      .then(() => process.exit(0));
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** Runs `step`; invalid configuration (a ConfigError, naming the key) exits 2. */
function configured<T>(step: () => T): T {
  const fail = (e: unknown): never => {
    if (!(e instanceof ConfigError)) throw e;
    process.stderr.write(`configuration error: ${e.message}\n`);
    process.exit(2);
  };
  try {
    const out = step();
    return (out instanceof Promise ? out.catch(fail) : out) as T;
  } catch (e) {
    return fail(e);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`fatal: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
