// ReplicaSets: the one current ReplicaSet of each Deployment (`<deployment>-<pod-template-hash>`).
import type { Layout, ServedWorkload } from '../layout';
import { stableUid } from '../names';
import { LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { perWorkloadProvider, podTemplate } from './workloads';

export function replicaSetObject(layout: Layout, g: ServedWorkload): SimObject {
  const labels = { ...g.labels, 'pod-template-hash': g.hash };
  return new LazyObject('replicasets', g.namespace, `${g.name}-${g.hash}`, labels, g.createdAt, g.rv, noFields, (o) => ({
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: layout.meta(o, {
      uid: stableUid(`ReplicaSet/${g.key}/${g.hash}`),
      generation: g.generation,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(g.pods), 'deployment.kubernetes.io/max-replicas': String(g.pods + Math.ceil(g.pods / 4)), 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: g.name, uid: g.uid, controller: true, blockOwnerDeletion: true }],
    }),
    spec: { replicas: g.pods, selector: { matchLabels: labels }, template: podTemplate(g, labels) },
    status: { replicas: g.pods, fullyLabeledReplicas: g.pods, readyReplicas: g.running, availableReplicas: g.running, observedGeneration: g.generation },
  }));
}

export const replicasets: SimResource = {
  name: 'replicasets',
  singularName: 'replicaset',
  kind: 'ReplicaSet',
  group: 'apps',
  version: 'v1',
  namespaced: true,
  shortNames: ['rs'],
  categories: ['all'],
  fields: [],
  subresources: [STATUS('ReplicaSet')],
  columns: [
    NAME,
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1),
  ],
  cells: (o, age) => {
    const s = o.status ?? {};
    const [c, i] = containersCells(o);
    return [o.metadata.name, o.spec?.replicas ?? 0, s.replicas ?? 0, s.readyReplicas ?? 0, age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
  },
  provider: (layout) => perWorkloadProvider(layout, layout.deployments, (g) => replicaSetObject(layout, g), (g) => `${g.name}-${g.hash}`),
};
