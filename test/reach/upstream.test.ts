// Truth tables of the upstream NetworkPolicy conformance tests (test/e2e/network/netpol), written
// from the API reference and those tests' descriptions: 3 namespaces × 3 pods, per port and protocol.
import { describe, it } from 'vitest';
import { cluster, Expected, expectReach, ipOf, ipv6Of, netpol, sctp, tcp, udp } from './upstream.js';

const ALL = { podSelector: {} };
const podA = { podSelector: { matchLabels: { pod: 'a' } } };

describe('default deny and allow all', () => {
  it('default-deny-ingress: nothing reaches x from anywhere, x still reaches out', () => {
    expectReach([...cluster(), netpol('x', { ...ALL, policyTypes: ['Ingress'] })], [[tcp(80), new Expected(true).allIngress('x/*', false)]]);
  });

  it('default-deny-all (Ingress and Egress): x neither receives nor sends', () => {
    const expected = new Expected(true).allIngress('x/*', false).allEgress('x/*', false);
    expectReach([...cluster(), netpol('x', { ...ALL, policyTypes: ['Ingress', 'Egress'] })], [[tcp(80), expected], [udp(81), expected]]);
  });

  it('deny-all egress only: x sends nothing, receives everything', () => {
    expectReach([...cluster(), netpol('x', { ...ALL, policyTypes: ['Egress'] })], [[tcp(80), new Expected(true).allEgress('x/*', false)]]);
  });

  it('allow-all ingress `ingress: [{}]` beside a deny-all opens everything again', () => {
    expectReach(
      [...cluster(), netpol('x', { ...ALL, policyTypes: ['Ingress'] }), netpol('x', { ...ALL, ingress: [{}] })],
      [[tcp(80), new Expected(true)], [sctp(81), new Expected(true)]],
    );
  });

  it('egress allow-all `egress: [{}]` overrides an egress deny', () => {
    expectReach(
      [...cluster(), netpol('x', { ...ALL, policyTypes: ['Egress'] }), netpol('x', { ...ALL, egress: [{}], policyTypes: ['Egress'] })],
      [[tcp(80), new Expected(true)]],
    );
  });

  it('no policies: everything is allowed; after a policy is deleted the state is open again', () => {
    expectReach(cluster(), [[tcp(80), new Expected(true)], [udp(80), new Expected(true)]]);
  });
});

describe('pod and namespace selectors', () => {
  it('podSelector alone: x/a receives only from x/b (same namespace as the policy)', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/b', 'x/a', true)]]);
  });

  it('podSelector with matchExpressions (In)', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b'] }] } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/b', 'x/a', true)]]);
  });

  it('namespaceSelector alone: x/a receives from every pod in y', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true)]]);
  });

  it('namespaceSelector with matchExpressions NotIn [x] matches y and z, not the policy namespace', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true).peer('z/*', 'x/a', true)]]);
  });

  it('a namespaceSelector that matches the policy namespace admits its own pods', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'x' } } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/*', 'x/a', true)]]);
  });

  it('namespaceSelector and podSelector in one peer are ANDed: only y/b', () => {
    const policy = netpol('x', {
      ...podA,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/b', 'x/a', true)]]);
  });

  it('the same selectors as two peers are ORed: all of y, and x/b', () => {
    const policy = netpol('x', {
      ...podA,
      ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }, { podSelector: { matchLabels: { pod: 'b' } } }] }],
    });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true).peer('x/b', 'x/a', true)]]);
  });

  it('multiple pod and namespace selectors with expressions: pods b and c outside x', () => {
    const policy = netpol('x', {
      ...podA,
      ingress: [
        {
          from: [
            {
              namespaceSelector: { matchExpressions: [{ key: 'ns', operator: 'NotIn', values: ['x'] }] },
              podSelector: { matchExpressions: [{ key: 'pod', operator: 'In', values: ['b', 'c'] }] },
            },
          ],
        },
      ],
    });
    expectReach(
      [...cluster(), policy],
      [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/b', 'x/a', true).peer('y/c', 'x/a', true).peer('z/b', 'x/a', true).peer('z/c', 'x/a', true)]],
    );
  });

  it('namespaceSelector {} with a podSelector: that pod in every namespace', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchLabels: { pod: 'c' } } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('*/c', 'x/a', true)]]);
  });

  it('Exists and DoesNotExist on pod labels', () => {
    const labels = { 'x/b': { tier: 'web' }, 'y/b': { tier: 'db' } };
    const policy = netpol('x', {
      ...podA,
      ingress: [{ from: [{ namespaceSelector: {}, podSelector: { matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }] }],
    });
    const deny = netpol('y', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] }, policyTypes: ['Ingress'] });
    expectReach(
      [...cluster({ labels }), policy, deny],
      [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/b', 'x/a', true).peer('y/b', 'x/a', true).allIngress('y/a', false).allIngress('y/c', false)]],
    );
  });

  it('a malformed selector (In without values) matches nothing: never a broader allow', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ podSelector: { matchExpressions: [{ key: 'pod', operator: 'In' }] } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('namespaces match on kubernetes.io/metadata.name, set by the API server', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'z' } } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('z/*', 'x/a', true)]]);
  });
});

