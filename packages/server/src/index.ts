/** @dome-verifier/server: build the HTTP app around a runtime (for embedding and tests). */
export { buildApp, buildManagementApp, type AppOptions } from './app.ts';
export { buildFiwareConfigApp, CONFIG_API_BODY_LIMIT } from './routes/fiware-config-api.ts';
export { createRuntime, FIWARE_CONFIG_KEY_PREFIX, type Runtime, type RuntimeOptions, type Logger } from './runtime.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { createWorkQueue, type WorkQueue, type WorkQueueOptions } from './http/work-queue.ts';
export { cpuBoundRoute, claimedClientId, type Admission, type CpuBoundRouteOptions } from './http/admission.ts';
export { startTracing, tracingSettings, type Tracing } from './tracing.ts';
