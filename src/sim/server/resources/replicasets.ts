// ReplicaSets: a Deployment's ReplicaSet per revision of its pod template
// (`<deployment>-<pod-template-hash>`): the current one, and the old ones the deployment controller
// keeps (scaled to 0 once rolled) for `kubectl rollout history` and `undo`.
import type { Layout, Provider, ServedWorkload } from '../layout';
import { replicaSetUid } from '../names';
import { newCount, oldFrom, stepOf, type Rollout } from '../rollouts';
import { rangeSeq, type Seq } from '../seq';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import type { Revision } from '../written';
import { AGE, NAME, STATUS, col, containersCells, formatLabels, type SimResource } from './resource';
import { podTemplate } from './workloads';
import { int, labelSelector, obj, podTemplateSchema, type KindSchema } from '../schema';

/**
 * The revisions of a Deployment whose ReplicaSets are kept, oldest first: every revision whose
 * ReplicaSet still has pods, and of the others (scaled to 0) the newest `revisionHistoryLimit`, as
 * the deployment controller's cleanupDeployment keeps them (pkg/controller/deployment/sync.go).
 * Undefined for a Deployment nobody changed the template of (its one ReplicaSet).
 */
export function keptRevisions(layout: Layout, namespace: string, name: string): Revision[] | undefined {
  const e = layout.written.get('deployments', namespace, name);
  const revs = e?.revisions;
  if (!revs || revs.length < 2) return undefined;
  const limit = Number((e.spec as Json | undefined)?.revisionHistoryLimit ?? 10);
  const r = layout.rollouts.get(`${namespace}/${name}`);
  // The newest, and the one a rollout in progress is scaling down.
  const live = (h: string): boolean => h === revs[revs.length - 1].hash || (!!r && r.finished === undefined && h === r.from);
  const idle = revs.filter((x) => !live(x.hash)).sort((a, b) => a.revision - b.revision);
  const keep = new Set(idle.slice(Math.max(0, idle.length - limit)));
  return revs.filter((x) => live(x.hash) || keep.has(x)).sort((a, b) => a.revision - b.revision);
}

/** Pods of one ReplicaSet of a Deployment (by its pod-template-hash), and how many of them run. */
function podsOf(g: ServedWorkload, r: Rollout | undefined, hash: string): { replicas: number; ready: number } {
  const n = g.pods;
  if (!r) return hash === g.hash ? { replicas: n, ready: g.running } : { replicas: 0, ready: 0 };
  if (hash === r.to) {
    const c = newCount(r, n);
    return { replicas: c, ready: Math.min(r.done, g.running, c) };
  }
  if (hash === r.from) {
    const o = oldFrom(r, n);
    return { replicas: n - o, ready: Math.max(0, g.running - o) };
  }
  return { replicas: 0, ready: 0 };
}

/** A ReplicaSet of a Deployment: the one of revision `rev` (written.ts), by default its current one. */
export function replicaSetObject(layout: Layout, g: ServedWorkload, rev?: Revision): SimObject {
  rev ??= layout.written.get('deployments', g.namespace, g.name)?.revisions?.find((x) => x.hash === g.hash);
  const hash = rev?.hash ?? g.hash;
  const labels = { ...g.labels, ...(((rev?.template.metadata as Json | undefined)?.labels as Record<string, string> | undefined) ?? {}), 'pod-template-hash': hash };
  const r = layout.rollouts.get(g.key);
  const { replicas, ready } = podsOf(g, r, hash);
  const template = rev ? (JSON.parse(JSON.stringify(rev.template)) as Json) : podTemplate(g, labels);
  if (rev) template.metadata = { ...((template.metadata as Json | undefined) ?? {}), labels };
  const surge = r ? stepOf('Deployment', r.strategy, g.pods).batch - stepOf('Deployment', r.strategy, g.pods).kill : Math.ceil(g.pods / 4);
  return new LazyObject('replicasets', g.namespace, `${g.name}-${hash}`, labels, rev?.at ?? g.createdAt, Math.max(g.rv, r?.rv ?? 0), noFields, (o) => ({
    kind: 'ReplicaSet',
    apiVersion: 'apps/v1',
    metadata: layout.meta(o, {
      uid: replicaSetUid(g.key, hash),
      generation: g.generation,
      annotations: { 'deployment.kubernetes.io/desired-replicas': String(g.pods), 'deployment.kubernetes.io/max-replicas': String(g.pods + surge), 'deployment.kubernetes.io/revision': String(rev?.revision ?? 1) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: g.name, uid: g.uid, controller: true, blockOwnerDeletion: true }],
    }),
    spec: { replicas, selector: { matchLabels: { ...g.labels, 'pod-template-hash': hash } }, template },
    status: { replicas, fullyLabeledReplicas: replicas, readyReplicas: ready, availableReplicas: ready, observedGeneration: g.generation },
  }));
}

/** The ReplicaSets of a Deployment, oldest revision first. */
export function replicaSetsOf(layout: Layout, g: ServedWorkload): SimObject[] {
  const revs = keptRevisions(layout, g.namespace, g.name);
  return revs ? revs.map((rev) => replicaSetObject(layout, g, rev)) : [replicaSetObject(layout, g)];
}

/** Every Deployment's ReplicaSets, in namespace order; an app namespace's built only when asked for. */
function provider(layout: Layout): Provider {
  const parts = new Map<string, Seq[]>();
  const add = (ns: string, seq: Seq): void => void parts.set(ns, [...(parts.get(ns) ?? []), seq]);
  const of = (g: ServedWorkload): Seq => {
    const revs = keptRevisions(layout, g.namespace, g.name);
    return revs ? rangeSeq(revs.length, (i) => replicaSetObject(layout, g, revs[i])) : rangeSeq(1, () => replicaSetObject(layout, g));
  };
  for (const g of layout.deployments) add(g.namespace, of(g));
  for (let j = 0; j < layout.appNamespaceCount; j++) {
    if (!layout.fillerCount(j)) continue;
    const ns = layout.appNs[j];
    add(ns, layout.written.get('deployments', ns, layout.fillerApp(j).app)?.revisions ? of(layout.fillerWorkload(j)) : rangeSeq(1, () => replicaSetObject(layout, layout.fillerWorkload(j))));
  }
  return layout.namespacedProvider(parts, (ns, name) => {
    const candidates = (layout.workloadsByNamespace.get(ns) ?? []).filter((g) => g.kind === 'Deployment' && name.startsWith(`${g.name}-`));
    const j = layout.appIndex.get(ns);
    if (j !== undefined && layout.fillerCount(j) && name.startsWith(`${layout.fillerApp(j).app}-`)) candidates.push(layout.fillerWorkload(j));
    for (const g of candidates) {
      const hit = replicaSetsOf(layout, g).find((o) => o.name === name);
      if (hit) return hit;
    }
    return undefined;
  });
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
  provider,
};
