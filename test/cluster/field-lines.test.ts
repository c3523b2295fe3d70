import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FieldLocator, parseFieldPath } from '../../src/cluster/field-lines.js';
import { readManifests } from '../../src/cluster/manifests.js';
import { tempTree } from '../cli/run.js';

describe('field paths', () => {
  it('reads dotted names, indices and quoted keys', () => {
    expect(parseFieldPath('spec.template.spec.serviceAccountName')).toEqual(['spec', 'template', 'spec', 'serviceAccountName']);
    expect(parseFieldPath('spec.ingress[0].from[12].ipBlock.cidr')).toEqual(['spec', 'ingress', 0, 'from', 12, 'ipBlock', 'cidr']);
    expect(parseFieldPath('metadata.labels["netguard.io/mode"]')).toEqual(['metadata', 'labels', 'netguard.io/mode']);
  });
});

describe('field lines', () => {
  const deployment = `# comment
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers: [{name: app}]
      serviceAccountName: default
---
apiVersion: v1
kind: List
items:
  - apiVersion: networking.k8s.io/v1
    kind: NetworkPolicy
    metadata: {name: p}
    spec:
      ingress:
        - from:
            - ipBlock: {cidr: 10.0.0.0/8}
            - ipBlock:
                cidr: 192.0.2.0/24
`;

  it('points at the field, at its nearest parent when absent, and inside List items', () => {
    const dir = tempTree();
    const file = join(dir, 'm.yaml');
    writeFileSync(file, deployment);
    const [, web, policy] = readManifests([file]);
    const locate = new FieldLocator();
    expect(web!.line).toBe(7);
    expect(locate.line(web!, 'spec.template.spec.serviceAccountName')).toBe(15);
    expect(locate.line(web!, 'spec.template.spec.automountServiceAccountToken')).toBe(13);
    expect(locate.line(web!, undefined)).toBe(7);
    expect(locate.line(policy!, 'spec.ingress[0].from[1].ipBlock.cidr')).toBe(28);
    expect(locate.line(policy!, 'spec.ingress[0].from[0].ipBlock.cidr')).toBe(26);
  });
});
