// Events (core v1 `events`), built from what the model and the server have seen, aggregated as
// client-go's event correlator aggregates repeats (same involved object and reason: one Event
// with a count, firstTimestamp and lastTimestamp) rather than one object per occurrence:
//
// - NodeNotReady for each NotReady node, as the node-lifecycle controller records it
//   (pkg/controller/nodelifecycle: type Normal, reason NodeNotReady, "Node X status is now:
//   NodeNotReady"), from when the server saw the node go NotReady;
// - the model's own events (an API server replica OOM-killed or back, CoreDNS lost, workloads
//   deployed, scaled, deleted, blocked), one Event per involved object and reason;
// - 429 storms: one Warning per APF priority level that rejected requests, counting them.
//   kube-apiserver records no Event for a rejection (it answers 429 and counts
//   apiserver_flowcontrol_rejected_requests_total); the simulator adds this one so that
//   `kubectl get events` tells the story of a saturated control plane.
//
// Cluster-scoped objects' Events live in `default`, as kube-apiserver's recorders put them.
import { apfUid } from '../apf';
import type { Layout, Provider } from '../layout';
import { fnv32, stableUid } from '../names';
import { arraySeq, rangeSeq, type Seq } from '../seq';
import { LazyObject, type Json, type SimObject } from '../simObject';
import type { ModelEvent } from '../../types';
import { fillerPod, getPod, workloadPod } from './pods';
import { col, type Any, type SimResource } from './resource';
import { int, obj, objectReference, str, time, type KindSchema } from '../schema';

interface InvolvedObject {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid?: string;
}

/** One aggregated Event. */
interface EventPlan {
  involved: InvolvedObject;
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  component: string;
  host?: string;
  count: number;
  /** Simulated seconds. */
  first: number;
  /** Tells apart Events of one object and reason that differ in message (their names). */
  distinct?: string;
  last: number;
}

/** What a kind of model event is, as an Event: its type, reason and reporting component. */
const MODEL_EVENT_REASONS: Record<string, { type: 'Normal' | 'Warning'; reason: string; component: string }> = {
  'apiserver-down': { type: 'Warning', reason: 'Unhealthy', component: 'kubelet' },
  'apiserver-up': { type: 'Normal', reason: 'Started', component: 'kubelet' },
  'apiserver-scaled': { type: 'Normal', reason: 'Scaled', component: 'control-plane' },
  'control-plane-lost': { type: 'Warning', reason: 'ControlPlaneLost', component: 'control-plane' },
  'control-plane-restoring': { type: 'Normal', reason: 'ControlPlaneRestoring', component: 'control-plane' },
  'dns-lost': { type: 'Warning', reason: 'Unhealthy', component: 'kubelet' },
  'dns-restored': { type: 'Normal', reason: 'Started', component: 'kubelet' },
  'workload-deployed': { type: 'Normal', reason: 'SuccessfulCreate', component: 'breakglass-sim' },
  'workload-deleted': { type: 'Normal', reason: 'Deleted', component: 'breakglass-sim' },
  'workload-scaled': { type: 'Normal', reason: 'ScalingReplicaSet', component: 'deployment-controller' },
  'agents-stopped': { type: 'Normal', reason: 'Killing', component: 'kubelet' },
  'client-blocked': { type: 'Warning', reason: 'TrafficBlocked', component: 'breakglass-sim' },
  'client-unblocked': { type: 'Normal', reason: 'TrafficAllowed', component: 'breakglass-sim' },
  'nodes-scaled': { type: 'Normal', reason: 'NodesScaled', component: 'cluster-autoscaler' },
};

/** The object a model event is about. */
function involvedOf(layout: Layout, e: ModelEvent): InvolvedObject {
  const replica = /API server replica (\d+)/.exec(e.detail);
  if (replica) {
    // kube-apiserver runs as a static pod named after its control-plane node.
    return { apiVersion: 'v1', kind: 'Pod', namespace: 'kube-system', name: `kube-apiserver-control-plane-${Number(replica[1]) + 1}` };
  }
  if (e.kind.startsWith('dns-')) return { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'kube-system', name: 'coredns' };
  if (e.kind.startsWith('control-plane') || e.kind.startsWith('apiserver-')) return { apiVersion: 'v1', kind: 'Service', namespace: 'default', name: 'kubernetes' };
  const ref = /([a-z0-9][-a-z0-9.]*)\/([a-z0-9][-a-z0-9.]*)/.exec(e.detail);
  if (ref) {
    const g = layout.workloads.get(`${ref[1]}/${ref[2]}`);
    const kind = g?.kind ?? (/\bDaemonSet\b/.test(e.detail) ? 'DaemonSet' : 'Deployment');
    return { apiVersion: 'apps/v1', kind, namespace: ref[1], name: ref[2], ...(g ? { uid: g.uid } : {}) };
  }
  return { apiVersion: 'v1', kind: 'Node', name: '' };
}

