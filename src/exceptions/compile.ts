// `exceptions:` entries compiled once per config load: globs, kind keys, requester set, and the
// instant from which each is void. What the JSON Schema cannot say (a real calendar date, a kind
// netguard knows, unique names) is checked here and reported with the key path.
import { compileGlobs } from '../util/glob.js';
import { NETWORKING, POD_SPEC_PATHS, RBAC } from '../rules/kinds.js';
import type { Exception, ExceptionSpec } from '../config/types.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Kubernetes' own kinds netguard judges, by kind: `kinds: [Deployment]` means apps/Deployment. */
const BUILT_IN_GROUPS: ReadonlyMap<string, string> = new Map<string, string>([
  ...Object.entries(POD_SPEC_PATHS).map(([kind, { group }]) => [kind, group] as [string, string]),
  ['NetworkPolicy', NETWORKING],
  ['Role', RBAC],
  ['ClusterRole', RBAC],
  ['RoleBinding', RBAC],
  ['ClusterRoleBinding', RBAC],
  ['Namespace', ''],
]);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function realDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/**
 * Epoch ms from which an exception written with this `expires` is void, or undefined when the text
 * is not an RFC 3339 date or date-time. A date covers that whole day in UTC (void from the next
 * midnight UTC); a date-time is void from that instant on.
 */
export function expiryInstant(text: string): number | undefined {
  const date = DATE.exec(text);
  if (date) {
    const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
    return realDate(year, month, day) ? Date.UTC(year, month - 1, day) + DAY_MS : undefined;
  }
  const time = DATE_TIME.exec(text);
  if (!time) return undefined;
  const [year, month, day, hour, minute, second] = time.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offset = time[8]!;
  if (!realDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return undefined;
  if (offset.length > 1 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4, 6)) > 59)) return undefined;
  const instant = Date.parse(text.toUpperCase());
  return Number.isNaN(instant) ? undefined : instant;
}

/** `Kind` → `group/Kind` of a built-in kind; `group/Kind` as given; undefined for an unknown bare kind. */
function kindKey(entry: string): string | undefined {
  if (entry.includes('/')) return entry;
  const group = BUILT_IN_GROUPS.get(entry);
  return group === undefined ? undefined : `${group}/${entry}`;
}

export interface CompiledExceptions {
  exceptions: Exception[];
  /** `key.path: what is wrong`, empty when all is well */
  problems: string[];
}

export function compileExceptions(specs: readonly ExceptionSpec[]): CompiledExceptions {
  const problems: string[] = [];
  const firstByName = new Map<string, number>();
  const exceptions = specs.map((spec, i): Exception => {
    const at = `exceptions[${i}]`;
    const earlier = firstByName.get(spec.name);
    if (earlier !== undefined) problems.push(`${at}.name: "${spec.name}" is already the name of exceptions[${earlier}]; names must be unique`);
    else firstByName.set(spec.name, i);

    const expiresAt = expiryInstant(spec.expires);
    if (expiresAt === undefined) {
      problems.push(`${at}.expires: "${spec.expires}" is not an RFC 3339 date or date-time (e.g. "2027-03-31" or "2027-03-31T18:00:00Z")`);
    }
    // an optional list left out or empty places no restriction (SPEC: `requesters: []` is anyone)
    const kindSet = spec.kinds?.length ? new Set<string>() : undefined;
    spec.kinds?.forEach((entry, k) => {
      const key = kindKey(entry);
      if (key) kindSet!.add(key);
      else problems.push(`${at}.kinds[${k}]: "${entry}" is not a Kubernetes kind netguard judges; name other kinds with their API group, e.g. "cilium.io/CiliumNetworkPolicy"`);
    });
    return {
      ...spec,
      ruleSet: new Set(spec.rules),
      namespaceGlobs: compileGlobs(spec.namespaces),
      clusterWide: spec.namespaces.includes('*'),
      kindSet,
      nameGlobs: spec.names?.length ? compileGlobs(spec.names) : undefined,
      requesterSet: spec.requesters?.length ? new Set(spec.requesters) : undefined,
      expiresAt: expiresAt ?? 0,
    };
  });
  return { exceptions, problems };
}
