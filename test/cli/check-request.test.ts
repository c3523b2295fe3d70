// src/check/request.ts: the AdmissionRequest `check` builds is the one kube-apiserver would send.
import { describe, expect, it } from 'vitest';
import { createRequest, impersonatedUser, namespaceFor, pluralOf } from '../../src/check/request.js';

describe('check requests', () => {
  it.each([
    ['Pod', 'pods'],
    ['NetworkPolicy', 'networkpolicies'],
    ['ClusterRoleBinding', 'clusterrolebindings'],
    ['Ingress', 'ingresses'],
    ['Namespace', 'namespaces'],
  ])('%s is served as %s', (kind, plural) => expect(pluralOf(kind)).toBe(plural));

  it('splits apiVersion into group and version, core group empty', () => {
    const pod = createRequest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } }, 'shop', {}, 'u1');
    expect(pod.kind).toEqual({ group: '', version: 'v1', kind: 'Pod' });
    const policy = createRequest({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'p' } }, 'shop', {}, 'u2');
    expect(policy.kind).toEqual({ group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy' });
    expect(policy.resource).toEqual({ group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' });
  });

  it('places a namespaced object in the default namespace, in the request and in its metadata', () => {
    const request = createRequest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' } }, 'shop', {}, 'u');
    expect(request).toMatchObject({ operation: 'CREATE', name: 'web', namespace: 'shop', oldObject: null, object: { metadata: { namespace: 'shop' } } });
  });

  it('keeps an explicit namespace', () => {
    expect(namespaceFor({ kind: 'Pod', metadata: { name: 'a', namespace: 'other' } }, 'shop')).toBe('other');
  });

  it('gives a Namespace its own name and other cluster-scoped kinds none', () => {
    expect(namespaceFor({ kind: 'Namespace', metadata: { name: 'lab' } }, 'shop')).toBe('lab');
    const binding = createRequest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'b' } }, 'shop', {}, 'u');
    expect(binding.namespace).toBeUndefined();
    expect(binding.object?.metadata?.namespace).toBeUndefined();
  });

  it('impersonates as kube-apiserver does: the groups plus system:authenticated', () => {
    expect(impersonatedUser(undefined, [])).toEqual({});
    expect(impersonatedUser('bob', ['devs'])).toEqual({ username: 'bob', groups: ['devs', 'system:authenticated'] });
    expect(impersonatedUser('system:anonymous', [])).toEqual({ username: 'system:anonymous', groups: [] });
  });
});