/** The model's events, one plan per involved object and reason (the latest message wins). */
function modelEventPlans(layout: Layout): EventPlan[] {
  const byKey = new Map<string, EventPlan>();
  for (const e of layout.history.events()) {
    const r = MODEL_EVENT_REASONS[e.kind] ?? { type: 'Normal' as const, reason: e.kind.replace(/(^|-)(\w)/g, (_m, _d, c: string) => c.toUpperCase()), component: 'breakglass-sim' };
    const involved = involvedOf(layout, e);
    const reason = e.kind === 'apiserver-down' && /OOM/.test(e.detail) ? 'OOMKilling' : r.reason;
    const key = `${involved.kind}/${involved.namespace ?? ''}/${involved.name}/${reason}`;
    const p = byKey.get(key);
    if (p) {
      p.count++;
      p.last = e.t;
      p.message = e.detail;
    } else byKey.set(key, { involved, type: r.type, reason, message: e.detail, component: r.component, count: 1, first: e.t, last: e.t });
  }
  return [...byKey.values()];
}

/** The controllers' Events (evictions, replacement pods, restarts), one plan per involved object and reason. */
function controllerPlans(layout: Layout): EventPlan[] {
  const byKey = new Map<string, EventPlan>();
  for (const e of layout.history.controllerNotes()) {
    const key = `${e.involved.kind}/${e.involved.namespace ?? ''}/${e.involved.name}/${e.reason}/${e.message}`;
    const p = byKey.get(key);
    if (p) {
      p.count++;
      p.last = e.t;
    } else byKey.set(key, { involved: e.involved, type: e.type, reason: e.reason, message: e.message, component: e.component, ...(e.host ? { host: e.host } : {}), distinct: e.message, count: 1, first: e.t, last: e.t });
  }
  return [...byKey.values()];
}

