// ReplicaSets: the one current ReplicaSet of each Deployment (`<deployment>-<pod-template-hash>`).
import type { Layout, ServedWorkload } from '../layout';
import { replicaSetUid } from '../names';
import { LazyObject, noFields, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { perWorkloadProvider, podTemplate } from './workloads';
import { int, labelSelector, obj, podTemplateSchema, type KindSchema } from '../schema';

export function replicaSetObject(layout: Layout, g: ServedWorkload): SimObject {
  const labels = { ...g.labels, 'pod-template-hash': g.hash };
  return new LazyObject('replicasets', g.namespace, `${g.name}-${g.hash}`, labels, g.createdAt, g.rv, noFields, (o) => ({
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: layout.meta(o, {
      uid: replicaSetUid(g.key, g.hash),
      generation: g.generation,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(g.pods), 'deployment.kubernetes.io/max-replicas': String(g.pods + Math.ceil(g.pods / 4)), 'deployment.kubernetes.io/revision': '1' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: g.name, uid: g.uid, controller: true, blockOwnerDeletion: true }],
    }),
    spec: { replicas: g.pods, selector: { matchLabels: labels }, template: podTemplate(g, labels) },
    status: { replicas: g.pods, fullyLabeledReplicas: g.pods, readyReplicas: g.running, availableReplicas: g.running, observedGeneration: g.generation },
  }));
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (replicasets).
const schema: KindSchema = {
  description: 'ReplicaSet ensures that a specified number of pod replicas are running at any given time.',
  properties: {
    spec: obj('Spec defines the specification of the desired behavior of the ReplicaSet.', {
      replicas: int('Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1.'),
      selector: labelSelector('Selector is a label query over pods that should match the replica count.'),
      template: podTemplateSchema,
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
    }),
    status: obj('Status is the most recently observed status of the ReplicaSet.', {
      replicas: int('Replicas is the most recently observed number of non-terminating pods.'),
      fullyLabeledReplicas: int('The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset.'),
      readyReplicas: int('The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition.'),
      availableReplicas: int('The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set.'),
      observedGeneration: int('ObservedGeneration reflects the generation of the most recently observed ReplicaSet.', 'int64'),
    }),
  },
};

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
  schema,
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
  provider: (layout) => perWorkloadProvider(layout, layout.deployments, (g) => replicaSetObject(layout, g), (g) => `${g.name}-${g.hash}`, true),
};
