// `--output html`: one self-contained page (inline CSS and script, no network) with the matrix per
// port, endpoints grouped by namespace, and for any cell, on click, why: both sides' verdicts and
// the policies that isolate and allow them. The page renders the same connection records as
// `--output json`; every name from the manifests reaches the page as data (textContent), never as
// markup.
import type { Reachability } from './engine.js';
import { portText, type Table } from './query.js';
import { connectionRecords, endpointIds } from './report.js';

interface Payload {
  endpoints: string[];
  tables: { port: string; from: number[]; to: number[]; cells: string; why: number[] }[];
  /** [egressIsolated, egressAllowedBy, ingressIsolated, ingressAllowedBy] */
  reasons: [boolean, string[], boolean, string[]][];
  selectedBy: Record<string, { ingress: string[]; egress: string[] }>;
  notModelled: string[];
}

function payloadOf(engine: Reachability, tables: readonly Table[], notModelled: readonly string[]): Payload {
  const endpoints = endpointIds(tables);
  const index = new Map(endpoints.map((id, i) => [id, i]));
  const reasonIndex = new Map<string, number>();
  const reasons: Payload['reasons'] = [];
  const payloadTables = tables.map((table) => {
    let cells = '';
    const why: number[] = [];
    for (const record of connectionRecords(engine, [table])) {
      cells += record.allowed ? 'X' : '.';
      const reason: Payload['reasons'][number] = [record.egress.isolated, record.egress.allowedBy, record.ingress.isolated, record.ingress.allowedBy];
      const key = JSON.stringify(reason);
      let r = reasonIndex.get(key);
      if (r === undefined) {
        r = reasons.length;
        reasons.push(reason);
        reasonIndex.set(key, r);
      }
      why.push(r);
    }
    return { port: portText(table.query), from: table.from.map((e) => index.get(e.id)!), to: table.to.map((e) => index.get(e.id)!), cells, why };
  });
  const selectedBy: Payload['selectedBy'] = {};
  for (const endpoint of engine.endpoints) {
    if (index.has(endpoint.id)) selectedBy[endpoint.id] = { ingress: engine.selectedBy(endpoint, 'ingress'), egress: engine.selectedBy(endpoint, 'egress') };
  }
  return { endpoints, tables: payloadTables, reasons, selectedBy, notModelled: [...notModelled] };
}

