// Prometheus metrics for `serve`, in netguard's own Registry (never the global one, so several
// servers in one test process do not collide). Names and labels are public API: dashboards and
// alerts are built on them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AdmissionMetrics } from '../admission/handler.js';
import type { ReloadResult } from '../config/watch.js';

/** 0.25 ms … 10 s: a cached review takes well under a millisecond; a read-through up to a second. */
export const DURATION_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface NetguardMetrics {
  registry: Registry;
  admission: AdmissionMetrics;
  configReload(result: ReloadResult): void;
  tlsReload(result: ReloadResult): void;
}

export function createMetrics(options: { ready: () => boolean }): NetguardMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'netguard_admission_requests_total',
    help: 'AdmissionReviews answered, by object kind, operation, namespace mode and decision (allowed/denied).',
    labelNames: ['kind', 'operation', 'mode', 'decision'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'netguard_admission_duration_seconds',
    help: 'Time to judge one AdmissionReview, from parsed body to answer.',
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const violations = new Counter({
    name: 'netguard_violations_total',
    help: 'Rule violations found, by rule id and the mode they were found in.',
    labelNames: ['rule', 'mode'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'netguard_admission_errors_total',
    help: 'Reviews netguard could not judge: internal (a failure while judging), malformed (a uid but unusable fields), invalid (HTTP 400).',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'netguard_cache_synced',
    help: '1 when the cluster state cache is synced and reviews are answered from current state, else 0.',
    registers: [registry],
    collect() {
      this.set(options.ready() ? 1 : 0);
    },
  });
  const configReloads = new Counter({
    name: 'netguard_config_reloads_total',
    help: 'Config file reloads, by result (success, or failure: the previous config stayed in force).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const tlsReloads = new Counter({
    name: 'netguard_tls_reloads_total',
    help: 'TLS certificate reloads, by result (success, or failure: the previous certificate stayed in use).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  // start every reload series at zero so alerts on increase() see the first failure
  for (const result of ['success', 'failure'] as const) {
    configReloads.inc({ result }, 0);
    tlsReloads.inc({ result }, 0);
  }

  return {
    registry,
    admission: {
      review(labels, seconds) {
        requests.inc(labels);
        duration.observe(seconds);
      },
      violation(rule, mode) {
        violations.inc({ rule, mode });
      },
      error(type) {
        errors.inc({ type });
      },
    },
    configReload: (result) => configReloads.inc({ result }),
    tlsReload: (result) => tlsReloads.inc({ result }),
  };
}
