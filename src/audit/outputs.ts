// The names `audit --output` takes (`text` is `table`, as `check` calls its plain output).
export const AUDIT_OUTPUTS = ['table', 'text', 'json', 'policyreport', 'openreports', 'html'] as const;
export type AuditOutput = (typeof AUDIT_OUTPUTS)[number];
