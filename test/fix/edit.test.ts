// In-place edits: only the serviceAccountName bytes change, whatever the file's style.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/cluster/objects.js';
import { identityOf } from '../../src/check/latest.js';
import { applyEdits, scalarText, serviceAccountEdits } from '../../src/fix/edit.js';
import type { WorkloadFix } from '../../src/fix/plan.js';
import { POD_SPEC_PATHS, type PodBearingKind } from '../../src/rules/kinds.js';

function fixFor(kind: PodBearingKind, namespace: string, name: string, to: string): [string, WorkloadFix] {
  const group = POD_SPEC_PATHS[kind].group;
  const fixed: KubeObject = { apiVersion: group ? `${group}/v1` : 'v1', kind, metadata: { name, namespace } };
  return [identityOf(fixed, 'default')!, { source: 'f.yaml:1', kind, namespace, name, from: 'default', to, specPath: POD_SPEC_PATHS[kind].path, fixed }];
}

const edit = (text: string, ...fixes: [string, WorkloadFix][]) => applyEdits(text, serviceAccountEdits(text, 'f.yaml', new Map(fixes), 'default'));

describe('serviceAccountEdits', () => {
  it('adds a line before the pod spec\'s first key, at its indentation, keeping comments', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      # the app\n      containers: []  # none yet\n';
    expect(edit(text, fixFor('Deployment', 'shop', 'web', 'web'))).toBe(text.replace('      containers', '      serviceAccountName: web\n      containers'));
  });

  it('replaces an existing value and the deprecated field, keeping their quoting', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  namespace: shop\nspec:\n  serviceAccount: \'default\'\n  serviceAccountName: "default" # was\n';
    expect(edit(text, fixFor('Pod', 'shop', 'a', 'a'))).toBe(text.replace("'default'", '"a"').replace('"default"', '"a"'));
  });

  it('edits flow mappings, JSON included', () => {
    const yaml = 'apiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec: {containers: []}\n';
    expect(edit(yaml, fixFor('Pod', 'shop', 'a', 'a'))).toBe(yaml.replace('{containers', '{serviceAccountName: a, containers'));
    const json = '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "a", "namespace": "shop"}, "spec": {"containers": []}}';
    const edited = edit(json, fixFor('Pod', 'shop', 'a', 'a'));
    expect(JSON.parse(edited)).toMatchObject({ spec: { serviceAccountName: 'a', containers: [] } });
  });

  it('finds workloads inside a List and in any document; leaves the others alone', () => {
    const text = [
      'apiVersion: v1\nkind: Pod\nmetadata: {name: other, namespace: shop}\nspec:\n  containers: []\n',
      'apiVersion: v1\nkind: List\nitems:\n- apiVersion: batch/v1\n  kind: CronJob\n  metadata: {name: nightly, namespace: shop}\n  spec:\n    jobTemplate:\n      spec:\n        template:\n          spec:\n            containers: []\n',
    ].join('---\n');
    const out = edit(text, fixFor('CronJob', 'shop', 'nightly', 'nightly'));
    expect(out).toBe(text.replace('            containers', '            serviceAccountName: nightly\n            containers'));
  });

  it('refuses, naming the file and workload, a pod spec behind a YAML alias', () => {
    const text = 'x: &s {containers: []}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: a, namespace: shop}\nspec: *s\n';
    expect(() => edit(text, fixFor('Pod', 'shop', 'a', 'a'))).toThrow(/^f\.yaml: Pod "a": spec is a YAML alias; set serviceAccountName by hand$/);
  });

  it.each([
    ['web', false, 'web'],
    ['web', true, '"web"'],
    ['yes', false, '"yes"'],
    ['123', false, '"123"'],
    ['off', false, '"off"'],
  ])('writes %s as %s', (value, quoted, expected) => {
    expect(scalarText(value, quoted as boolean)).toBe(expected);
  });
});
