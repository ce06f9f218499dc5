/** @dome-verifier/server: build the HTTP app around a runtime (for embedding and tests). */
export { buildApp, type AppOptions } from './app.ts';
export { createRuntime, type Runtime, type RuntimeOptions, type Logger } from './runtime.ts';
export { createMetrics, type Metrics } from './metrics.ts';
export { createWorkQueue, type WorkQueue, type WorkQueueOptions } from './http/work-queue.ts';
