// Deployments: coredns and the model's; scaled through the model (deployments/scale).
import type { Layout, ServedWorkload } from '../layout';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, SCALE, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { perWorkloadProvider, podTemplate, workloadWriteRule } from './workloads';
import { condition, int, intOrString, labelSelector, obj, podTemplateSchema, str, time, type KindSchema } from '../schema';

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

// https://kubernetes.io/docs/reference/kubernetes-api/ (deployments).
const schema: KindSchema = {
  description: 'Deployment enables declarative updates for Pods and ReplicaSets.',
  properties: {
    spec: obj('Specification of the desired behavior of the Deployment.', {
      replicas: int('Number of desired pods. This is a pointer to distinguish between explicit zero and not specified. Defaults to 1.'),
      selector: labelSelector('Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.'),
      template: podTemplateSchema,
      strategy: obj('The deployment strategy to use to replace existing pods with new ones.', {
        type: str('Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
        rollingUpdate: obj('Rolling update config params. Present only if DeploymentStrategyType = RollingUpdate.', {
          maxUnavailable: intOrString('The maximum number of pods that can be unavailable during the update.'),
          maxSurge: intOrString('The maximum number of pods that can be scheduled above the desired number of pods.'),
        }),
      }),
      minReadySeconds: int('Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.'),
      revisionHistoryLimit: int('The number of old ReplicaSets to retain to allow rollback.'),
      progressDeadlineSeconds: int('The maximum time in seconds for a deployment to make progress before it is considered to be failed.'),
      paused: { type: 'boolean', description: 'Indicates that the deployment is paused.' },
    }),
    status: obj('Most recently observed status of the Deployment.', {
      observedGeneration: int('The generation observed by the deployment controller.', 'int64'),
      replicas: int('Total number of non-terminated pods targeted by this deployment (their labels match the selector).'),
      updatedReplicas: int('Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
      readyReplicas: int('Total number of non-terminated pods targeted by this Deployment with a Ready Condition.'),
      availableReplicas: int('Total number of available non-terminated pods (ready for at least minReadySeconds) targeted by this deployment.'),
      unavailableReplicas: int('Total number of unavailable pods targeted by this deployment.'),
      conditions: condition("Represents the latest available observations of a deployment's current state.", { lastUpdateTime: time('The last time this condition was updated.') }),
    }),
  },
};

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
  schema,
  write: workloadWriteRule('Deployment'),
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