/** JSON inside a <script> element: `<` escaped so no `</script>` or `<!--` in the data can end it. */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, '\\u003c');

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{padding:14px 20px;background:#1d2430;color:#fff}header h1{margin:0;font-size:18px}
header p{margin:4px 0 0;color:#c8d0dc}
main{display:flex;gap:16px;padding:16px 20px;align-items:flex-start}
#matrix{overflow:auto;max-width:calc(100vw - 420px);background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:8px}
nav{margin:0 0 8px}nav button{font:inherit;margin:0 6px 6px 0;padding:4px 10px;border:1px solid #9aa5b4;border-radius:4px;background:#fff;cursor:pointer}
nav button[aria-pressed=true]{background:#1d2430;color:#fff;border-color:#1d2430}
table{border-collapse:collapse}th,td{border:1px solid #e3e6ea;padding:0}
th{background:#f0f2f5;font-weight:600;white-space:nowrap;padding:2px 6px;font-size:12px;text-align:left}
th.ns{background:#dfe5ee;font-size:12px}th.col{writing-mode:vertical-rl;transform:rotate(180deg);padding:6px 2px}
td{width:26px;height:22px;text-align:center;cursor:pointer;font-weight:700}
td.allow{background:#d3f1da;color:#176b2c}td.deny{background:#fbe0e0;color:#9b1c1c}
td.self{outline:1px dashed #7b8794;outline-offset:-3px}
td:hover,td.picked{box-shadow:inset 0 0 0 2px #1d2430}
aside{width:380px;flex:none;background:#fff;border:1px solid #d9dde3;border-radius:6px;padding:12px 14px;position:sticky;top:12px}
aside h2{font-size:15px;margin:0 0 8px}aside h3{font-size:13px;margin:12px 0 4px}aside ul{margin:4px 0;padding-left:18px}
.verdict-allow{color:#176b2c}.verdict-deny{color:#9b1c1c}.muted{color:#6b7685}
`;

const SCRIPT = `
const data = JSON.parse(document.getElementById('reach-data').textContent);
const el = (tag, attrs, ...children) => { const n = document.createElement(tag); for (const [k, v] of Object.entries(attrs || {})) n.setAttribute(k, v); for (const c of children) n.append(c); return n; };
const nsOf = (id) => id.includes('/') ? id.slice(0, id.indexOf('/')) : '(external)';
const shortOf = (id) => id.includes('/') ? id.slice(id.indexOf('/') + 1) : id;
const groups = (ids) => { const out = []; for (const i of ids) { const ns = nsOf(data.endpoints[i]); const last = out[out.length - 1]; if (last && last.ns === ns) last.ids.push(i); else out.push({ ns, ids: [i] }); } return out; };
const why = document.getElementById('why');
function side(direction, id, isolated, allowedBy) {
  const box = el('div', { class: 'side' });
  box.append(el('h3', {}, (direction === 'egress' ? 'Egress from ' : 'Ingress to ') + id));
  const selected = (data.selectedBy[id] || { ingress: [], egress: [] })[direction];
  if (!isolated) { box.append(el('p', {}, 'Allowed: no NetworkPolicy selects it for ' + direction + ', so it is not isolated.')); return box; }
  box.append(el('p', { class: allowedBy.length ? 'verdict-allow' : 'verdict-deny' }, allowedBy.length ? 'Allowed by:' : 'Denied: no rule of the policies that select it matches.'));
  if (allowedBy.length) box.append(el('ul', {}, ...allowedBy.map((p) => el('li', {}, p))));
  box.append(el('p', { class: 'muted' }, 'Isolated by: ' + selected.join(', ')));
  return box;
}
function explain(table, r, c, td) {
  document.querySelectorAll('td.picked').forEach((n) => n.classList.remove('picked'));
  td.classList.add('picked');
  const from = data.endpoints[table.from[r]], to = data.endpoints[table.to[c]];
  const k = r * table.to.length + c;
  const [eIso, eBy, iIso, iBy] = data.reasons[table.why[k]];
  const allowed = table.cells[k] === 'X';
  why.replaceChildren(el('h2', {}, from + ' \\u2192 ' + to + ' on ' + table.port),
    el('p', { class: allowed ? 'verdict-allow' : 'verdict-deny' }, allowed ? 'Allowed' : 'Denied'),
    ...(from === to ? [el('p', {}, 'A pod reaching itself is always allowed.')] : []),
    side('egress', from, eIso, eBy), side('ingress', to, iIso, iBy));
}
function show(t) {
  const table = data.tables[t];
  document.querySelectorAll('nav button').forEach((b, i) => b.setAttribute('aria-pressed', String(i === t)));
  const cols = groups(table.to), rows = groups(table.from);
  const head1 = el('tr', {}, el('th', { colspan: '2', rowspan: '2' }, 'from \\\\ to'), ...cols.map((g) => el('th', { class: 'ns', colspan: String(g.ids.length) }, g.ns)));
  const head2 = el('tr', {}, ...table.to.map((i) => el('th', { class: 'col', title: data.endpoints[i] }, shortOf(data.endpoints[i]))));
  const body = [];
  let r = 0;
  for (const g of rows) g.ids.forEach((i, j) => {
    const row = r;
    const tr = el('tr');
    if (j === 0) tr.append(el('th', { class: 'ns', rowspan: String(g.ids.length) }, g.ns));
    tr.append(el('th', { title: data.endpoints[i] }, shortOf(data.endpoints[i])));
    table.to.forEach((d, c) => {
      const yes = table.cells[row * table.to.length + c] === 'X';
      const td = el('td', { class: (yes ? 'allow' : 'deny') + (i === d ? ' self' : ''), 'data-from': data.endpoints[i], 'data-to': data.endpoints[d], title: data.endpoints[i] + ' \\u2192 ' + data.endpoints[d] }, yes ? 'X' : '\\u00b7');
      td.addEventListener('click', () => explain(table, row, c, td));
      tr.append(td);
    });
    body.push(tr); r++;
  });
  document.getElementById('grid').replaceChildren(el('thead', {}, head1, head2), el('tbody', {}, ...body));
}
const nav = document.querySelector('nav');
data.tables.forEach((t, i) => { const b = el('button', { type: 'button' }, 'port ' + t.port); b.addEventListener('click', () => show(i)); nav.append(b); });
if (data.notModelled.length) document.getElementById('notes').append(el('p', {}, 'Not modelled (other network-policy APIs): ' + data.notModelled.join(', ')));
if (data.tables.length) show(0); else document.getElementById('grid').replaceChildren(el('caption', {}, 'No connections: the destinations declare no ports; pass --port.'));
`;

export function renderHtml(engine: Reachability, tables: readonly Table[], notModelled: readonly string[]): string {
  const payload = payloadOf(engine, tables, notModelled);
  const cells = payload.tables.reduce((n, t) => n + t.cells.length, 0);
  const allowed = payload.tables.reduce((n, t) => n + t.cells.split('X').length - 1, 0);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>netguard reach</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>${STYLE}</style></head>
<body><header><h1>netguard reach</h1><p>${payload.endpoints.length} endpoints, ${allowed} of ${cells} connections allowed. Rows are sources, columns destinations; click a cell for why.</p></header>
<main><section id="matrix"><nav></nav><div id="notes"></div><table id="grid"></table></section>
<aside id="why"><h2>Why</h2><p class="muted">Click a cell to see the policies that decide it on both sides.</p></aside></main>
<script type="application/json" id="reach-data">${scriptJson(payload)}</script>
<script>${SCRIPT}</script></body></html>
`;
}
