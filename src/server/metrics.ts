// Prometheus metrics for `serve`, in netguard's own Registry (never the global one, so several
// servers in one test process do not collide). Names and labels are public API: dashboards and
// alerts are built on them.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, type LabelValues } from 'prom-client';
import type { AdmissionMetrics } from '../admission/handler.js';
import type { ReloadResult } from '../config/watch.js';

/** 0.25 ms … 10 s: a cached review takes well under a millisecond; a read-through up to a second. */
export const DURATION_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Distinct netguard_admission_requests_total series; beyond this, new kinds count as kind="other".
 * The kind comes from the request: kube-apiserver sends only the kinds the webhook intercepts, but
 * a client talking to the port directly could otherwise grow the series (and memory) without bound.
 */
export const MAX_REVIEW_SERIES = 500;

const reviewKey = (labels: { kind: string; operation: string; mode: string; decision: string }) =>
  // operation, mode and decision come from fixed sets: with the free-form kind last, no two label
  // sets share a key
  `${labels.operation}\n${labels.mode}\n${labels.decision}\n${labels.kind}`;

export interface NetguardMetrics {
  registry: Registry;
  admission: AdmissionMetrics;
  configReload(result: ReloadResult): void;
  tlsReload(result: ReloadResult): void;
  /** starts each configured exception's applied series at zero (at start and on reload) */
  exceptionsConfigured(names: readonly string[]): void;
}

export interface MetricsOptions {
  ready: () => boolean;
  /** how many configured exceptions have expired by now (read at every scrape) */
  expiredExceptions?: () => number;
}

/**
 * What reviews add to the metrics is noted in plain structures and handed to prom-client when the
 * registry is read (each metric's collect()), or when a buffer fills. prom-client hashes and
 * validates the label set on every inc() and walks the buckets on every observe(); under load that
 * was a measurable share of a review's CPU (bench/README.md), while a scrape folds thousands of
 * reviews in one go. Scrapes see exact values: collect() runs before every read.
 */
class PendingCounts<L extends string> {
  private readonly byKey = new Map<string, { labels: LabelValues<L>; count: number }>();

  /**
   * Counts one for `key`, which identifies the label set (the caller joins the values); `labels` is
   * kept on first use. False, and nothing counted, when `key` is new and `maxKeys` are held already.
   */
  add(key: string, labels: LabelValues<L>, maxKeys = Infinity): boolean {
    const entry = this.byKey.get(key);
    if (entry) entry.count++;
    else if (this.byKey.size >= maxKeys) return false;
    else this.byKey.set(key, { labels, count: 1 });
    return true;
  }

  flushInto(counter: Counter<L>): void {
    for (const entry of this.byKey.values()) {
      if (entry.count === 0) continue;
      counter.inc(entry.labels, entry.count);
      entry.count = 0;
    }
  }
}

class PendingObservations {
  private readonly values = new Float64Array(4096);
  private length = 0;

  constructor(private readonly histogram: Histogram) {}

  add(value: number): void {
    this.values[this.length++] = value;
    if (this.length === this.values.length) this.flush();
  }

  flush(): void {
    for (let i = 0; i < this.length; i++) this.histogram.observe(this.values[i]!);
    this.length = 0;
  }
}

export function createMetrics(options: MetricsOptions): NetguardMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const pendingReviews = new PendingCounts<'kind' | 'operation' | 'mode' | 'decision'>();
  new Counter({
    name: 'netguard_admission_requests_total',
    help: 'AdmissionReviews answered, by object kind, operation, namespace mode and decision (allowed/denied).',
    labelNames: ['kind', 'operation', 'mode', 'decision'] as const,
    registers: [registry],
    collect() {
      pendingReviews.flushInto(this);
    },
  });
  const duration = new Histogram({
    name: 'netguard_admission_duration_seconds',
    help: 'Time to judge one AdmissionReview, from parsed body to answer.',
    buckets: DURATION_BUCKETS,
    registers: [registry],
    collect() {
      pendingDurations.flush();
    },
  });
  const pendingDurations = new PendingObservations(duration);
  const pendingViolations = new PendingCounts<'rule' | 'mode'>();
  new Counter({
    name: 'netguard_violations_total',
    help: 'Rule violations found, by rule id and the mode they were found in.',
    labelNames: ['rule', 'mode'] as const,
    registers: [registry],
    collect() {
      pendingViolations.flushInto(this);
    },
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
  // exception names come from the config, so the series are bounded by it
  const exceptionsApplied = new Counter({
    name: 'netguard_exceptions_applied_total',
    help: 'Reviews in which an exception covered a violation, by exception name.',
    labelNames: ['exception'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'netguard_exceptions_expired',
    help: 'Configured exceptions that have expired (they cover nothing; remove them or extend expires).',
    registers: [registry],
    collect() {
      this.set(options.expiredExceptions?.() ?? 0);
    },
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
        if (!pendingReviews.add(reviewKey(labels), labels, MAX_REVIEW_SERIES)) {
          const other = { ...labels, kind: 'other' };
          pendingReviews.add(reviewKey(other), other);
        }
        pendingDurations.add(seconds);
      },
      violation(rule, mode) {
        pendingViolations.add(`${rule}\n${mode}`, { rule, mode });
      },
      exceptionApplied(exception) {
        exceptionsApplied.inc({ exception });
      },
      error(type) {
        errors.inc({ type });
      },
    },
    configReload: (result) => configReloads.inc({ result }),
    tlsReload: (result) => tlsReloads.inc({ result }),
    exceptionsConfigured(names) {
      for (const exception of names) exceptionsApplied.inc({ exception }, 0);
    },
  };
}
