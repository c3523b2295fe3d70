// The provisioned identities of a config (SPEC "Provisioned"), gathered once per config object:
// whom impersonation, a token or a pod's ServiceAccount would let someone act as.
import type { Config } from '../config/types.js';

export interface ProvisionedIdentities {
  users: ReadonlySet<string>;
  groups: ReadonlySet<string>;
  /** namespace → provisioned ServiceAccount names in it */
  serviceAccounts: ReadonlyMap<string, ReadonlySet<string>>;
}

const cache = new WeakMap<Config, ProvisionedIdentities>();

export function provisionedIdentities(config: Config): ProvisionedIdentities {
  let found = cache.get(config);
  if (found) return found;
  const users = new Set<string>();
  const groups = new Set<string>();
  const serviceAccounts = new Map<string, Set<string>>();
  for (const provisioner of config.provisionerList) {
    for (const user of provisioner.users) users.add(user);
    for (const group of provisioner.groups) groups.add(group);
    for (const entry of provisioner.serviceAccounts) {
      const slash = entry.indexOf('/');
      if (slash <= 0) continue;
      const namespace = entry.slice(0, slash);
      const names = serviceAccounts.get(namespace) ?? new Set<string>();
      names.add(entry.slice(slash + 1));
      serviceAccounts.set(namespace, names);
    }
  }
  found = { users, groups, serviceAccounts };
  cache.set(config, found);
  return found;
}

/** Whether `namespace/name` is a provisioned ServiceAccount. */
export function isProvisionedServiceAccount(namespace: string, name: string, config: Config): boolean {
  return provisionedIdentities(config).serviceAccounts.get(namespace)?.has(name) ?? false;
}
