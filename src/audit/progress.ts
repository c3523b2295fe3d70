// A progress line on stderr for long audits: only when stderr is a terminal (never in pipes, CI
// logs or files) and only once the audit has run for 2 s, so quick audits print nothing extra.
import type { AuditProgress } from './audit.js';
import type { AuditKind } from './types.js';

const SHOW_AFTER_MS = 2_000;
const REFRESH_MS = 200;

export interface ProgressLine extends AuditProgress {
  stop(): void;
}

const KIND_PLURAL: Record<AuditKind, string> = {
  Namespace: 'namespaces',
  Role: 'roles',
  ClusterRole: 'cluster roles',
  NetworkPolicy: 'network policies',
  RoleBinding: 'role bindings',
  ClusterRoleBinding: 'cluster role bindings',
  ReplicaSet: 'replica sets',
  Job: 'jobs',
  Pod: 'pods',
};

export function progressLine(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressLine {
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined };
  const started = now();
  let state: { kind: AuditKind; objects: number; findings: number } | undefined;
  let shown = false;
  const draw = () => {
    if (!state || now() - started < SHOW_AFTER_MS) return;
    shown = true;
    const seconds = Math.round((now() - started) / 1000);
    stream.write(`\r\x1b[Knetguard audit: reading ${KIND_PLURAL[state.kind]}… ${state.objects} objects, ${state.findings} violations (${seconds}s)`);
  };
  const timer = setInterval(draw, REFRESH_MS);
  timer.unref();
  return {
    update(next) {
      state = next;
    },
    stop() {
      clearInterval(timer);
      if (shown) stream.write('\r\x1b[K');
    },
  };
}
