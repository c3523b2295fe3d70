// `netguard audit`: judges the objects that already exist — from a live cluster (--kubeconfig,
// $KUBECONFIG, ~/.kube/config or in-cluster, as kubectl finds it) or a state directory (--state) —
// and prints the violations. Exit 0 clean, 1 violations, 2 error (bad config, unreadable state,
// cluster unreachable or forbidden).
import { runAuditOn } from '../audit/audit.js';
import type { ObjectFeed } from '../audit/feed.js';
import { countedFindings } from '../audit/coverage.js';
import { renderHtml } from '../audit/format-html.js';
import { renderJson } from '../audit/format-json.js';
import { renderOpenReports, renderPolicyReports } from '../audit/format-reports.js';
import { renderTable } from '../audit/format-table.js';
import { AUDIT_OUTPUTS, type AuditOutput } from '../audit/outputs.js';
import { progressLine } from '../audit/progress.js';
import { staticFeed } from '../audit/static-feed.js';
import { NAMESPACE_NAME } from '../check/request.js';
import { countedKinds } from '../cluster/coverage/counted.js';
import { loadConfigFile } from '../config/load.js';
import { errorText, NetguardError, usageError } from '../errors.js';


export interface AuditOptions {
  config: string;
  kubeconfig?: string;
  context?: string;
  state?: string;
  namespace?: string;
  output: AuditOutput;
}

const RENDERERS = {
  table: renderTable,
  text: renderTable,
  json: renderJson,
  policyreport: renderPolicyReports,
  openreports: renderOpenReports,
  html: renderHtml,
} as const;

export async function runAudit(options: AuditOptions): Promise<number> {
  const progress = progressLine();
  try {
    if (options.kubeconfig !== undefined && options.state !== undefined) throw usageError('use either --kubeconfig or --state, not both');
    if (options.context !== undefined && options.state !== undefined) throw usageError('--context selects a kubeconfig context; it does not go with --state');
    const render = RENDERERS[options.output];
    if (!render) throw usageError(`--output must be one of ${AUDIT_OUTPUTS.join(', ')}, not "${String(options.output)}"`);
    if (options.namespace !== undefined && !NAMESPACE_NAME.test(options.namespace)) {
      throw usageError(`--namespace "${options.namespace}" is not a valid namespace name (lowercase letters, digits and "-", at most 63 characters)`);
    }
    const config = loadConfigFile(options.config);
    const feed: ObjectFeed =
      options.state !== undefined
        ? staticFeed(options.state, (note) => process.stderr.write(`note: ${note}\n`))
        : (await import('../audit/live-feed.js')).liveFeed({ kubeconfig: options.kubeconfig, context: options.context }, { command: 'audit', policyKinds: countedKinds(config).kinds });
    const result = await runAuditOn(feed, config, progress, { namespace: options.namespace });
    progress.stop();
    process.stdout.write(render(result));
    return countedFindings(result).length > 0 ? 1 : 0;
  } catch (error) {
    progress.stop();
    if (error instanceof NetguardError) process.stderr.write(`error: ${error.message}\n`);
    else process.stderr.write(`error: audit failed: ${errorText(error)}\n`);
    return 2;
  }
}
