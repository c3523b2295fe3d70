// `--output html`: one self-contained page a person reads — per namespace its mode and default-deny
// coverage, the findings grouped by namespace and workload, what enforcing the unlabelled
// namespaces would refuse, and who holds network-policy write. No script, no font, no request:
// it reads the same offline. Every value from the cluster is escaped.
import type { Writer } from '../rbac/writers.js';
import { countedFindings, coverageLines, exceptedPhrase } from './coverage.js';
import { optInSentence } from './format-table.js';
import type { AuditFinding, AuditResult, NamespaceReport } from './types.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const esc = (text: string): string => text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const STYLE = `
:root { color-scheme: light; --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --ok: #0f7b3f; --ok-bg: #e3f9e5; --bad: #b42318;
  --bad-bg: #fde8e7; --warn: #8a5a00; --warn-bg: #fff4d6; --off: #52606d; --off-bg: #eef2f6; --accent: #2457c5; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #f7f9fb; }
header { background: #102a43; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #bcccdc; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 32px 48px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 0 0 20px; }
h2 { font-size: 18px; margin: 0 0 12px; }
h3 { font-size: 15px; margin: 16px 0 8px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-bottom: 20px; }
.card { flex: 1 1 160px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card b { display: block; font-size: 26px; }
.card span { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 13px; color: var(--muted); font-weight: 600; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 999px; font-size: 13px; font-weight: 600; white-space: nowrap; }
.ok { color: var(--ok); background: var(--ok-bg); } .bad { color: var(--bad); background: var(--bad-bg); }
.warn { color: var(--warn); background: var(--warn-bg); } .off { color: var(--off); background: var(--off-bg); }
.object { border-left: 4px solid var(--bad); padding: 6px 12px; margin: 8px 0; background: #fffafa; }
.object.preview { border-left-color: #d69e2e; background: #fffdf5; }
.object h4 { margin: 0 0 4px; font-size: 15px; }
.rule { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; color: var(--accent); }
.pods { color: var(--muted); font-size: 13px; }
.muted { color: var(--muted); }
ul.plain { margin: 0; padding-left: 18px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 13px; }
`;

const MODE_CLASS: Record<string, string> = { enforce: 'ok', warn: 'warn', audit: 'warn', disabled: 'off' };

function coverageBadge(ns: NamespaceReport): string {
  if (ns.status === 'exempt') return '<span class="badge off">exempt</span>';
  const missing = ns.coverage.filter((c) => c.policies.length === 0).map((c) => c.direction);
  if (missing.length === 0) return '<span class="badge ok">default-deny: covered</span>';
  return `<span class="badge bad">default-deny: missing ${esc(missing.join(' and '))}</span>`;
}

function directionCell(ns: NamespaceReport, direction: string): string {
  const entry = ns.coverage.find((c) => c.direction === direction);
  if (!entry) return '<span class="muted">not required</span>';
  return entry.policies.length > 0 ? `✓ ${entry.policies.map((p) => `<code>${esc(p)}</code>`).join(', ')}` : '<span class="muted">none</span>';
}

function namespacesSection(result: AuditResult): string {
  const counts = new Map<string, number>();
  for (const f of countedFindings(result)) {
    const ns = f.namespace ?? (f.kind === 'Namespace' ? f.name : undefined);
    if (ns !== undefined) counts.set(ns, (counts.get(ns) ?? 0) + 1);
  }
  const rows = result.namespaces.map(
    (ns) =>
      `<tr><td><b>${esc(ns.name)}</b></td><td><span class="badge ${MODE_CLASS[ns.mode] ?? 'off'}">${esc(ns.mode)}</span>` +
      `${ns.status === 'unlabelled' ? ' <span class="muted">(unlabelled)</span>' : ''}</td><td>${coverageBadge(ns)}</td>` +
      `<td>${directionCell(ns, 'Ingress')}</td><td>${directionCell(ns, 'Egress')}</td><td>${counts.get(ns.name) ?? 0}</td></tr>`,
  );
  return (
    `<section id="namespaces"><h2>Namespaces</h2><table><thead><tr><th>Namespace</th><th>Mode</th><th>Default-deny</th>` +
    `<th>Ingress denied by</th><th>Egress denied by</th><th>Violations</th></tr></thead><tbody>${rows.join('') || '<tr><td colspan="6" class="muted">No namespaces.</td></tr>'}</tbody></table></section>`
  );
}

/** Findings grouped by namespace, then by object (a workload with its pods). */
function objectCards(findings: readonly AuditFinding[], preview: boolean): string {
  const byNamespace = new Map<string, Map<string, AuditFinding[]>>();
  for (const f of findings) {
    // a Namespace's own finding (no default-deny) belongs with the rest of that namespace
    const ns = f.namespace ?? (f.kind === 'Namespace' ? f.name : ''); // '' is no namespace's name
    const objects = byNamespace.get(ns) ?? new Map<string, AuditFinding[]>();
    byNamespace.set(ns, objects);
    const key = `${f.kind}/${f.name}`;
    objects.set(key, [...(objects.get(key) ?? []), f]);
  }
  return [...byNamespace]
    .map(([ns, objects]) => {
      const cards = [...objects.values()].map((list) => {
        const first = list[0]!;
        const pods = [...new Set(list.flatMap((f) => f.pods ?? []))];
        const items = list.map((f) => {
          const excepted = exceptedPhrase(f);
          const badge = excepted ? ` <span class="badge warn" title="${esc(f.exception?.reason ?? '')}">${esc(excepted)}</span>` : '';
          return `<li><span class="rule">${esc(f.rule)}</span>${badge} ${esc(f.message)}${preview ? '' : ` <span class="muted">(${esc(f.mode)})</span>`}</li>`;
        });
        return (
          `<div class="object${preview ? ' preview' : ''}"><h4>${esc(first.kind)} ${esc(first.name)}</h4><ul class="plain">${items.join('')}</ul>` +
          `${pods.length > 0 ? `<div class="pods">${pods.length === 1 ? 'Pod' : `${pods.length} pods`}: ${pods.map(esc).join(', ')}</div>` : ''}</div>`
        );
      });
      return `<h3>${esc(ns === '' ? 'Cluster-scoped' : `Namespace ${ns}`)}</h3>${cards.join('')}`;
    })
    .join('');
}

/** Every subject holding network-policy write, by any path (the rows of `netguard writers`). */
function writersSection(result: AuditResult): string {
  const subject = (w: Writer) => `${w.subject.kind} ${w.subject.namespace ? `${w.subject.namespace}/` : ''}${w.subject.name}`;
  const rows = [...result.writers]
    .sort((a, b) => Number(a.provisioned) - Number(b.provisioned))
    .map(
      (w) =>
        `<tr><td><b>${esc(subject(w))}</b></td><td>${esc(w.namespace ?? 'cluster-wide')}</td><td>${esc(w.path)}</td>` +
        `<td>${esc(w.binding)} → ${esc(w.role)} → ${esc(w.rule)}</td>` +
        `<td>${w.provisioned ? '<span class="badge ok">provisioned</span>' : '<span class="badge bad">not provisioned</span>'}</td></tr>`,
    );
  return (
    `<section id="writers"><h2>Who holds the pen</h2><p class="muted">Every subject that holds network-policy write, by any path, and whether it is provisioned.</p>` +
    (rows.length > 0
      ? `<table><thead><tr><th>Subject</th><th>Reaches</th><th>Path</th><th>Through</th><th></th></tr></thead><tbody>${rows.join('')}</tbody></table>`
      : '<p><span class="badge ok">nobody holds network-policy write through a binding</span></p>') +
    '</section>'
  );
}

function card(value: number, label: string): string {
  return `<div class="card"><b>${value}</b><span>${esc(label)}</span></div>`;
}

export function renderHtml(result: AuditResult): string {
  const unlabelled = result.namespaces.filter((n) => n.status === 'unlabelled').length;
  const uncovered = result.namespaces.filter((n) => n.status === 'governed' && n.coverage.some((c) => c.policies.length === 0)).length;
  const scope = result.namespace !== undefined ? ` · namespace ${result.namespace}` : '';
  const findings =
    result.findings.length > 0
      ? objectCards(result.findings, false)
      : '<p><span class="badge ok">No violations found</span></p>';
  const optIn =
    result.optIn.length > 0
      ? `<section id="opt-in"><h2>Stage 0: unlabelled namespaces</h2><p>${esc(optInSentence(result))}</p>${objectCards(result.optIn, true)}</section>`
      : '';
  const notes = [...coverageLines(result), ...result.notes].map((line) => `<li>${esc(line)}</li>`).join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>netguard audit — ${esc(result.source)}</title><style>${STYLE}</style></head>
<body><header><h1>netguard audit</h1><p>${esc(result.source)}${esc(scope)} · ${esc(result.time.toISOString())}</p></header>
<main><div class="cards">${card(countedFindings(result).length, 'violations')}${card(result.governedNamespaces.length, 'governed namespaces')}${card(uncovered, 'governed without default-deny')}${card(unlabelled, 'unlabelled namespaces')}</div>
${namespacesSection(result)}
<section id="findings"><h2>Violations</h2>${findings}</section>
${optIn}
${writersSection(result)}
<section id="coverage"><h2>What this audit covered</h2><ul class="plain">${notes}</ul></section>
</main></body></html>
`;
}
