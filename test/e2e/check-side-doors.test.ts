// The side doors through `netguard check`: what CI sees before anything reaches a cluster.
import { describe, expect, it } from 'vitest';
import { deployment } from '../cli/fixtures.js';
import { configTree } from '../support/cli.js';

const CONFIG = `
provisioners:
  - name: platform-team
    users: [alice@example.com]
    serviceAccounts: [gitops/argocd-application-controller]
`;
const SHOP = `apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { netguard.io/mode: enforce } }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: viewers, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects:
  - { apiGroup: rbac.authorization.k8s.io, kind: User, name: viewer@example.com }
`;
const SNEAKY = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: sneaky
  labels: { rbac.authorization.k8s.io/aggregate-to-view: "true" }
rules:
  - { apiGroups: [networking.k8s.io], resources: [networkpolicies], verbs: [create, update] }
`;
const BORROW = `apiVersion: v1
kind: Namespace
metadata: { name: gitops, labels: { netguard.io/mode: enforce } }
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: gitops }
spec: { podSelector: {}, policyTypes: [Ingress, Egress] }
---
${deployment('borrow', { namespace: 'gitops', serviceAccountName: 'argocd-application-controller' })}`;

describe.concurrent('side doors through check', () => {
  it('a ClusterRole aggregating into a bound view with NetworkPolicy write fails CI at its own manifest', async () => {
    const r = await configTree(CONFIG, { 'm/shop.yaml': SHOP, 'm/sneaky.yaml': SNEAKY }).run('check', ['m']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/m\/sneaky\.yaml:\d+ ClusterRole sneaky: rbac-netpol-grant: ClusterRole "sneaky" grants network-policy write through aggregation: write: create, update on networking\.k8s\.io\/networkpolicies/);
    expect(r.stdout).toContain('RoleBinding "shop/viewers" of ClusterRole "view", which this role aggregates into → User "viewer@example.com"');
  });

  it('a workload running as the provisioned ServiceAccount fails for anyone but the provisioned', async () => {
    const tree = configTree(CONFIG, { 'm/borrow.yaml': BORROW });
    const bob = await tree.run('check', ['--as', 'bob@example.com', 'm']);
    expect(bob.code).toBe(1);
    expect(bob.stdout).toMatch(/Deployment gitops\/borrow: provisioned-identity: "bob@example\.com"/);
    const alice = await tree.run('check', ['--as', 'alice@example.com', 'm']);
    expect(alice.stdout).not.toContain('provisioned-identity:');
    expect(alice.code).toBe(0);
  });
});
