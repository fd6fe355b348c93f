// PodDisruptionBudgets (policy/v1): the cluster's own budget for CoreDNS, `kube-system/coredns`
// with maxUnavailable 1. kubeadm installs CoreDNS without one (cmd/kubeadm/app/phases/addons/dns
// makes a Deployment, Service, ConfigMap and RBAC only); managed distributions add it — the EKS
// CoreDNS add-on deploys a PodDisruptionBudget since v1.9.3-eksbuild.6 / v1.10.1-eksbuild.3
// (https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html), selecting
// k8s-app=kube-dns. The simulated cluster ships it so that `kubectl drain` meets a budget as it
// would there.
//
// Its status is what the disruption controller (pkg/controller/disruption/disruption.go) would
// write now: expectedPods is the Deployment's scale, currentHealthy its Ready pods (running, on a
// Ready node, not deleted or evicted), desiredHealthy expectedPods − maxUnavailable, and
// disruptionsAllowed currentHealthy − desiredHealthy (not below 0). An eviction deletes a pod; its
// ReplicaSet replaces it (Store.reconcile, at the pace the control plane is served), and the
// replacement counts as healthy once it is Running on a Ready node, which gives the budget back.
import type { Layout, Provider, ServedWorkload } from '../layout';
import { matchLabels, type LabelRequirement } from '../selectors';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { condition, int, intOrString, labelSelector, obj, str, time, type KindSchema } from '../schema';
import { AGE, NAME, STATUS, col, type Any, type SimResource } from './resource';
import { locatePod } from './pods';
import { oldFrom } from '../rollouts';

/** The cluster's own budgets: name, the workload whose pods it covers, maxUnavailable. */
const SYSTEM_BUDGETS = [{ name: 'coredns', workload: 'kube-system/coredns', maxUnavailable: 1 }];

/** What the disruption controller computes for a budget over a Deployment's pods. */
export interface BudgetStatus {
  expectedPods: number;
  currentHealthy: number;
  desiredHealthy: number;
  disruptionsAllowed: number;
  /** The latest pod of it deleted through the API (an eviction), if any. */
  lastGone?: { rv: number; t: number };
}

export function budgetStatus(layout: Layout, g: ServedWorkload, maxUnavailable: number): BudgetStatus {
  const gone = new Map<number, { rv: number; t: number }>();
  let lastGone: BudgetStatus['lastGone'];
  for (const [name, b] of layout.written.goneIn('pods', g.namespace)) {
    // Its name decodes to an index of this workload (of the template it had, during a rollout).
    const at = locatePod(layout, g.namespace, name);
    if (at?.g !== g || at.i >= g.pods) continue;
    gone.set(at.i, b);
    if (!lastGone || b.rv > lastGone.rv) lastGone = b;
  }
  // During a rollout (rollouts.ts) the indices whose old pod is gone and new one still starting have no healthy pod.
  const r = layout.rollouts.get(g.key);
  const gapFrom = r ? r.done : Infinity;
  const gapTo = r ? oldFrom(r, g.pods) : -1;
  let currentHealthy = 0;
  for (let i = 0; i < Math.min(g.running, g.pods); i++) if (!gone.has(i) && !(i >= gapFrom && i < gapTo) && layout.nodeReady(layout.workloadPodNode(g, i))) currentHealthy++;
  // Replacement pods its ReplicaSet made (served from layout.extraPods, a handful at most).
  const ready = layout.extraPods.size ? replacementsReady(layout, g) : 0;
  currentHealthy += ready;
  const expectedPods = g.pods;
  const desiredHealthy = Math.max(0, expectedPods - maxUnavailable);
  return { expectedPods, currentHealthy, desiredHealthy, disruptionsAllowed: Math.max(0, currentHealthy - desiredHealthy), lastGone };
}

function replacementsReady(layout: Layout, g: ServedWorkload): number {
  let n = 0;
  const want = Object.entries(g.labels);
  for (const [k, p] of layout.extraPods) {
    if (!k.startsWith(`${g.namespace}/`) || !want.every(([l, v]) => p.labels[l] === v)) continue;
    const node = layout.nodeIndex(p.field('spec.nodeName') ?? '');
    if (p.field('status.phase') === 'Running' && node >= 0 && layout.nodeReady(node)) n++;
  }
  return n;
}

function budgetObject(layout: Layout, b: (typeof SYSTEM_BUDGETS)[number], g: ServedWorkload): SimObject {
  const selector = { matchLabels: { ...g.labels } };
  const s0 = budgetStatus(layout, g, b.maxUnavailable);
  // A budget's status changes with each eviction: its resourceVersion is the one after the pod's deletion.
  const rv = Math.max(g.rv, s0.lastGone ? s0.lastGone.rv + 1 : 0);
  return new LazyObject('poddisruptionbudgets', g.namespace, b.name, { ...g.labels }, g.createdAt, rv, noFields, (o) => {
    const s = budgetStatus(layout, g, b.maxUnavailable);
    const allowed = s.disruptionsAllowed > 0;
    // pdbhelper.UpdateDisruptionAllowedCondition (k8s.io/component-helpers/apps/poddisruptionbudget).
    const since = !allowed && s.lastGone ? s.lastGone.t : o.created + 60;
    return {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: layout.meta(o, { generation: 1 }),
      spec: { maxUnavailable: b.maxUnavailable, selector },
      status: {
        observedGeneration: 1,
        disruptionsAllowed: s.disruptionsAllowed,
        currentHealthy: s.currentHealthy,
        desiredHealthy: s.desiredHealthy,
        expectedPods: s.expectedPods,
        conditions: [
          { type: 'DisruptionAllowed', status: allowed ? 'True' : 'False', observedGeneration: 1, lastTransitionTime: layout.clock.iso(since), reason: allowed ? 'SufficientPods' : 'InsufficientPods', message: '' },
        ],
      },
    };
  });
}

