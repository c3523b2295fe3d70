// Small parts of the live cache: back-off, versioned store writes.
import { denyNames } from '../support/coverage.js';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/cluster/live/backoff.js';
import { compareVersions, StoreWriter } from '../../src/cluster/live/store-writer.js';
import { ClusterStore } from '../../src/cluster/store.js';
import { denyAll } from '../support/kube-objects.js';

describe('Backoff', () => {
  it('doubles from 250 ms to a 30 s cap, each delay in the upper half of its step, and resets', () => {
    const low = new Backoff({}, () => 0);
    expect(Array.from({ length: 10 }, () => low.next())).toEqual([125, 250, 500, 1000, 2000, 4000, 8000, 15000, 15000, 15000]);
    const high = new Backoff({}, () => 1);
    expect(Array.from({ length: 10 }, () => high.next()).at(-1)).toBe(30_000);
    high.reset();
    expect(high.next()).toBe(250);
  });
});

describe('StoreWriter', () => {
  const policy = (rv: string, name = 'deny') => ({ ...denyAll('shop', name), metadata: { name, namespace: 'shop', resourceVersion: rv } });

  it('compares numeric resourceVersions and leaves opaque ones alone', () => {
    expect(compareVersions('9', '10')).toBe(-1);
    expect(compareVersions('10', '10')).toBe(0);
    expect(compareVersions('abc', '10')).toBeUndefined();
    expect(compareVersions(undefined, '1')).toBeUndefined();
  });

  it('a read older than the watch, or than a deletion, does not bring back an old state', () => {
    const writer = new StoreWriter(new ClusterStore(false));
    const store = writer.store;
    writer.put('NetworkPolicy', policy('10'), 'watch');
    expect(writer.put('NetworkPolicy', { ...policy('8'), spec: { podSelector: { matchLabels: { a: 'b' } } } }, 'read')).toBeUndefined();
    expect(denyNames(store, 'shop', 'Ingress').has('deny')).toBe(true);
    writer.dropObject('NetworkPolicy', policy('12'));
    expect(writer.put('NetworkPolicy', policy('11'), 'read')).toBeUndefined();
    expect(denyNames(store, 'shop', 'Ingress').size).toBe(0);
    // Re-created later: a newer version goes in.
    expect(writer.put('NetworkPolicy', policy('15'), 'read')).toBe('shop/deny');
    expect(denyNames(store, 'shop', 'Ingress').has('deny')).toBe(true);
  });

  it('a list is authoritative: older versions go in, and what it lacks is removed', () => {
    const writer = new StoreWriter(new ClusterStore(false));
    writer.put('NetworkPolicy', policy('50', 'a'), 'watch');
    writer.put('NetworkPolicy', policy('51', 'b'), 'read');
    // e.g. an etcd restore: versions went back
    expect(writer.put('NetworkPolicy', policy('3', 'a'), 'list')).toBe('shop/a');
    expect(writer.reconcile('NetworkPolicy', new Set(['shop/a']))).toBe(1);
    expect([...denyNames(writer.store, 'shop', 'Ingress')]).toEqual(['a']);
  });
});
