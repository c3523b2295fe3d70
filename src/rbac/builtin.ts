// What Kubernetes ships (plugin/pkg/auth/authorizer/rbac/bootstrappolicy), known even when the
// cluster state at hand does not hold these ClusterRoles (offline check, a trimmed --state).
import { compileSelector, type CompiledSelector, type Labels } from '../cluster/selectors.js';

/**
 * ClusterRoles that grant network-policy write (SPEC). `admin` and `edit` aggregate
 * `system:aggregate-to-edit`, which holds networkpolicies write (and pods/exec, secrets);
 * SPEC counts `system:aggregate-to-admin` too.
 */
export const BUILTIN_WRITERS: ReadonlySet<string> = new Set(['admin', 'edit', 'cluster-admin', 'system:aggregate-to-admin', 'system:aggregate-to-edit']);

const AGGREGATE_TO = (role: string) => `rbac.authorization.k8s.io/aggregate-to-${role}`;

/** The aggregated built-ins and the labels they collect. */
export const BUILTIN_AGGREGATION: ReadonlyMap<string, readonly CompiledSelector[]> = new Map(
  ['admin', 'edit', 'view'].map((role) => [role, [compileSelector({ matchLabels: { [AGGREGATE_TO(role)]: 'true' } })]]),
);

/** Labels of the built-ins that are themselves aggregated onwards (view → edit → admin). */
export const BUILTIN_LABELS: ReadonlyMap<string, Labels> = new Map([
  ['view', { [AGGREGATE_TO('edit')]: 'true' }],
  ['edit', { [AGGREGATE_TO('admin')]: 'true' }],
  ['system:aggregate-to-view', { [AGGREGATE_TO('view')]: 'true' }],
  ['system:aggregate-to-edit', { [AGGREGATE_TO('edit')]: 'true' }],
  ['system:aggregate-to-admin', { [AGGREGATE_TO('admin')]: 'true' }],
]);
