// What DaemonSets, Deployments and ReplicaSets share: one object per served workload, and the
// pod template they carry.
import type { Layout, Provider, ServedWorkload } from '../layout';
import { rangeSeq, type Seq } from '../seq';
import type { Json, SimObject } from '../simObject';

/** One object per workload, in namespace order; `nameOf` is its object's name (a ReplicaSet's has the hash). */
export function perWorkloadProvider(layout: Layout, workloads: ServedWorkload[], make: (g: ServedWorkload) => SimObject, nameOf: (g: ServedWorkload) => string = (g) => g.name): Provider {
  const parts = new Map<string, Seq[]>();
  for (const g of workloads) parts.set(g.namespace, [...(parts.get(g.namespace) ?? []), rangeSeq(1, () => make(g))]);
  return layout.namespacedProvider(parts, (ns, name) => {
    const g = workloads.find((x) => x.namespace === ns && nameOf(x) === name);
    return g ? make(g) : undefined;
  });
}

export function podTemplate(g: ServedWorkload, labels: Record<string, string>): Json {
  return {
    metadata: { creationTimestamp: null, labels },
    spec: {
      containers: [{ name: g.name, image: g.image, resources: { requests: { cpu: '100m', memory: '128Mi' } }, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: g.serviceAccount,
      serviceAccount: g.serviceAccount,
      securityContext: {},
      schedulerName: 'default-scheduler',
    },
  };
}
