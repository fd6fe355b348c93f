// Deployments: coredns and the model's; scaled through the model (deployments/scale).
import type { Layout, ServedWorkload } from '../layout';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, SCALE, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { perWorkloadProvider, podTemplate } from './workloads';

export function deploymentObject(layout: Layout, g: ServedWorkload): SimObject {
  return new LazyObject('deployments', g.namespace, g.name, g.labels, g.createdAt, g.rv, noFields, (o) => {
    const t = layout.clock.iso(g.createdAt);
    const available = g.running > 0 || g.pods === 0;
    const status: Json = { observedGeneration: g.generation, replicas: g.pods, updatedReplicas: g.pods, readyReplicas: g.running, availableReplicas: g.running };
    if (g.pods > g.running) status.unavailableReplicas = g.pods - g.running;
    if (!g.running) {
      delete status.readyReplicas;
      delete status.availableReplicas;
    }
    status.conditions = [
      { type: 'Available', status: available ? 'True' : 'False', lastUpdateTime: t, lastTransitionTime: t, reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.' },
      { type: 'Progressing', status: 'True', lastUpdateTime: t, lastTransitionTime: t, reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${g.name}-${g.hash}" has successfully progressed.` },
    ];
    return {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: layout.meta(o, { uid: g.uid, generation: g.generation, annotations: { 'deployment.kubernetes.io/revision': '1' } }),
      spec: {
        replicas: g.pods,
        selector: { matchLabels: g.labels },
        template: podTemplate(g, g.labels),
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
      status,
    };
  });
}

export const deployments: SimResource = {
  name: 'deployments',
  singularName: 'deployment',
  kind: 'Deployment',
  group: 'apps',
  version: 'v1',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  fields: [],
  subresources: [SCALE, STATUS('Deployment')],
  columns: [
    NAME,
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'integer', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'integer', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  cells: (o, age) => {
    const s = o.status ?? {};
    const [c, i] = containersCells(o);
    return [o.metadata.name, `${s.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
  },
  provider: (layout) => perWorkloadProvider(layout, layout.deployments, (g) => deploymentObject(layout, g)),
};
