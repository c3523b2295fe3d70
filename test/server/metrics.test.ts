import { describe, expect, it } from 'vitest';
import { createMetrics, MAX_REVIEW_SERIES } from '../../src/server/metrics.js';

async function read(metrics: ReturnType<typeof createMetrics>): Promise<string> {
  return metrics.registry.metrics();
}

describe('admission metrics', () => {
  it('count every review by label set and time it, across more reviews than one buffer holds', async () => {
    const metrics = createMetrics({ ready: () => true });
    for (let i = 0; i < 10_000; i++) {
      metrics.admission.review({ kind: 'Pod', operation: 'CREATE', mode: 'enforce', decision: i % 4 === 0 ? 'denied' : 'allowed' }, i % 2 === 0 ? 0.0001 : 0.002);
    }
    const text = await read(metrics);
    expect(text).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",mode="enforce",decision="allowed"} 7500');
    expect(text).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",mode="enforce",decision="denied"} 2500');
    expect(text).toContain('netguard_admission_duration_seconds_count 10000');
    expect(text).toContain('netguard_admission_duration_seconds_bucket{le="0.00025"} 5000');
    expect(text).toContain('netguard_admission_duration_seconds_bucket{le="0.0025"} 10000');
    const sum = Number(/netguard_admission_duration_seconds_sum (\S+)/.exec(text)![1]);
    expect(sum).toBeCloseTo(5000 * 0.0001 + 5000 * 0.002, 6);
  });

  it('show what was added since the last read on the next read, and nothing twice', async () => {
    const metrics = createMetrics({ ready: () => true });
    metrics.admission.review({ kind: 'RoleBinding', operation: 'UPDATE', mode: 'warn', decision: 'allowed' }, 0.001);
    metrics.admission.violation('rbac-escalation', 'warn');
    expect(await read(metrics)).toContain('netguard_violations_total{rule="rbac-escalation",mode="warn"} 1');
    metrics.admission.violation('rbac-escalation', 'warn');
    metrics.admission.review({ kind: 'RoleBinding', operation: 'UPDATE', mode: 'warn', decision: 'allowed' }, 0.001);
    const text = await read(metrics);
    expect(text).toContain('netguard_violations_total{rule="rbac-escalation",mode="warn"} 2');
    expect(text).toContain('netguard_admission_requests_total{kind="RoleBinding",operation="UPDATE",mode="warn",decision="allowed"} 2');
    expect(text).toContain('netguard_admission_duration_seconds_count 2');
    expect(await read(metrics)).toContain('netguard_admission_duration_seconds_count 2');
  });

  it('keep label sets apart even when a kind contains line breaks', async () => {
    const metrics = createMetrics({ ready: () => true });
    metrics.admission.review({ kind: 'Pod\nCREATE', operation: 'DELETE', mode: 'audit', decision: 'allowed' }, 0.001);
    metrics.admission.review({ kind: 'Pod', operation: 'CREATE', mode: 'audit', decision: 'allowed' }, 0.001);
    const text = await read(metrics);
    expect(text).toContain('netguard_admission_requests_total{kind="Pod\\nCREATE",operation="DELETE",mode="audit",decision="allowed"} 1');
    expect(text).toContain('netguard_admission_requests_total{kind="Pod",operation="CREATE",mode="audit",decision="allowed"} 1');
  });

  it('count kinds beyond the series limit as kind="other", so crafted kinds cannot grow memory without bound', async () => {
    const metrics = createMetrics({ ready: () => true });
    for (let i = 0; i < MAX_REVIEW_SERIES + 250; i++) {
      metrics.admission.review({ kind: `Kind${i}`, operation: 'CREATE', mode: 'enforce', decision: 'allowed' }, 0.001);
    }
    metrics.admission.review({ kind: 'Kind0', operation: 'CREATE', mode: 'enforce', decision: 'allowed' }, 0.001);
    const text = await read(metrics);
    const series = text.split('\n').filter((line) => line.startsWith('netguard_admission_requests_total{'));
    expect(series).toHaveLength(MAX_REVIEW_SERIES + 1);
    expect(text).toContain('netguard_admission_requests_total{kind="Kind0",operation="CREATE",mode="enforce",decision="allowed"} 2');
    expect(text).toContain('netguard_admission_requests_total{kind="other",operation="CREATE",mode="enforce",decision="allowed"} 250');
  });
});
