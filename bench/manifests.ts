// Manifest reading at scale (`npx tsx bench/manifests.ts`, also part of `npm run bench`):
//  1. `netguard check` of a 2,000-namespace GitOps tree (~24 MB, ~32,000 ordinary documents in
//     2,000 directories) against the bare parse of the same files by the fastest parser (js-yaml
//     loadAll, file by file), both as fresh processes, alternating, median of BENCH_REPS rounds;
//  2. `netguard check` of one ~24 MB file of 60,000 objects: time and peak RSS;
//  3. `netguard serve --state` with 10,000 namespaces: spawn → /readyz 200, and RSS when ready.
// Trees are generated at run time in a temporary directory (never committed) and removed after.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchState } from './cluster-state.js';
import { NETGUARD_MAIN, prepareFixture, ROOT, rssOf, startNetguard, stateDir, type Fixture } from './servers.js';
import { fmt, median, table } from './stats.js';

const REPS = Number(process.env['BENCH_REPS'] ?? 3);
export const MANIFEST_TARGETS = { treeRatio: 1.5, bigFileSeconds: 3, bigFileMb: 400, stateReadySeconds: 3, stateRssMb: 250 };

const mb = (bytes: number) => bytes / 1024 / 1024;

// ---- generated manifests -------------------------------------------------------------------------

const team = (i: number) => `team-${String(i).padStart(4, '0')}`;

/** Settings an application keeps in its ConfigMap: what makes ordinary repositories ~750 bytes a document. */
const CONFIG_EXTRA = Array.from({ length: 60 }, (_, k) => `  setting-${k}: "value-${k}-${'x'.repeat(k % 40)}"\n`).join('');

