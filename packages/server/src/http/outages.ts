/**
 * Expected refusals are not errors: a request refused with 503 because a dependency is down
 * (the store, a trust service, a client's JWKS) is counted in
 * `verifier_dependency_unavailable_total{dependency}` and logged at debug; the outage itself is
 * logged once, at warn, when the first refusal comes after `quietMs` without one (the Redis store
 * also logs its own connection lost / restored). A Redis outage at full load thus writes a couple
 * of lines, not one stack trace per request.
 */
import type { ErrorCode, VerifierError } from '@dome-verifier/core';
import type { Metrics } from '../metrics.ts';

const DEPENDENCY_OF: Partial<Record<ErrorCode, string>> = {
  ERR_STORE_UNAVAILABLE: 'store',
  ERR_STORE_FULL: 'store',
  ERR_TRUST_SERVICE_UNAVAILABLE: 'trust_service',
  ERR_CLIENT_JWKS_UNAVAILABLE: 'client_jwks',
};

export interface OutageLog {
  /** Counts a refused request; logs once per outage of its dependency. */
  refused(err: VerifierError): void;
}

export function createOutageLog(log: { warn(obj: object, msg?: string): void }, metrics: Metrics, options: { quietMs?: number; now?: () => number } = {}): OutageLog {
  const quietMs = options.quietMs ?? 60_000;
  const now = options.now ?? (() => performance.now());
  const lastRefusal = new Map<string, number>();
  return {
    refused(err) {
      const dependency = DEPENDENCY_OF[err.code];
      if (!dependency) return;
      metrics.dependencyUnavailable.inc({ dependency });
      const t = now();
      const last = lastRefusal.get(dependency);
      lastRefusal.set(dependency, t);
      if (last !== undefined && t - last <= quietMs) return;
      const cause = err.cause instanceof Error ? `${err.cause.name}: ${err.cause.message}`.slice(0, 200) : undefined;
      log.warn(
        { dependency, code: err.code, ...(cause && { cause }) },
        `${dependency} unavailable: requests that need it are answered 503 (counted in verifier_dependency_unavailable_total; logged again after ${Math.round(quietMs / 1000)} s without refusals)`,
      );
    },
  };
}