describe('ports and protocols', () => {
  it('a numeric port: only 81 from y is opened, 80 stays closed', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 81, protocol: 'TCP' }] }] });
    expectReach(
      [...cluster(), policy],
      [
        [tcp(80), new Expected(true).allIngress('x/a', false)],
        [tcp(81), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true)],
      ],
    );
  });

  it('one named port on ingress: serve-81-tcp opens 81 from everyone, 80 is denied', () => {
    const policy = netpol('x', { ...podA, ingress: [{ ports: [{ port: 'serve-81-tcp' }] }] });
    expectReach([...cluster(), policy], [[tcp(81), new Expected(true)], [tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('a named port from one namespace', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 'serve-80-tcp' }] }] });
    expectReach(
      [...cluster(), policy],
      [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true)], [tcp(81), new Expected(true).allIngress('x/a', false)]],
    );
  });

  it('one named port on egress resolves against each destination', () => {
    const policy = netpol('x', { ...podA, egress: [{ ports: [{ port: 'serve-80-tcp' }] }], policyTypes: ['Egress'] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true)], [tcp(81), new Expected(true).allEgress('x/a', false)]]);
  });

  it('a named port needs the protocol too: serve-80-udp with the default TCP matches nothing', () => {
    const policy = netpol('x', { ...podA, ingress: [{ ports: [{ port: 'serve-80-udp' }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)], [udp(80), new Expected(true).allIngress('x/a', false)]]);
    const udpPolicy = netpol('x', { ...podA, ingress: [{ ports: [{ port: 'serve-80-udp', protocol: 'UDP' }] }] });
    expectReach([...cluster(), udpPolicy], [[udp(80), new Expected(true)], [tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('endPort makes a range: 80–81 opens both; 81–81 only 81; a port outside stays closed', () => {
    const range = netpol('x', { ...podA, ingress: [{ ports: [{ port: 80, endPort: 81, protocol: 'TCP' }] }] });
    expectReach(
      [...cluster(), range],
      [[tcp(80), new Expected(true)], [tcp(81), new Expected(true)], [tcp(82), new Expected(true).allIngress('x/a', false)], [tcp(79), new Expected(true).allIngress('x/a', false)]],
    );
    const single = netpol('x', { ...podA, ingress: [{ ports: [{ port: 81, endPort: 81 }] }] });
    expectReach([...cluster(), single], [[tcp(81), new Expected(true)], [tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('UDP: a UDP rule opens UDP 80 from y and not TCP', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'y' } } }], ports: [{ port: 80, protocol: 'UDP' }] }] });
    expectReach(
      [...cluster(), policy],
      [[udp(80), new Expected(true).allIngress('x/a', false).peer('y/*', 'x/a', true)], [tcp(80), new Expected(true).allIngress('x/a', false)]],
    );
  });

  it('SCTP: an SCTP rule opens SCTP 81 only', () => {
    const policy = netpol('x', { ...podA, ingress: [{ ports: [{ port: 81, protocol: 'SCTP' }] }] });
    expectReach(
      [...cluster(), policy],
      [[sctp(81), new Expected(true)], [sctp(80), new Expected(true).allIngress('x/a', false)], [tcp(81), new Expected(true).allIngress('x/a', false)]],
    );
  });

  it('a ports entry with only a protocol admits every port of that protocol', () => {
    const policy = netpol('x', { ...podA, ingress: [{ ports: [{ protocol: 'UDP' }] }] });
    expectReach(
      [...cluster(), policy],
      [[udp(80), new Expected(true)], [udp(81), new Expected(true)], [tcp(80), new Expected(true).allIngress('x/a', false)]],
    );
  });

  it('egress on one port from a default-deny namespace', () => {
    const objects = [...cluster(), netpol('x', { ...ALL, policyTypes: ['Egress'] }), netpol('x', { ...ALL, egress: [{ ports: [{ port: 81 }] }], policyTypes: ['Egress'] })];
    expectReach(objects, [[tcp(81), new Expected(true)], [tcp(80), new Expected(true).allEgress('x/*', false)], [udp(81), new Expected(true).allEgress('x/*', false)]]);
  });
});

