// audit: pods reported at their workload, --namespace, per-namespace coverage, stage 0, and the
// OpenReports output validated against the OpenReports CRD schema.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { runAuditOn } from '../../src/audit/audit.js';
import { renderOpenReports } from '../../src/audit/format-reports.js';
import { staticFeed } from '../../src/audit/static-feed.js';
import type { AuditResult } from '../../src/audit/types.js';
import { runAudit } from '../../src/cli/audit.js';
import { capture } from '../support/capture.js';
import { startFakeApi, type FakeApiServer } from '../support/fake-api.js';

import { CLUSTER, config, STATE } from './cluster-fixture.js';

const audit = (namespace?: string): Promise<AuditResult> => runAuditOn(staticFeed(STATE), config, undefined, { namespace });
const rows = (findings: AuditResult['findings']) => findings.map((f) => [f.rule, f.kind, f.namespace, f.name, f.pods]);

describe('audit: pods at their workload', () => {
  it('reports a Deployment, a CronJob, a ReplicaSet nobody owns and a bare pod, each with its pods', async () => {
    const result = await audit();
    expect(rows(result.findings.filter((f) => f.rule === 'pod-service-account'))).toEqual([
      ['pod-service-account', 'CronJob', 'shop', 'backup', ['backup-2911-x']],
      ['pod-service-account', 'Deployment', 'shop', 'web', ['web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c']],
      ['pod-service-account', 'Pod', 'shop', 'debug', undefined],
      ['pod-service-account', 'ReplicaSet', 'shop', 'old-5c', ['old-5c-z']],
    ]);
    const web = result.findings.find((f) => f.name === 'web')!;
    // the fix points at the workload's pod template, in the rule's own words
    expect(web.message).toMatch(/^Deployment "web" runs under ServiceAccount "default", which is disallowed \(namespace "shop", spec\.template\.spec\.serviceAccountName/);
    expect(web.uid).toBe('uid-deploy-web');
    expect(result.findings.find((f) => f.name === 'backup')!.message).toMatch(/set spec\.jobTemplate\.spec\.template\.spec\.serviceAccountName/);
  });

  it('lists each namespace with its mode and default-deny coverage', async () => {
    const result = await audit();
    expect(result.namespaces).toEqual([
      { name: 'kube-system', mode: 'disabled', status: 'exempt', coverage: [{ direction: 'Ingress', policies: [] }, { direction: 'Egress', policies: [] }] },
      { name: 'lab', mode: 'disabled', status: 'unlabelled', coverage: [{ direction: 'Ingress', policies: [] }, { direction: 'Egress', policies: [] }] },
      { name: 'shop', mode: 'enforce', status: 'governed', coverage: [{ direction: 'Ingress', policies: ['default-deny'] }, { direction: 'Egress', policies: [] }] },
    ]);
  });

  it('stage 0: lists what enforcing an unlabelled namespace would refuse, apart from the violations', async () => {
    const result = await audit();
    expect(rows(result.optIn)).toEqual([
      ['namespace-default-deny', 'Namespace', undefined, 'lab', undefined],
      ['pod-service-account', 'StatefulSet', 'lab', 'toy', ['toy-1']],
    ]);
    expect(result.optIn.every((f) => f.mode === 'enforce')).toBe(true);
    expect(result.findings.some((f) => f.name === 'lab' || f.namespace === 'lab')).toBe(false);
  });

  it('--namespace audits one namespace: no cluster-scoped bindings, no other namespace', async () => {
    const result = await audit('shop');
    expect(result.namespace).toBe('shop');
    expect(result.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(result.findings.map((f) => `${f.kind}/${f.name}`)).toEqual([
      'Namespace/shop',
      'CronJob/backup',
      'Deployment/web',
      'Pod/debug',
      'ReplicaSet/old-5c',
      'RoleBinding/mallory-writes',
    ]);
    expect(result.optIn).toEqual([]);
  });
});

describe('audit --output openreports', () => {
  const crds = parseAllDocuments(readFileSync(join(import.meta.dirname, '../fixtures/openreports/crds.yaml'), 'utf8')).map(
    (d) => d.toJS() as { spec: { names: { kind: string }; versions: { name: string; schema: { openAPIV3Schema: Record<string, unknown> } }[] } },
  );

  /** The CRD schema, with fields the API server would prune made errors (so a misspelt field fails). */
  function strict(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map(strict);
    if (typeof schema !== 'object' || schema === null) return schema;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) if (!key.startsWith('x-kubernetes-')) out[key] = strict(value);
    if (out['properties'] && out['additionalProperties'] === undefined && !('metadata' in (out['properties'] as object) && Object.keys(out['properties'] as object).length === 1)) {
      out['additionalProperties'] = false;
    }
    return out;
  }
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validators = new Map(crds.map((crd) => [crd.spec.names.kind, ajv.compile(strict(crd.spec.versions[0]!.schema.openAPIV3Schema) as object)]));

  it('prints a ClusterReport and one Report per governed namespace, each valid against the OpenReports CRD schema', async () => {
    const text = renderOpenReports(await audit());
    const documents = parseAllDocuments(text).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { namespace?: string }; summary: { fail: number }; results: { rule: string; resources: { kind: string; name: string }[]; properties: Record<string, string> }[] });
    expect(documents.map((d) => `${d.apiVersion} ${d.kind} ${d.metadata.namespace ?? ''}`)).toEqual([
      'openreports.io/v1alpha1 ClusterReport ',
      'openreports.io/v1alpha1 Report shop',
    ]);
    for (const doc of documents) {
      const validate = validators.get(doc.kind)!;
      expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
      expect(doc.summary.fail).toBe(doc.results.length);
    }
    const web = documents[1]!.results.find((r) => r.resources[0]!.name === 'web')!;
    expect(web.properties).toEqual({ mode: 'enforce', pods: 'web-7d9f-a,web-7d9f-b,web-7d9f-c' });
  });

  it('the schema check has teeth: a misspelt field or an unknown result fails it', () => {
    const validate = validators.get('Report')!;
    const base = { apiVersion: 'openreports.io/v1alpha1', kind: 'Report', metadata: { name: 'x' }, summary: { pass: 0, fail: 1, warn: 0, error: 0, skip: 0 } };
    expect(validate({ ...base, results: [{ policy: 'p', result: 'fail' }] })).toBe(true);
    expect(validate({ ...base, results: [{ policy: 'p', result: 'failed' }] })).toBe(false);
    expect(validate({ ...base, results: [{ policy: 'p', result: 'fail', mesage: 'typo' }] })).toBe(false);
    expect(validate({ ...base, summary: { fails: 1 } })).toBe(false);
  });
});

