// DaemonSets: kube-proxy and the model's; one pod per node.
import type { Layout, ServedWorkload } from '../layout';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { AGE, NAME, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { perWorkloadProvider, podTemplate } from './workloads';

export function daemonSetObject(layout: Layout, g: ServedWorkload): SimObject {
  return new LazyObject('daemonsets', g.namespace, g.name, g.labels, g.createdAt, g.rv, noFields, (o) => {
    const status: Json = {
      currentNumberScheduled: g.pods,
      numberMisscheduled: 0,
      desiredNumberScheduled: g.pods,
      numberReady: g.running,
      observedGeneration: 1,
      updatedNumberScheduled: g.pods,
      numberAvailable: g.running,
    };
    if (g.pods > g.running) status.numberUnavailable = g.pods - g.running;
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