function rejectionPlans(layout: Layout): EventPlan[] {
  return layout.history.rejectionRecords().map((r) => {
    const n = Math.round(r.total);
    return {
      involved: { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', name: r.level, uid: apfUid('PriorityLevelConfiguration', r.level) },
      type: 'Warning',
      reason: 'TooManyRequests',
      message: `${n} requests rejected with 429 by API Priority and Fairness at priority level ${r.level}`,
      component: 'apiserver',
      count: n,
      first: r.first,
      last: r.last,
    };
  });
}

function nodeNotReadyPlan(layout: Layout, i: number): EventPlan {
  const name = layout.nodeName(i);
  const since = layout.history.notReadySince(i) ?? Math.min(0, layout.clock.now());
  return {
    involved: { apiVersion: 'v1', kind: 'Node', name, uid: stableUid(`nodes//${name}/${layout.nodeCreated(i)}`) },
    type: 'Normal',
    reason: 'NodeNotReady',
    message: `Node ${name} status is now: NodeNotReady`,
    component: 'node-controller',
    count: 1,
    first: since,
    last: since,
  };
}

/**
 * The node-lifecycle controller marks every pod of a node that went NotReady not ready and records
 * on each `Warning NodeNotReady "Node is not ready"` (pkg/controller/util/node/controller_utils.go,
 * MarkPodsNotReady), which `kubectl describe pod` shows. `node` is the pod's node index.
 */
function podNotReadyPlan(layout: Layout, pod: SimObject, node: number): EventPlan {
  const since = layout.history.notReadySince(node) ?? Math.min(0, layout.clock.now());
  return {
    involved: { apiVersion: 'v1', kind: 'Pod', namespace: pod.namespace, name: pod.name, uid: stableUid(`pods/${pod.namespace}/${pod.name}/${pod.created}`) },
    type: 'Warning',
    reason: 'NodeNotReady',
    message: 'Node is not ready',
    component: 'node-controller',
    count: 1,
    first: since,
    last: since,
  };
}

/**
 * The pods on NotReady nodes, by namespace, each as its NodeNotReady Event, counted without
 * building them: NotReady nodes are laid out last (nodes nodesReady … nodeCount-1), so a
 * DaemonSet's pods there and a namespace's filler pods there are index ranges.
 */
function podNotReadySeqs(layout: Layout): Map<string, Seq[]> {
  const out = new Map<string, Seq[]>();
  const add = (ns: string, seq: Seq): void => {
    if (seq.count > 0) out.set(ns, [...(out.get(ns) ?? []), seq]);
  };
  const from = layout.nodesReady;
  const to = layout.nodeCount;
  if (from >= to) return out;
  for (const g of layout.daemonSets) {
    add(g.namespace, rangeSeq(Math.min(g.pods, to) - from, (k) => eventObject(layout, podNotReadyPlan(layout, workloadPod(layout, g, from + k), from + k))));
  }
  for (const g of layout.deployments) {
    const here: number[] = [];
    for (let i = 0; i < g.pods; i++) if (layout.workloadPodNode(g, i) >= from) here.push(i);
    add(g.namespace, rangeSeq(here.length, (k) => eventObject(layout, podNotReadyPlan(layout, workloadPod(layout, g, here[k]), layout.workloadPodNode(g, here[k])))));
  }
  const F = layout.fillerPerNode;
  const A = layout.appNamespaceCount;
  if (F > 0 && A > 0) {
    const lo = from * F;
    const hi = to * F;
    for (let j = 0; j < A; j++) {
      // Filler pods g ≡ j (mod A) in [lo, hi).
      const first = lo + ((((j - lo) % A) + A) % A);
      const count = first < hi ? Math.floor((hi - 1 - first) / A) + 1 : 0;
      add(layout.appNs[j], rangeSeq(count, (k) => {
        const g = first + k * A;
        return eventObject(layout, podNotReadyPlan(layout, fillerPod(layout, g), Math.floor(g / F)));
      }));
    }
  }
  return out;
}

/** Event names are `<involved object>.<creation time in Unix nanoseconds, hex>`, as client-go's recorder makes them. */
function eventName(layout: Layout, p: EventPlan): string {
  const ms = Date.parse(layout.clock.iso(p.first)) + (fnv32(`${p.involved.kind}/${p.reason}${p.distinct ?? ''}`) % 1000);
  return `${p.involved.name || p.involved.kind.toLowerCase()}.${(BigInt(ms) * BigInt(1_000_000)).toString(16)}`;
}

function eventObject(layout: Layout, p: EventPlan): SimObject {
  const namespace = p.involved.namespace ?? 'default';
  const name = eventName(layout, p);
  const fields = (path: string): string | undefined => {
    switch (path) {
      case 'involvedObject.kind':
        return p.involved.kind;
      case 'involvedObject.namespace':
        return p.involved.namespace ?? '';
      case 'involvedObject.name':
        return p.involved.name;
      case 'involvedObject.uid':
        return p.involved.uid ?? '';
      case 'involvedObject.apiVersion':
        return p.involved.apiVersion;
      case 'involvedObject.resourceVersion':
      case 'involvedObject.fieldPath':
        return '';
      case 'reason':
        return p.reason;
      case 'reportingComponent':
        return p.component;
      case 'source':
        return p.component;
      case 'type':
        return p.type;
      default:
        return undefined;
    }
  };
  return new LazyObject('events', namespace, name, {}, p.first, layout.baseRv - 7, fields, (o) => {
    const body: Json = {
      kind: 'Event',
      apiVersion: 'v1',
      metadata: layout.meta(o),
      involvedObject: { ...p.involved },
      reason: p.reason,
      message: p.message,
      source: { component: p.component, ...(p.host ? { host: p.host } : {}) },
      firstTimestamp: layout.clock.iso(p.first),
      lastTimestamp: layout.clock.iso(p.last),
      count: p.count,
      type: p.type,
      eventTime: null,
      reportingComponent: p.component,
      reportingInstance: p.host ?? '',
    };
    return body;
  });
}

function provider(layout: Layout): Provider {
  const byNamespace = new Map<string, SimObject[]>();
  for (const p of [...rejectionPlans(layout), ...modelEventPlans(layout), ...controllerPlans(layout)]) {
    const o = eventObject(layout, p);
    const list = byNamespace.get(o.namespace!) ?? [];
    list.push(o);
    byNamespace.set(o.namespace!, list);
  }
  const notReady = Math.max(0, layout.nodeCount - layout.nodesReady);
  const nodeEvent = (k: number): SimObject => eventObject(layout, nodeNotReadyPlan(layout, layout.nodesReady + k));
  const parts = new Map<string, Seq[]>();
  for (const [ns, list] of byNamespace) parts.set(ns, [arraySeq(list)]);
  parts.set('default', [rangeSeq(notReady, nodeEvent), ...(parts.get('default') ?? [])]);
  for (const [ns, seqs] of podNotReadySeqs(layout)) parts.set(ns, [...(parts.get(ns) ?? []), ...seqs]);
  return layout.namespacedProvider(parts, (ns, name) => {
    const own = byNamespace.get(ns)?.find((o) => o.name === name);
    if (own) return own;
    // A pod's NodeNotReady Event: `<pod>.<hex>`.
    const pod = getPod(layout, ns, name.slice(0, name.lastIndexOf('.')));
    if (pod) {
      const node = layout.nodeIndex(String(pod.field('spec.nodeName') ?? ''));
      if (node < layout.nodesReady) return undefined;
      const o = eventObject(layout, podNotReadyPlan(layout, pod, node));
      return o.name === name ? o : undefined;
    }
    if (ns !== 'default') return undefined;
    const i = layout.nodeIndex(name.slice(0, name.lastIndexOf('.')));
    if (i < layout.nodesReady) return undefined;
    const o = nodeEvent(i - layout.nodesReady);
    return o.name === name ? o : undefined;
  });
}

/** kubectl's formatEventSource: component, then ", host" when there is one. */
function sourceCell(o: Any): string {
  const component = o.source?.component || o.reportingComponent || '';
  const instance = o.source?.host || o.reportingInstance || '';
  return instance ? `${component}, ${instance}` : component;
}

// https://kubernetes.io/docs/reference/kubernetes-api/ (events).
const schema: KindSchema = {
  description: 'Event is a report of an event somewhere in the cluster.',
  properties: {
    involvedObject: objectReference('The object that this event is about.'),
    reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    message: str('A human-readable description of the status of this operation.'),
    source: obj('The component reporting this event.', { component: str('Component from which the event is generated.'), host: str('Node name on which the event is generated.') }),
    firstTimestamp: time('The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)'),
    lastTimestamp: time('The time at which the most recent occurrence of this event was recorded.'),
    count: int('The number of times this event has occurred.'),
    type: str('Type of this event (Normal, Warning), new types could be added in the future'),
    eventTime: { type: 'string', format: 'date-time', description: 'Time when this Event was first observed.' },
    reportingComponent: str('Name of the controller that emitted this Event, e.g. `kubernetes.io/kubelet`.'),
    reportingInstance: str('ID of the controller instance, e.g. `kubelet-xyzf`.'),
    action: str('What action was taken/failed regarding to the Regarding object.'),
  },
};

export const events: SimResource = {
  name: 'events',
  singularName: 'event',
  kind: 'Event',
  group: '',
  version: 'v1',
  namespaced: true,
  shortNames: ['ev'],
  // pkg/registry/core/event/strategy.go ToSelectableFields.
  fields: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  subresources: [],
  schema,
  // pkg/printers/internalversion: eventColumnDefinitions; the server prints the wide cells.
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
    col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', 1),
    col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    { ...col('Name', 'string', 'Name must be unique within a namespace.', 1), format: 'name' },
  ],
  cells: (o, _age, since) => {
    const first = o.firstTimestamp ? since(o.firstTimestamp) : '<unknown>';
    const last = o.lastTimestamp ? since(o.lastTimestamp) : first;
    const target = o.involvedObject?.name ? `${String(o.involvedObject.kind).toLowerCase()}/${o.involvedObject.name}` : String(o.involvedObject?.kind ?? '').toLowerCase();
    return [last, o.type, o.reason, target, o.involvedObject?.fieldPath ?? '', sourceCell(o), String(o.message ?? '').trim(), first, o.count ?? 1, o.metadata.name];
  },
  provider,
  volatile: true,
};