describe('ipBlock', () => {
  it('egress to a CIDR with an except: x/a reaches every pod but y/b', () => {
    const policy = netpol('x', { ...podA, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: [`${ipOf('y/b')}/32`] } }] }], policyTypes: ['Egress'] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).peer('x/a', 'y/b', false)]]);
  });

  it('an IP in both CIDR.except and another policy’s CIDR is allowed (policies add up)', () => {
    const except = netpol('x', { ...podA, egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/16', except: [`${ipOf('y/b')}/32`] } }] }], policyTypes: ['Egress'] });
    const exact = netpol('x', { ...podA, egress: [{ to: [{ ipBlock: { cidr: `${ipOf('y/b')}/32` } }] }], policyTypes: ['Egress'] });
    expectReach([...cluster(), except, exact], [[tcp(80), new Expected(true)]]);
  });

  it('ingress from a CIDR: z’s /24 reaches x/a', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: '10.0.3.0/24' } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('z/*', 'x/a', true)]]);
  });

  it('a CIDR with host bits set is read as its network (10.0.3.77/24 = 10.0.3.0/24)', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: '10.0.3.77/24' } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('z/*', 'x/a', true)]]);
  });

  it('except boundaries: a /31 except removes exactly two addresses', () => {
    // 10.0.2.2/31 covers 10.0.2.2 and 10.0.2.3: y/b and y/c
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: '10.0.2.0/24', except: ['10.0.2.2/31'] } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/a', 'x/a', true)]]);
  });

  it('IPv6: an IPv6 block matches dual-stack pods by their IPv6 address', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: 'fd00::2:0/112', except: [`${ipv6Of('y/c')}/128`] } }] }] });
    expectReach([...cluster({ dualStack: true }), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('y/a', 'x/a', true).peer('y/b', 'x/a', true)]]);
  });

  it('an IPv4 block never matches an IPv6-only view of the same pods', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: '::/0' } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('a malformed CIDR matches nothing', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/33' } }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });
});

describe('policyTypes defaulting and direction combinations', () => {
  it('no policyTypes and egress rules: the policy applies to Egress too', () => {
    const policy = netpol('x', { ...podA, ingress: [{}], egress: [{ to: [{ podSelector: {} }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allEgress('x/a', false).peer('x/a', 'x/*', true)]]);
  });

  it('no policyTypes and an empty egress list: Ingress only', () => {
    const policy = netpol('x', { ...podA, egress: [] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('policyTypes [Egress] ignores ingress rules', () => {
    const policy = netpol('x', { ...podA, policyTypes: ['Egress'], ingress: [{ from: [{ podSelector: {} }] }] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allEgress('x/a', false)]]);
  });

  it('an empty policyTypes list defaults like an absent one', () => {
    const policy = netpol('x', { ...podA, policyTypes: [] });
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
  });

  it('Ingress and Egress together: x/a receives from x/b only and sends to z only', () => {
    const policy = netpol('x', {
      ...podA,
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { pod: 'b' } } }] }],
      egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }],
    });
    expectReach(
      [...cluster(), policy],
      [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/b', 'x/a', true).allEgress('x/a', false).peer('x/a', 'z/*', true)]],
    );
  });

  it('a connection needs both sides: egress from x allowed to y/a, but y/a only admits z', () => {
    const objects = [
      ...cluster(),
      netpol('x', { ...ALL, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { ns: 'y' } }, podSelector: { matchLabels: { pod: 'a' } } }] }] }),
      netpol('y', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { ns: 'z' } } }] }] }),
    ];
    expectReach(objects, [[tcp(80), new Expected(true).allEgress('x/*', false).allIngress('y/a', false).peer('z/*', 'y/a', true)]]);
  });

  it('deny-all both ways in every namespace: only self', () => {
    const objects = [...cluster(), ...['x', 'y', 'z'].map((ns) => netpol(ns, { ...ALL, policyTypes: ['Ingress', 'Egress'] }))];
    expectReach(objects, [[tcp(80), new Expected(false)], [udp(81), new Expected(false)]]);
  });
});

describe('label updates between steps', () => {
  const fromGreen = netpol('x', { ...podA, ingress: [{ from: [{ podSelector: { matchLabels: { color: 'green' } } }] }] }, 'allow-green');

  it('a pod that gains the label gains access; losing it loses access', () => {
    expectReach([...cluster(), fromGreen], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
    expectReach([...cluster({ labels: { 'x/b': { color: 'green' } } }), fromGreen], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('x/b', 'x/a', true)]]);
  });

  it('a namespace that gains a label gains access for all its pods', () => {
    const policy = netpol('x', { ...podA, ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'blue' } } }] }] }, 'allow-team');
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true).allIngress('x/a', false)]]);
    expectReach([...cluster({ labels: { z: { team: 'blue' } } }), policy], [[tcp(80), new Expected(true).allIngress('x/a', false).peer('z/*', 'x/a', true)]]);
  });

  it('a target that loses the selected label is no longer isolated', () => {
    const policy = netpol('x', { podSelector: { matchLabels: { role: 'db' } }, policyTypes: ['Ingress'] });
    expectReach([...cluster({ labels: { 'x/c': { role: 'db' } } }), policy], [[tcp(80), new Expected(true).allIngress('x/c', false)]]);
    expectReach([...cluster(), policy], [[tcp(80), new Expected(true)]]);
  });
});

describe('other policy APIs', () => {
  it('a projectcalico.org NetworkPolicy is never read as a Kubernetes one', () => {
    const calico = { ...netpol('x', { ...ALL, policyTypes: ['Ingress'] }), apiVersion: 'projectcalico.org/v3' };
    const cilium = { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'c', namespace: 'x' }, spec: { endpointSelector: {} } };
    expectReach([...cluster(), calico, cilium], [[tcp(80), new Expected(true)]]);
  });
});
