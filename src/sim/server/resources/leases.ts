// Leases (coordination.k8s.io/v1).
//
// Node leases, kube-node-lease/<node>, one per node, held by the node: the kubelet's heartbeat
// since KEP-589 "Efficient node heartbeats" (GA in 1.17). The kubelet creates its lease with
// leaseDurationSeconds = nodeLeaseDurationSeconds (default 40) and renews it every 25 % of that,
// 10 s (pkg/kubelet/nodelease, renewIntervalFraction 0.25); the node-lifecycle controller marks
// the node NotReady when renewTime is older than --node-monitor-grace-period. So renewTime here is
// the last 10 s tick at which that kubelet's renewal got through: it advances while the node is
// Ready and the control plane answers it (an API server up, etcd answering, the node-high
// priority level not shedding), and stays where it was otherwise (history.ts keeps when).
//
// In kube-system: the API servers' identity leases (apiserver-<hash>, KEP-1965) and the leader
// election leases of kube-controller-manager and kube-scheduler (leaseDurationSeconds 15, the
// --leader-elect-lease-duration default).
import { NODE_LEASE_DURATION_SECONDS } from '../history';
import type { Layout, Provider } from '../layout';
import { hashChars, stableUid } from '../names';
import { arraySeq, rangeSeq, type Seq } from '../seq';
import { CLUSTER_BORN, LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, col, type SimResource } from './resource';
import { int, obj, str, time, type KindSchema } from '../schema';

/** A Lease; `renewedAt` tells, when built, the simulated second of its last renewal. */
function leaseObject(layout: Layout, ns: string, name: string, holder: string, duration: number, labels: Record<string, string>, renewedAt: () => number, created = CLUSTER_BORN): SimObject {
  return new LazyObject('leases', ns, name, labels, created, layout.baseRv - 5, noFields, (o) => {
    const ownerRef = ns === 'kube-node-lease' ? [{ apiVersion: 'v1', kind: 'Node', name, uid: stableUid(`nodes//${name}/${created}`) }] : undefined;
    return {
      kind: 'Lease',
      apiVersion: 'coordination.k8s.io/v1',
      metadata: layout.meta(o, { ownerReferences: ownerRef }),
      // renewTime is a MicroTime (RFC 3339 with microseconds).
      spec: { holderIdentity: holder, leaseDurationSeconds: duration, renewTime: layout.clock.iso(renewedAt()).replace('Z', '.000000Z') },
    };
  });
}

/** kube-node-lease/<node i>: held by the node, renewed every 10 s while the node's renewals get through. */
export function nodeLeaseObject(layout: Layout, i: number): SimObject {
  const name = layout.nodeName(i);
  // Kubelets start at different times: each renews at its own phase within the 10 s interval.
  const phase = i % 10;
  return leaseObject(layout, 'kube-node-lease', name, name, NODE_LEASE_DURATION_SECONDS, {}, () => layout.history.lastRenewal(i, layout.clock.now(), phase), layout.nodeCreated(i));
}

function systemLeases(layout: Layout): SimObject[] {
  const renewed = (live: boolean) => (): number => (live ? layout.clock.now() : Math.min(layout.clock.now(), 0) - 60);
  const out: SimObject[] = [];
  for (let r = 0; r < Math.max(1, layout.spec.apiServerReplicas); r++) {
    const id = `apiserver-${hashChars(`apiserver${r}`, 26).toLowerCase()}`;
    out.push(leaseObject(layout, 'kube-system', id, `${id}_${stableUid(`apiserver-holder${r}`)}`, 3600, { 'apiserver.kubernetes.io/identity': 'kube-apiserver', 'kubernetes.io/hostname': `control-plane-${r + 1}` }, renewed(r < layout.apiReplicasReady)));
  }
  out.push(leaseObject(layout, 'kube-system', 'kube-controller-manager', `control-plane-1_${stableUid('kcm')}`, 15, {}, renewed(true)));
  out.push(leaseObject(layout, 'kube-system', 'kube-scheduler', `control-plane-1_${stableUid('sched')}`, 15, {}, renewed(true)));
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

function provider(layout: Layout): Provider {
  const system = systemLeases(layout);
  const parts = new Map<string, Seq[]>([
    ['kube-node-lease', [rangeSeq(layout.nodeCount, (i) => nodeLeaseObject(layout, i))]],
    ['kube-system', [arraySeq(system)]],
  ]);
  return layout.namespacedProvider(parts, (ns, name) => {
    if (ns === 'kube-node-lease') {
      const i = layout.nodeIndex(name);
      return i < 0 ? undefined : nodeLeaseObject(layout, i);
    }
    return ns === 'kube-system' ? system.find((o) => o.name === name) : undefined;
  });
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (leases).
const schema: KindSchema = {
  description: 'Lease defines a lease concept.',
  properties: {
    spec: obj('spec contains the specification of the Lease.', {
      holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
      leaseDurationSeconds: int('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
      acquireTime: time('acquireTime is a time when the current lease was acquired.'),
      renewTime: time('renewTime is a time when the current holder of a lease has last updated the lease.'),
      leaseTransitions: int('leaseTransitions is the number of transitions of a lease between holders.'),
    }),
  },
};

export const leases: SimResource = {
  name: 'leases',
  singularName: 'lease',
  kind: 'Lease',
  group: 'coordination.k8s.io',
  version: 'v1',
  namespaced: true,
  fields: [],
  subresources: [],
  schema,
  // pkg/printers/internalversion: leaseColumnDefinitions (Name, Holder, Age).
  columns: [NAME, col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), AGE],
  cells: (o, age) => [o.metadata.name, o.spec?.holderIdentity ?? '', age],
  provider,
};