describe('audit against a live cluster: kubeconfig as kubectl finds it, --context, --namespace', () => {
  let api: FakeApiServer;
  let dir: string;
  const saved = process.env['KUBECONFIG'];

  beforeAll(async () => {
    api = await startFakeApi();
    api.seed(CLUSTER);
    dir = mkdtempSync(join(tmpdir(), 'netguard-audit-kc-'));
    const cluster = (name: string, server: string) => ({ name, cluster: { server } });
    writeFileSync(
      join(dir, 'kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [cluster('gone', 'http://127.0.0.1:9'), cluster('fake', api.url)],
        users: [{ name: 'u', user: { token: 't' } }],
        contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }, { name: 'fake', context: { cluster: 'fake', user: 'u' } }],
        'current-context': 'gone',
      }),
    );
    writeFileSync(join(dir, 'config.yaml'), stringify({ defaultMode: 'disabled', clusterScopedMode: 'enforce', exemptNamespaces: ['kube-system'] }));
  });
  afterAll(async () => {
    if (saved === undefined) delete process.env['KUBECONFIG'];
    else process.env['KUBECONFIG'] = saved;
    await api.stop();
  });

  it('reads $KUBECONFIG, switches with --context, and lists only the namespace asked for', async () => {
    process.env['KUBECONFIG'] = `${join(dir, 'missing')}:${join(dir, 'kubeconfig')}`;
    const before = api.requests.length;
    const { code, stdout, stderr } = await capture(() =>
      runAudit({ config: join(dir, 'config.yaml'), context: 'fake', namespace: 'shop', output: 'json' }),
    );
    expect(stderr).toBe('');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as { namespace: string; violations: { kind: string; name: string; pods?: string[] }[] };
    expect(report.namespace).toBe('shop');
    expect(report.violations.find((v) => v.kind === 'Deployment')).toMatchObject({ name: 'web', pods: ['web-7d9f-a', 'web-7d9f-b', 'web-7d9f-c'] });
    const paths = api.requests.slice(before).map((r) => r.path);
    expect(paths).toContain('/api/v1/namespaces/shop/pods');
    expect(paths).toContain('/apis/apps/v1/namespaces/shop/replicasets');
    expect(paths).not.toContain('/api/v1/pods');
  });

  it('names the kubeconfig and its contexts for an unknown --context (exit 2)', async () => {
    const { code, stderr } = await capture(() => runAudit({ config: join(dir, 'config.yaml'), kubeconfig: join(dir, 'kubeconfig'), context: 'prod', output: 'table' }));
    expect(code).toBe(2);
    expect(stderr).toBe(`error: ${join(dir, 'kubeconfig')}: --context "prod": no such context (it has gone, fake)\n`);
  });
});