/** One namespace of an ordinary GitOps repository: 16 documents, about 12 KB. */
function namespaceDocuments(i: number): string[] {
  const ns = team(i);
  const labels = `app.kubernetes.io/part-of: ${ns}\n    app.kubernetes.io/managed-by: argocd\n    cost-center: cc-${i % 97}`;
  const container = (name: string, port: number) => `      - name: ${name}
        image: registry.example.com/${ns}/${name}:1.${i % 40}.${i % 7}
        imagePullPolicy: IfNotPresent
        ports:
          - name: http
            containerPort: ${port}
            protocol: TCP
        env:
          - name: LOG_LEVEL
            value: info
          - name: DATABASE_URL
            valueFrom:
              secretKeyRef: {name: ${name}-db, key: url}
          - name: FEATURE_FLAGS
            value: "checkout,recommendations,search-v2"
        resources:
          requests: {cpu: 100m, memory: 128Mi}
          limits: {cpu: "1", memory: 512Mi}
        readinessProbe:
          httpGet: {path: /healthz, port: http}
          periodSeconds: 10
        livenessProbe:
          httpGet: {path: /livez, port: http}
          initialDelaySeconds: 15
        securityContext:
          runAsNonRoot: true
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities: {drop: [ALL]}
`;
  const deployment = (name: string, port: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app: ${name}
    ${labels}
  annotations:
    argocd.argoproj.io/sync-wave: "2"
spec:
  replicas: ${2 + (i % 3)}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels:
        app: ${name}
        ${labels.replace(/\n {4}/g, '\n        ')}
    spec:
      serviceAccountName: ${name}
      automountServiceAccountToken: false
      containers:
${container(name, port)}${container(`${name}-sidecar`, port + 1)}`;
  const service = (name: string, port: number) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app: ${name}
    ${labels}
spec:
  selector: {app: ${name}}
  ports:
    - {name: http, port: 80, targetPort: ${port}, protocol: TCP}
`;
  return [
    `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ${ns}\n  labels:\n    netguard.io/mode: enforce\n    ${labels}\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Ingress, Egress]\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-frontend\n  namespace: ${ns}\nspec:\n  podSelector:\n    matchLabels: {app: api}\n  ingress:\n    - from:\n        - podSelector:\n            matchLabels: {app: web}\n      ports:\n        - {port: 8080, protocol: TCP}\n`,
    `apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: ${ns}\nspec:\n  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels: {kubernetes.io/metadata.name: kube-system}\n          podSelector:\n            matchLabels: {k8s-app: kube-dns}\n      ports:\n        - {port: 53, protocol: UDP}\n        - {port: 53, protocol: TCP}\n`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: web\n  namespace: ${ns}\nautomountServiceAccountToken: false\n`,
    `apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\n  namespace: ${ns}\nautomountServiceAccountToken: false\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: app-reader\n  namespace: ${ns}\nrules:\n  - apiGroups: [""]\n    resources: [configmaps, services]\n    verbs: [get, list, watch]\n`,
    `apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app-reader\n  namespace: ${ns}\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: app-reader\nsubjects:\n  - kind: ServiceAccount\n    name: api\n    namespace: ${ns}\n`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-config\n  namespace: ${ns}\ndata:\n  application.yaml: |\n    server:\n      port: 8080\n      shutdown: graceful\n    cache:\n      ttl: 300s\n      size: 10000\n    upstream:\n      payments: https://payments.${ns}.svc.cluster.local\n      search: https://search.${ns}.svc.cluster.local\n  log-format: json\n${CONFIG_EXTRA}`,
    deployment('web', 8080),
    deployment('api', 9090),
    service('web', 8080),
    service('api', 9090),
    `apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: api\n  namespace: ${ns}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n  minReplicas: 2\n  maxReplicas: 10\n  metrics:\n    - type: Resource\n      resource:\n        name: cpu\n        target: {type: Utilization, averageUtilization: 70}\n`,
    `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: api\n  namespace: ${ns}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels: {app: api}\n`,
    `apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  namespace: ${ns}\n  annotations:\n    cert-manager.io/cluster-issuer: letsencrypt\nspec:\n  ingressClassName: nginx\n  rules:\n    - host: ${ns}.example.com\n      http:\n        paths:\n          - path: /\n            pathType: Prefix\n            backend:\n              service: {name: web, port: {number: 80}}\n`,
  ];
}

/** The GitOps tree: one directory per namespace, a file per concern. Returns bytes and documents. */
export function writeGitOpsTree(dir: string, namespaces: number): { bytes: number; documents: number } {
  let bytes = 0;
  let documents = 0;
  const files = ['namespace', 'networkpolicies', 'networkpolicies', 'networkpolicies', 'rbac', 'rbac', 'rbac', 'rbac', 'config', 'web', 'api', 'web', 'api', 'api', 'api', 'web'];
  for (let i = 0; i < namespaces; i++) {
    const nsDir = join(dir, 'clusters/prod/apps', team(i));
    mkdirSync(nsDir, { recursive: true });
    const byFile = new Map<string, string[]>();
    namespaceDocuments(i).forEach((doc, k) => byFile.set(files[k]!, [...(byFile.get(files[k]!) ?? []), doc]));
    for (const [file, docs] of byFile) {
      const text = `# ${file} of ${team(i)}\n${docs.join('---\n')}`;
      writeFileSync(join(nsDir, `${file}.yaml`), text);
      bytes += text.length;
      documents += docs.length;
    }
  }
  return { bytes, documents };
}

/** One file of `objects` smaller objects (a `kubectl get -o yaml` dump of a big cluster). */
export function writeBigFile(file: string, objects: number): number {
  const out: string[] = [];
  for (let i = 0; out.length < objects; i++) {
    for (const doc of namespaceDocuments(i)) {
      // a dump's objects average ~400 bytes: leave out the ConfigMap and one of the two Deployments
      if (doc.length > 2600 || doc.startsWith('apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api')) continue;
      out.push(doc);
      if (out.length === objects) break;
    }
  }
  const text = out.join('---\n');
  writeFileSync(file, text);
  return text.length;
}

// ---- measuring -------------------------------------------------------------------------------------

/** Prints the process' peak RSS (kB) on exit, so a short-lived CLI run can be measured. */
function peakRssHook(dir: string): string {
  const file = join(dir, 'peak-rss.cjs');
  writeFileSync(file, "process.on('exit', () => process.stderr.write(`\\npeak-rss-kb ${process.resourceUsage().maxRSS}\\n`));\n");
  return file;
}

interface Run {
  ms: number;
  peakMb: number;
  code: number | null;
}

function timed(args: string[], hook: string): Run {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, ['--require', hook, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const peak = /peak-rss-kb (\d+)/.exec(result.stderr ?? '');
  if (result.status !== 0 && result.status !== 1) throw new Error(`${args.join(' ')} failed (${result.status}): ${result.stderr.slice(0, 2000)}`);
  return { ms, peakMb: peak ? Number(peak[1]) / 1024 : NaN, code: result.status };
}

/** The bare parse: read every .yaml file below the directories and js-yaml loadAll it, nothing else. */
const BARE_PARSE = `
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from ${JSON.stringify(pathToFileURL(join(ROOT, 'node_modules/js-yaml/dist/js-yaml.mjs')).href)};
let documents = 0;
const walk = (dir) => { for (const e of readdirSync(dir, { withFileTypes: true })) { const p = join(dir, e.name); if (e.isDirectory()) walk(p); else if (p.endsWith('.yaml')) documents += loadAll(readFileSync(p, 'utf8')).length; } };
walk(process.argv[1]);
process.stdout.write(documents + '\\n');
`;

export interface ManifestBench {
  tree: { namespaces: number; mb: number; documents: number; checkMs: number; bareMs: number; ratio: number; checkPeakMb: number };
  bigFile: { objects: number; mb: number; ms: number; peakMb: number };
  state: { namespaces: number; readyMs: number; rssMb: number };
}

export async function runManifestBench(fixture: Fixture, log: (text: string) => void = console.log): Promise<ManifestBench> {
  const dir = mkdtempSync(join(tmpdir(), 'netguard-bench-manifests-'));
  try {
    const hook = peakRssHook(dir);
    const config = join(dir, 'config.yaml');
    writeFileSync(config, 'defaultMode: enforce\n');

    const treeDir = join(dir, 'tree');
    const tree = writeGitOpsTree(treeDir, 2000);
    log(`  GitOps tree: 2,000 namespaces, ${fmt(mb(tree.bytes))} MB, ${tree.documents} documents`);
    const check = [NETGUARD_MAIN, 'check', '--config', config, treeDir];
    const bare = ['--input-type=module', '-e', BARE_PARSE, treeDir];
    timed(bare, hook); // warm the page cache for both
    const checks: Run[] = [];
    const bares: Run[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      for (const which of rep % 2 === 0 ? ['bare', 'check'] : ['check', 'bare']) {
        const run = which === 'check' ? timed(check, hook) : timed(bare, hook);
        (which === 'check' ? checks : bares).push(run);
        log(`  tree ${which.padEnd(5)} ${fmt(run.ms, 0)} ms, peak ${fmt(run.peakMb, 0)} MB`);
      }
    }
    const checkMs = median(checks.map((r) => r.ms));
    const bareMs = median(bares.map((r) => r.ms));

    const bigFile = join(dir, 'cluster-dump.yaml');
    const bigBytes = writeBigFile(bigFile, 60_000);
    log(`  one file: 60,000 objects, ${fmt(mb(bigBytes))} MB`);
    const bigRuns: Run[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const run = timed([NETGUARD_MAIN, 'check', '--config', config, bigFile], hook);
      bigRuns.push(run);
      log(`  one file check ${fmt(run.ms, 0)} ms, peak ${fmt(run.peakMb, 0)} MB`);
    }

    const size = { ...benchState(10_000), realistic: false };
    const state = stateDir(fixture, size);
    const ready: number[] = [];
    const rss: number[] = [];
    for (let rep = 0; rep < REPS; rep++) {
      const server = await startNetguard(fixture, { state, logFile: '/dev/null' });
      ready.push(server.readyMs);
      rss.push(rssOf(server.pid));
      await server.stop();
      log(`  serve --state 10,000 namespaces: ready ${fmt(ready.at(-1)!, 0)} ms, RSS ${fmt(mb(rss.at(-1)!), 0)} MB`);
    }

    return {
      tree: {
        namespaces: 2000,
        mb: mb(tree.bytes),
        documents: tree.documents,
        checkMs,
        bareMs,
        ratio: checkMs / bareMs,
        checkPeakMb: median(checks.map((r) => r.peakMb)),
      },
      bigFile: { objects: 60_000, mb: mb(bigBytes), ms: median(bigRuns.map((r) => r.ms)), peakMb: median(bigRuns.map((r) => r.peakMb)) },
      state: { namespaces: 10_000, readyMs: median(ready), rssMb: mb(median(rss)) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const met = (ok: boolean) => (ok ? 'met' : 'NOT met');

export function manifestTable(result: ManifestBench): string {
  const t = MANIFEST_TARGETS;
  return table(
    ['measure', 'figure', 'target', ''],
    [
      [
        `check, GitOps tree (${result.tree.namespaces} namespaces, ${fmt(result.tree.mb)} MB, ${result.tree.documents} documents)`,
        `${fmt(result.tree.checkMs, 0)} ms vs bare js-yaml parse ${fmt(result.tree.bareMs, 0)} ms = ${fmt(result.tree.ratio, 2)} ×, peak ${fmt(result.tree.checkPeakMb, 0)} MB`,
        `≤ ${t.treeRatio} ×`,
        met(result.tree.ratio <= t.treeRatio),
      ],
      [
        `check, one file of ${result.bigFile.objects} objects (${fmt(result.bigFile.mb)} MB)`,
        `${fmt(result.bigFile.ms / 1000, 2)} s, peak ${fmt(result.bigFile.peakMb, 0)} MB`,
        `≤ ${t.bigFileSeconds} s, ≤ ${t.bigFileMb} MB`,
        met(result.bigFile.ms / 1000 <= t.bigFileSeconds && result.bigFile.peakMb <= t.bigFileMb),
      ],
      [
        `serve --state, ${result.state.namespaces} namespaces`,
        `ready ${fmt(result.state.readyMs / 1000, 2)} s, RSS ${fmt(result.state.rssMb, 0)} MB`,
        `≤ ${t.stateReadySeconds} s, ≤ ${t.stateRssMb} MB`,
        met(result.state.readyMs / 1000 <= t.stateReadySeconds && result.state.rssMb <= t.stateRssMb),
      ],
    ],
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const fixtureDir = mkdtempSync(join(tmpdir(), 'netguard-bench-fixture-'));
  try {
    const result = await runManifestBench(await prepareFixture(fixtureDir));
    console.log(`\n${manifestTable(result)}`);
  } finally {
    rmSync(fixtureDir, { recursive: true, force: true });
  }
}
