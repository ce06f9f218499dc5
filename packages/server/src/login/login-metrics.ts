/**
 * Metrics of the pending-login caps (core/src/oauth/login/login-admission.ts):
 * `verifier_login_pending` (slots held on this replica, read at scrape time) and
 * `verifier_login_refused_total{reason}` (`ip`, `client`, `capacity`).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LoginAdmission, LoginRefusal } from '@dome-verifier/core';

export interface LoginMetrics {
  refused(reason: LoginRefusal): void;
  watch(admission: LoginAdmission): void;
}

export function createLoginMetrics(registry: Registry): LoginMetrics {
  let watched: LoginAdmission | undefined;
  new Gauge({
    name: 'verifier_login_pending',
    help: 'Logins pending on this replica (slots of verifier.backend.login.maxPending held).',
    registers: [registry],
    collect() {
      this.set(watched?.pending() ?? 0);
    },
  });
  const refused = new Counter({
    name: 'verifier_login_refused_total',
    help: 'Authorization requests refused by a pending-login cap: ip / client (429) or capacity (503).',
    labelNames: ['reason'],
    registers: [registry],
  });
  return {
    refused: (reason) => refused.inc({ reason }),
    watch: (admission) => void (watched = admission),
  };
}
