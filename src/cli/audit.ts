// `netguard audit`: judges the objects that already exist — from a live cluster (--kubeconfig, or
// in-cluster) or a state directory (--state) — and prints the violations. Exit 0 clean,
// 1 violations, 2 error (bad config, unreadable state, cluster unreachable or forbidden).
import { runAuditOn } from '../audit/audit.js';
import type { ObjectFeed } from '../audit/feed.js';
import { countedFindings } from '../audit/coverage.js';
import { renderJson } from '../audit/format-json.js';
import { renderPolicyReports } from '../audit/format-policyreport.js';
import { renderTable } from '../audit/format-table.js';
import { progressLine } from '../audit/progress.js';
import { staticFeed } from '../audit/static-feed.js';
import { loadConfigFile } from '../config/load.js';
import { errorText, NetguardError, usageError } from '../errors.js';

export interface AuditOptions {
  config: string;
  kubeconfig?: string;
  state?: string;
  output: 'table' | 'json' | 'policyreport';
}

const RENDERERS = { table: renderTable, json: renderJson, policyreport: renderPolicyReports } as const;

export async function runAudit(options: AuditOptions): Promise<number> {
  const progress = progressLine();
  try {
    if (options.kubeconfig !== undefined && options.state !== undefined) throw usageError('use either --kubeconfig or --state, not both');
    const render = RENDERERS[options.output];
    if (!render) throw usageError(`--output must be table, json or policyreport, not "${String(options.output)}"`);
    const config = loadConfigFile(options.config);
    const feed: ObjectFeed =
      options.state !== undefined ? staticFeed(options.state) : (await import('../audit/live-feed.js')).liveFeed(options.kubeconfig);
    const result = await runAuditOn(feed, config, progress);
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
