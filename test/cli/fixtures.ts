// Manifests and configs the CLI tests combine. `shop` is governed and has a default-deny policy,
// so a pod there is clean exactly when its ServiceAccount is.

export const CONFIG = `
defaultMode: enforce
exemptNamespaces: [kube-system]
provisioners:
  - name: platform-team
    users: [alice@example.com]
    groups: [netpol-admins]
    namespaces: ["*"]
`;

export const SHOP = `
# the namespace and its default-deny policy
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    netguard.io/mode: enforce
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: shop
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
`;

export const pod = (name: string, options: { namespace?: string; serviceAccount?: string } = {}) => `
apiVersion: v1
kind: Pod
metadata:
  name: ${name}
${options.namespace ? `  namespace: ${options.namespace}\n` : ''}spec:
${options.serviceAccount ? `  serviceAccountName: ${options.serviceAccount}\n` : ''}  containers:
    - name: app
      image: nginx:1.27
`;

/** A Deployment; `serviceAccountName` is written as given, so a test can put any YAML there (`123`, `[web]`, `null`). */
export const deployment = (name: string, options: { namespace: string; serviceAccountName: string }) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${options.namespace}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      serviceAccountName: ${options.serviceAccountName}
      containers: [{name: app, image: nginx}]
`;

export const ALLOW_POLICY = `
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: allow-web
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  ingress:
    - from:
        - podSelector: {}
`;
