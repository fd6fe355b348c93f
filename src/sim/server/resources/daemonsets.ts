// DaemonSets: kube-proxy and the model's; one pod per node.
import type { Layout, ServedWorkload } from '../layout';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { newCount, oldFrom } from '../rollouts';
import { perWorkloadProvider, podTemplate, workloadWriteRule } from './workloads';
import { int, intOrString, labelSelector, obj, podTemplateSchema, str, type KindSchema } from '../schema';

/**
 * Pods of a DaemonSet that run on a Ready node: the daemon set controller counts a pod ready only
 * when its Ready condition is True (pkg/controller/daemon, updateDaemonSetStatus), and a pod on a
 * NotReady node is not Ready (pods.ts gives it Ready=False, as the node lifecycle controller does).
 */
export function readyDaemonPods(layout: Layout, g: ServedWorkload): number {
  let n = 0;
  // Only nodes that should run it count (updateDaemonSetStatus: a misscheduled pod is not "ready").
  const upTo = Math.min(g.running, g.nodes ?? g.running);
  for (let i = 0; i < upTo; i++) if (layout.nodeReady(layout.workloadPodNode(g, i))) n++;
  return n;
}

export function daemonSetObject(layout: Layout, g: ServedWorkload): SimObject {
  const r = layout.rollouts.get(g.key);
  return new LazyObject('daemonsets', g.namespace, g.name, g.labels, g.createdAt, Math.max(g.rv, r?.rv ?? 0), noFields, (o) => {
    // Pods on nodes its nodeSelector no longer matches are misscheduled until they are gone.
    const wanted = Math.min(g.pods, g.nodes ?? g.pods);
    // During a rollout (rollouts.ts) the nodes whose old pod is gone and whose new one is still
    // starting have no ready pod (Ready nodes come first: nodes [done, oldFrom) ∩ Ready).
    const gap = r ? Math.max(0, Math.min(oldFrom(r, g.pods), wanted, g.running, layout.nodesReady) - r.done) : 0;
    const ready = Math.max(0, readyDaemonPods(layout, g) - gap);
    const status: Json = {
      currentNumberScheduled: wanted,
      numberMisscheduled: g.pods - wanted,
      desiredNumberScheduled: wanted,
      numberReady: ready,
      observedGeneration: 1,
      updatedNumberScheduled: r ? Math.min(wanted, newCount(r, g.pods)) : wanted,
      // minReadySeconds is 0: available = ready.
      numberAvailable: ready,
    };
    if (g.pods > ready) status.numberUnavailable = g.pods - ready;
    return {
      kind: 'DaemonSet',
      apiVersion: 'apps/v1',
      metadata: layout.meta(o, { uid: g.uid, generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } }),
      spec: {
        selector: { matchLabels: g.labels },
        template: podTemplate(g, g.labels),
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
      status,
    };
  });
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (daemonsets).
const schema: KindSchema = {
  description: 'DaemonSet represents the configuration of a daemon set.',
  properties: {
    spec: obj('The desired behavior of this daemon set.', {
      selector: labelSelector('A label query over pods that are managed by the daemon set.'),
      template: podTemplateSchema,
      updateStrategy: obj('An update strategy to replace existing DaemonSet pods with new pods.', {
        type: str('Type of daemon set update. Can be "RollingUpdate" or "OnDelete".'),
        rollingUpdate: obj('Rolling update config params. Present only if type = "RollingUpdate".', {
          maxUnavailable: intOrString('The maximum number of DaemonSet pods that can be unavailable during the update.'),
          maxSurge: intOrString('The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update.'),
        }),
      }),
      minReadySeconds: int('The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available.'),
      revisionHistoryLimit: int('The number of old history to retain to allow rollback.'),
    }),
    status: obj('The current status of this daemon set.', {
      currentNumberScheduled: int('The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
      numberMisscheduled: int('The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.'),
      desiredNumberScheduled: int('The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).'),
      numberReady: int('numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
      observedGeneration: int('The most recent generation observed by the daemon set controller.', 'int64'),
      updatedNumberScheduled: int('The total number of nodes that are running updated daemon pod.'),
      numberAvailable: int('The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.'),
      numberUnavailable: int('The number of nodes that should be running the daemon pod and have none of the daemon pod running and available.'),
    }),
  },
};

export const daemonsets: SimResource = {
  name: 'daemonsets',
  singularName: 'daemonset',
  kind: 'DaemonSet',
  group: 'apps',
  version: 'v1',
  namespaced: true,
  shortNames: ['ds'],
  categories: ['all'],
  fields: [],
  subresources: [STATUS('DaemonSet')],
  schema,
  write: workloadWriteRule('DaemonSet'),
  columns: [
    NAME,
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.'),
    col('Ready', 'integer', 'numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.'),
    col('Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod'),
    col('Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)'),
    col('Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.'),
    AGE,
    col('Containers', 'string', 'Names of each container in the template.', 1),
    col('Images', 'string', 'Images referenced by each container in the template.', 1),
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
  ],
  cells: (o, age) => {
    const s = o.status ?? {};
    const [c, i] = containersCells(o);
    return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0, formatLabels(o.spec?.template?.spec?.nodeSelector), age, c, i, formatLabels(o.spec?.selector?.matchLabels)];
  },
  provider: (layout) => perWorkloadProvider(layout, layout.daemonSets, (g) => daemonSetObject(layout, g)),
};