function budgets(layout: Layout): SimObject[] {
  const out: SimObject[] = [];
  for (const b of SYSTEM_BUDGETS) {
    const g = layout.workloads.get(b.workload);
    if (g && g.system) out.push(budgetObject(layout, b, g));
  }
  return out;
}

function provider(layout: Layout): Provider {
  const items = budgets(layout);
  const parts = new Map<string, SimObject[]>();
  for (const o of items) parts.set(o.namespace!, [...(parts.get(o.namespace!) ?? []), o]);
  const p = layout.staticProvider(items);
  return { all: p.all, inNamespace: (ns) => layout.staticProvider(parts.get(ns) ?? []).all, get: (ns, name) => items.find((o) => o.namespace === ns && o.name === name) };
}

/**
 * A budget's spec.selector as label requirements; undefined when it selects nothing (a nil or
 * empty selector matches no pod, as the eviction subresource reads it: getPodDisruptionBudgets in
 * pkg/registry/core/pod/storage/eviction.go).
 */
export function budgetSelector(pdb: Json): LabelRequirement[] | undefined {
  const sel = ((pdb.spec as Json | undefined)?.selector ?? undefined) as Any;
  if (!sel) return undefined;
  const reqs: LabelRequirement[] = Object.entries((sel.matchLabels ?? {}) as Record<string, string>).map(([key, value]) => ({ key, op: 'eq', value }));
  for (const e of (sel.matchExpressions ?? []) as Any[]) {
    const values = (e.values ?? []) as string[];
    if (e.operator === 'In') reqs.push({ key: e.key, op: 'in', values });
    else if (e.operator === 'NotIn') reqs.push({ key: e.key, op: 'notin', values });
    else if (e.operator === 'Exists') reqs.push({ key: e.key, op: 'exists' });
    else if (e.operator === 'DoesNotExist') reqs.push({ key: e.key, op: 'notexists' });
    else return undefined; // an invalid selector matches nothing
  }
  return reqs.length ? reqs : undefined;
}

/** Does the budget cover a pod with these labels? */
export function budgetSelects(pdb: Json, labels: Record<string, string>): boolean {
  const reqs = budgetSelector(pdb);
  return !!reqs && matchLabels(reqs, labels);
}

// policy/v1 PodDisruptionBudget (Kubernetes API reference, policy-resources/pod-disruption-budget-v1).
const schema: KindSchema = {
  description: 'PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods',
  properties: {
    spec: obj('Specification of the desired behavior of the PodDisruptionBudget.', {
      minAvailable: intOrString('An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction, i.e. even in the absence of the evicted pod.'),
      maxUnavailable: intOrString('An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction, i.e. even in absence of the evicted pod.'),
      selector: labelSelector('Label query over pods whose evictions are managed by the disruption budget.'),
      unhealthyPodEvictionPolicy: str('UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction. Valid policies are IfHealthyBudget and AlwaysAllow.'),
    }),
    status: obj('Most recently observed status of the PodDisruptionBudget.', {
      observedGeneration: int('Most recent generation observed when updating this PDB status.', 'int64'),
      disruptedPods: { type: 'object', additionalProperties: { type: 'string', format: 'date-time' }, description: 'DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller.' },
      disruptionsAllowed: int('Number of pod disruptions that are currently allowed.'),
      currentHealthy: int('current number of healthy pods'),
      desiredHealthy: int('minimum desired number of healthy pods'),
      expectedPods: int('total number of pods counted by this disruption budget'),
      conditions: condition('Conditions contain conditions for PDB. The disruption controller sets the DisruptionAllowed condition.', {
        observedGeneration: int('observedGeneration represents the .metadata.generation that the condition was set based upon.', 'int64'),
        lastTransitionTime: time('lastTransitionTime is the last time the condition transitioned from one status to another.'),
      }),
    }),
  },
};

export const poddisruptionbudgets: SimResource = {
  name: 'poddisruptionbudgets',
  singularName: 'poddisruptionbudget',
  kind: 'PodDisruptionBudget',
  group: 'policy',
  version: 'v1',
  namespaced: true,
  shortNames: ['pdb'],
  fields: [],
  subresources: [STATUS('PodDisruptionBudget')],
  schema,
  // Its status follows every eviction without the layout changing: built on each use.
  volatile: true,
  // pkg/printers/internalversion/printers.go, podDisruptionBudgetColumnDefinitions / printPodDisruptionBudget.
  columns: [
    NAME,
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    AGE,
  ],
  cells: (o, age) => {
    const s = o.spec ?? {};
    return [o.metadata.name, s.minAvailable !== undefined ? String(s.minAvailable) : 'N/A', s.maxUnavailable !== undefined ? String(s.maxUnavailable) : 'N/A', o.status?.disruptionsAllowed ?? 0, age];
  },
  provider,
};
