// The server's view of one simulated cluster: the current Layout, a resourceVersion, and the
// log of watch events. Changes are found by comparing what the model says now with what the
// server last saw (workloads, running pods, ready nodes) and become ADDED / MODIFIED / DELETED
// events, each with its own resourceVersion, as etcd revisions would be.
import type { ClusterSnapshot, SimCluster } from '../types';
import { ClusterHistory, type ControllerEvent } from './history';
import { Layout, systemWorkloads, type LayoutInput, type ServedWorkload, type WorkloadInfo } from './layout';
import { forgetProvider, providerOf, resourceNamed } from './resources';
import { daemonSetObject } from './resources/daemonsets';
import { deploymentObject } from './resources/deployments';
import { nodeLeaseObject } from './resources/leases';
import { namespaceObject } from './resources/namespaces';
import { nodeObject } from './resources/nodes';
import { fillerPod, fillerRange, workloadPod } from './resources/pods';
import { replicaSetObject, replicaSetsOf } from './resources/replicasets';
import { oldFrom, stepOf, strategyOf, type Rollout } from './rollouts';
import { matchFields, matchLabels, pinnedField, type FieldRequirement, type LabelRequirement } from './selectors';
import { arraySeq, ConcatSeq, type Seq } from './seq';
import { LazyObject, type Clock, type Json, type SimObject } from './simObject';
import { SuffixCodec, fnv32, stableUid } from './names';
import { createHash, randomInt } from 'node:crypto';
import { Written, type WrittenEntry } from './written';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoredEvent {
  rv: number;
  type: EventType;
  obj: SimObject;
}

/** The recent watch events, oldest first; older ones are compacted away. */
export class EventLog {
  private events: StoredEvent[] = [];
  /** Events at or below this resourceVersion are gone (a watch from there answers 410). */
  compactedRv = 0;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly capacity: number) {}

  append(e: StoredEvent): void {
    this.events.push(e);
    if (this.events.length > this.capacity * 1.25) {
      const drop = this.events.length - this.capacity;
      this.compactedRv = this.events[drop - 1].rv;
      this.events.splice(0, drop);
    }
  }

  get length(): number {
    return this.events.length;
  }

  at(i: number): StoredEvent {
    return this.events[i];
  }

  /** Index of the first event after resourceVersion rv. */
  indexAfter(rv: number): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid].rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  notify(): void {
    for (const fn of [...this.listeners]) fn();
  }
}

export interface ListQuery {
  namespace?: string;
  labels: LabelRequirement[];
  fields: FieldRequirement[];
  /** 0: no limit. */
  limit: number;
  /** Index to start from (from a continue token). */
  start: number;
}

export interface ListResult {
  items: SimObject[];
  /** Index of the next page, when there is one. */
  next?: number;
  /** Objects after this page (only without selectors, as kube-apiserver). */
  remaining?: number;
}

export const FIRST_RV = 1000;

/**
 * Seconds the ReplicaSet or DaemonSet controller takes to create a replacement for a deleted pod
 * when its requests are served at once: it hears of the deletion through its informer and
 * creates the pod in its next sync (pkg/controller/replicaset/replica_set.go manageReplicas,
 * pkg/controller/daemon/daemon_controller.go syncNodes); about a second in a healthy cluster.
 */
export const CONTROLLER_CREATE_SECONDS = 1;
/**
 * Seconds from a pod's creation to Running when the kubelet is answered at once: under the
 * pod-startup SLO of 5 s at the 99th percentile for stateless pods with images present
 * (kubernetes/community sig-scalability/slos/pod_startup_latency.md).
 */
export const POD_START_SECONDS = 2;
/**
 * Served seconds of kube-controller-manager per step of a rolling update: two syncs, as a step
 * takes two controllers' turns — the deployment controller scales the ReplicaSets and the
 * replicaset controller creates the pods (pkg/controller/deployment/rolling.go,
 * pkg/controller/replicaset/replica_set.go), or the daemonset controller deletes the old pods and
 * creates the new ones in its next sync (pkg/controller/daemon/update.go rollingUpdate, syncNodes).
 */
export const ROLLOUT_STEP_CONTROLLER_SECONDS = 2 * CONTROLLER_CREATE_SECONDS;
/** Generated-name suffix alphabet (k8s.io/apimachinery/pkg/util/rand, SimpleNameGenerator: 5 characters). */
const SUFFIX = 'bcdfghjklmnpqrstvwxz2456789';

/** What a workload's pods run before a template change (a rollout's starting point). */
export interface RolloutBase {
  hash: string;
  codec: SuffixCodec;
  image: string;
  generation: number;
}

/** A pod a controller creates for one deleted through the API (or evicted). */
interface Replacement {
  namespace: string;
  name: string;
  /** The deleted pod as it was served: the template of the new one. */
  base: Json;
  owner: { apiVersion: string; kind: string; name: string; uid: string };
  /** Node index, or -1 while no node can take it. */
  node: number;
  /** Simulated seconds of the last progress update. */
  at: number;
  /** Seconds of work done towards the next step (served seconds of the controller, then of the kubelet). */
  progress: number;
  createdAt?: number;
  runningAt?: number;
  rv: number;
}

export class Store {
  rv = FIRST_RV;
  layout: Layout;
  readonly log: EventLog;
  private fingerprint = '';
  private readonly systemDeleted = new Set<string>();
  private readonly systemReplicas = new Map<string, number>();
  private snap?: { at: number; value: ClusterSnapshot };
  /** The snapshot the layout was last brought up to date with (sync()). */
  private synced?: ClusterSnapshot;
  private readonly namespacesSeen = new Set<string>();
  /** What the server has seen over time (lease renewals, events). */
  readonly history = new ClusterHistory();

  /** Records an Event a controller writes now (served by `events` and shown by `kubectl describe`). */
  recordEvent(e: Omit<ControllerEvent, 't'>): void {
    this.history.note({ ...e, t: this.clock.now() });
  }
  /** What clients wrote over the computed objects (written.ts). */
  readonly written = new Written();
  /** Replacement pods being made or made, by `ns/name` of the new pod (a few: one per deleted pod). */
  private readonly replacements = new Map<string, Replacement>();
  /** The replacement pods that exist, as served (layout.extraPods). */
  private readonly extraPods = new Map<string, SimObject>();
  /** Rolling updates by workload key (rollouts.ts; layout.rollouts): one per workload whose template was changed. */
  private readonly rollouts = new Map<string, Rollout>();
  /** Changes of the rollouts (the layout is rebuilt on each: its pods and ReplicaSets follow them). */
  private rolloutTick = 0;

  constructor(
    readonly cluster: SimCluster,
    readonly clock: Clock,
    opts: { eventCapacity?: number } = {},
  ) {
    this.log = new EventLog(opts.eventCapacity ?? 100_000);
    const s = this.snapshot();
    this.synced = s;
    const { input, fp } = this.read(s);
    this.fingerprint = fp;
    this.layout = new Layout({ ...input, history: this.history, written: this.written, extraPods: this.extraPods, rollouts: this.rollouts, baseRv: FIRST_RV }, clock);
  }

  /**
   * Forget the cached snapshot: the model said something changed, or the store changed one of the
   * layout's inputs (a system workload deleted or scaled, a namespace made, a rollout's step). The
   * next sync() reads everything again.
   */
  invalidate(): void {
    this.snap = undefined;
  }

  /** The model's snapshot, at most 20 ms old, and never from an earlier simulated second. */
  snapshot(): ClusterSnapshot {
    const now = Date.now();
    if (!this.snap || now - this.snap.at > 20 || this.snap.value.t !== this.cluster.now()) this.snap = { at: now, value: this.cluster.snapshot() };
    return this.snap.value;
  }

  private workloadInfos(): WorkloadInfo[] {
    const model: WorkloadInfo[] = this.cluster.workloads().map((w) => ({
      namespace: w.namespace,
      name: w.name,
      kind: w.kind,
      replicas: w.kind === 'Deployment' ? w.replicas ?? 1 : 0,
      image: w.image,
      labels: w.labels && Object.keys(w.labels).length ? w.labels : { app: w.name },
      serviceAccount: w.serviceAccount || 'default',
      createdAt: w.createdAt,
      system: false,
      nodes: w.nodes,
    }));
    const taken = new Set(model.map((w) => `${w.namespace}/${w.name}`));
    const system = systemWorkloads(this.cluster.spec)
      .filter((w) => !taken.has(`${w.namespace}/${w.name}`) && !this.systemDeleted.has(`${w.namespace}/${w.name}`))
      .map((w) => ({ ...w, replicas: this.systemReplicas.get(`${w.namespace}/${w.name}`) ?? w.replicas }));
    return [...system, ...model];
  }

  private read(s: ClusterSnapshot): { input: Omit<LayoutInput, 'baseRv'>; fp: string } {
    const workloads = this.workloadInfos();
    this.history.observe(s, Math.max(0, Math.floor(this.cluster.spec.nodes)));
    const running = s.workloadPods ?? {};
    const nodesReady = Math.min(this.cluster.spec.nodes, s.nodes?.ready ?? this.cluster.spec.nodes);
    const apiReplicasReady = s.apiserver?.replicasReady ?? this.cluster.spec.apiServerReplicas;
    const spec = this.cluster.spec;
    let fp = `${spec.nodes}/${spec.podsPerNode}/${spec.namespaces}/${spec.services}/${spec.apiServerReplicas}|${nodesReady}|${apiReplicasReady}`;
    for (const w of workloads) {
      const key = `${w.namespace}/${w.name}`;
      fp += `|${key}/${w.kind}/${w.replicas}/${w.nodes ?? ''}/${w.createdAt}/${w.image}/${running[key] ?? '-'}`;
    }
    for (const w of workloads) this.namespacesSeen.add(w.namespace);
    fp += `|ns:${this.namespacesSeen.size}|ro:${this.rolloutTick}`;
    return { input: { spec: this.cluster.spec, workloads, running, nodesReady, apiReplicasReady, extraNamespaces: [...this.namespacesSeen] }, fp };
  }

  /** Brings the layout up to date with the model; emits watch events for what changed. */
  sync(): void {
    this.reconcile();
    const s = this.snapshot();
    // The same snapshot object as at the last sync: neither the model nor the store changed an
    // input since (a model step or event, and every store change, drops the snapshot), so the
    // layout is current. Every request syncs; this keeps an unloaded GET from re-reading the model.
    if (s === this.synced) return;
    this.synced = s;
    const { input, fp } = this.read(s);
    if (fp === this.fingerprint) return;
    this.fingerprint = fp;
    const old = this.layout;
    const neu = new Layout({ ...input, previous: old, history: this.history, written: this.written, extraPods: this.extraPods, rollouts: this.rollouts, baseRv: FIRST_RV }, this.clock);
    this.layout = neu;
    if (this.diff(old, neu)) this.log.notify();
  }

  private emit(type: EventType, obj: SimObject): number {
    obj.rv = ++this.rv;
    this.log.append({ rv: obj.rv, type, obj });
    return obj.rv;
  }

  private dead(resource: string, o: SimObject): boolean {
    const measured = resourceNamed(resource)?.measures;
    return this.written.isGone(resource, o.namespace, o.name) || (!!measured && this.written.isGone(measured, o.namespace, o.name));
  }

  private diff(old: Layout, neu: Layout): boolean {
    const start = this.rv;
    const same = (a: ServedWorkload | undefined, b: ServedWorkload | undefined): boolean => !!a && !!b && a.kind === b.kind && a.createdAt === b.createdAt;
    for (const ns of neu.namespaces) if (!old.hasNamespace(ns)) this.emit('ADDED', namespaceObject(neu, ns));
    // Workloads that went away: their pods first, then the workload.
    for (const [key, og] of old.workloads) {
      if (same(og, neu.workloads.get(key))) continue;
      for (let i = 0; i < og.pods; i++) {
        const p = workloadPod(old, og, i);
        if (!this.dead('pods', p)) this.emit('DELETED', p);
      }
      // What clients wrote of it goes with it (a workload made again starts afresh).
      this.written.forget(og.kind === 'DaemonSet' ? 'daemonsets' : 'deployments', og.namespace, og.name);
      this.rollouts.delete(key);
      if (og.kind === 'DaemonSet') this.emit('DELETED', daemonSetObject(old, og));
      else {
        this.emit('DELETED', replicaSetObject(old, og));
        this.emit('DELETED', deploymentObject(old, og));
      }
    }
    for (const [key, ng] of neu.workloads) {
      const og = old.workloads.get(key);
      if (!same(og, ng)) {
        if (ng.kind === 'DaemonSet') this.emit('ADDED', daemonSetObject(neu, ng));
        else {
          this.emit('ADDED', deploymentObject(neu, ng));
          this.emit('ADDED', replicaSetObject(neu, ng));
        }
        for (let i = 0; i < ng.pods; i++) this.emit('ADDED', workloadPod(neu, ng, i));
        ng.rv = this.rv;
        continue;
      }
      const o = og!;
      const before = this.rv;
      for (let i = o.pods; i < ng.pods; i++) this.emit('ADDED', workloadPod(neu, ng, i));
      for (let i = ng.pods; i < o.pods; i++) {
        const p = workloadPod(old, o, i);
        if (!this.dead('pods', p)) this.emit('DELETED', p);
      }
      const lo = Math.min(o.running, ng.running);
      const hi = Math.min(Math.max(o.running, ng.running), o.pods, ng.pods);
      for (let i = lo; i < hi; i++) {
        const p = workloadPod(neu, ng, i);
        if (!this.dead('pods', p)) this.emit('MODIFIED', p);
      }
      if (this.rv !== before || o.running !== ng.running) {
        ng.rv = this.rv + 1; // the workload's own event comes next
        if (ng.kind === 'DaemonSet') this.emit('MODIFIED', daemonSetObject(neu, ng));
        else {
          this.emit('MODIFIED', deploymentObject(neu, ng));
          this.emit('MODIFIED', replicaSetObject(neu, ng));
          ng.rv = this.rv;
        }
      }
    }
    if (old.nodeCount !== neu.nodeCount) {
      // Nodes added or removed (at the end of the list), with their leases and filler pods; the
      // DaemonSets' pods on them came and went with the DaemonSets' pod counts above.
      const grow = neu.nodeCount > old.nodeCount;
      const [changed, from, to] = grow ? [neu, old.nodeCount, neu.nodeCount] : [old, neu.nodeCount, old.nodeCount];
      const type = grow ? 'ADDED' : 'DELETED';
      const order = grow ? (a: () => void, b: () => void): void => (a(), b()) : (a: () => void, b: () => void): void => (b(), a());
      order(
        () => {
          for (let i = from; i < to; i++) {
            this.emit(type, nodeObject(changed, i));
            this.emit(type, nodeLeaseObject(changed, i));
          }
        },
        () => {
          const filler = fillerRange(changed, from, to);
          for (let i = 0; i < filler.count; i++) {
            const p = filler.at(i);
            if (grow || !this.dead('pods', p)) this.emit(type, p);
          }
        },
      );
    }
    if (old.nodesReady !== neu.nodesReady) {
      const lo = Math.min(old.nodesReady, neu.nodesReady);
      const hi = Math.min(Math.max(old.nodesReady, neu.nodesReady), old.nodeCount, neu.nodeCount);
      for (let i = lo; i < hi; i++) this.emit('MODIFIED', nodeObject(neu, i));
    }
    if (old.nodesReady !== neu.nodesReady || old.nodeCount !== neu.nodeCount) {
      // The app namespaces' Deployments and ReplicaSets: their pods came, went, or changed readiness.
      for (let j = 0; j < Math.min(old.appNamespaceCount, neu.appNamespaceCount); j++) {
        if (!old.fillerCount(j) && !neu.fillerCount(j)) continue;
        const a = old.fillerWorkload(j);
        const b = neu.fillerWorkload(j);
        if (a.pods === b.pods && a.running === b.running) continue;
        this.emit('MODIFIED', this.written.view(deploymentObject(neu, b)));
        this.emit('MODIFIED', replicaSetObject(neu, b));
        b.rv = neu.fillerRv[j] = this.rv;
      }
    }
    for (const ns of old.namespaces) if (!neu.hasNamespace(ns)) this.emit('DELETED', namespaceObject(old, ns));
    return this.rv !== start;
  }

  // --- reads ----------------------------------------------------------------------------------------

  has(resource: string): boolean {
    return providerOf(this.layout, resource) !== undefined;
  }

  /** Objects of a resource in the store (apiserver_storage_objects, APF's estimate input). */
  count(resource: string): number {
    const p = providerOf(this.layout, resource);
    if (!p) return 0;
    return Math.max(0, p.all.count - this.written.goneCount(resource));
  }

  /** The object as served (with what clients wrote over it), or undefined. */
  get(resource: string, namespace: string | undefined, name: string): SimObject | undefined {
    const o = providerOf(this.layout, resource)?.get(namespace, name);
    return o && !this.dead(resource, o) ? this.written.view(o) : undefined;
  }

  /** An object as served (what clients wrote over the computed one). */
  view(o: SimObject): SimObject {
    return this.written.view(o);
  }

  /** The sequence a list walks: a name, the pods of one node (an index), a namespace, or all. */
  private scope(resource: string, q: Pick<ListQuery, 'namespace' | 'fields'>, namespaced: boolean): { seq: Seq; indexed: boolean } {
    const p = providerOf(this.layout, resource)!;
    const ns = q.namespace ?? pinnedField(q.fields, 'metadata.namespace');
    const name = pinnedField(q.fields, 'metadata.name');
    if (name !== undefined && (ns !== undefined || !namespaced)) {
      const o = this.get(resource, ns, name);
      return { seq: arraySeq(o ? [o] : []), indexed: true };
    }
    const index = resourceNamed(resource)?.index;
    const indexed = index && pinnedField(q.fields, index.field);
    if (index && indexed !== undefined) return { seq: arraySeq(index.objects(this.layout, indexed)), indexed: true };
    if (ns !== undefined) return { seq: namespaced ? p.inNamespace(ns) : arraySeq([]), indexed: false };
    return { seq: p.all, indexed: false };
  }

  /** How many objects a list would match before label selection (APF's "matched" for an index). */
  scopeCount(resource: string, q: Pick<ListQuery, 'namespace' | 'fields'>, namespaced: boolean): { matched: number; indexed: boolean } {
    const index = resourceNamed(resource)?.index;
    const value = index && pinnedField(q.fields, index.field);
    if (index && value !== undefined && pinnedField(q.fields, 'metadata.name') === undefined) return { matched: index.count(this.layout, value), indexed: true };
    const { seq, indexed } = this.scope(resource, q, namespaced);
    return { matched: seq.count, indexed };
  }

  /**
   * The objects of a list page one by one (nothing is kept); the generator's return value tells
   * where the next page starts.
   */
  *scan(resource: string, q: ListQuery, namespaced: boolean): Generator<SimObject, Omit<ListResult, 'items'>> {
    const { seq } = this.scope(resource, q, namespaced);
    const ns = q.namespace;
    const accept = (o: SimObject): boolean =>
      (ns === undefined || o.namespace === ns) && !this.dead(resource, o) && matchLabels(q.labels, o.labels) && matchFields(q.fields, (f) => o.field(f));
    const written = this.written.touches(resource);
    const limit = q.limit > 0 ? q.limit : Infinity;
    let next: number | undefined;
    let n = 0;
    const iter: Iterable<[number, SimObject]> =
      seq instanceof ConcatSeq
        ? seq.from(q.start, q.labels.length && !written ? (part) => !!part.constLabels && !matchLabels(q.labels, part.constLabels) : undefined)
        : (function* () {
            for (let i = q.start; i < seq.count; i++) yield [i, seq.at(i)] as [number, SimObject];
          })();
    for (const [i, computed] of iter) {
      const o = written ? this.written.view(computed) : computed;
      if (!accept(o)) continue;
      yield o;
      if (++n >= limit) {
        if (i + 1 < seq.count) next = i + 1;
        break;
      }
    }
    const selectors = q.labels.length > 0 || q.fields.length > 0;
    const remaining = next !== undefined && !selectors ? seq.count - next : undefined;
    return { next, remaining };
  }

  list(resource: string, q: ListQuery, namespaced: boolean): ListResult {
    const items: SimObject[] = [];
    const g = this.scan(resource, q, namespaced);
    for (let r = g.next(); ; r = g.next()) {
      if (r.done) return { items, ...r.value };
      items.push(r.value);
    }
  }

  /** All objects of a list, lazily (the initial events of a watch). */
  *iterate(resource: string, q: Omit<ListQuery, 'limit' | 'start'>, namespaced: boolean): Generator<SimObject> {
    let start = 0;
    for (;;) {
      const page = this.list(resource, { ...q, limit: 500, start }, namespaced);
      yield* page.items;
      if (page.next === undefined) return;
      start = page.next;
    }
  }

  // --- writes ---------------------------------------------------------------------------------------

  /**
   * Keeps what a client wrote of an object (metadata, spec) and tells watchers: one MODIFIED
   * event (ADDED for a created one) with its own resourceVersion. The object as served now.
   */
  write(resource: string, namespace: string | undefined, name: string, entry: Omit<WrittenEntry, 'rv'>, type: 'ADDED' | 'MODIFIED' = 'MODIFIED'): SimObject | undefined {
    this.sync();
    const o = providerOf(this.layout, resource)?.get(namespace, name);
    if (!o || this.dead(resource, o)) return undefined;
    this.written.set(resource, namespace, name, { ...entry, rv: this.rv + 1 });
    const served = this.written.view(o);
    this.emit(type, served);
    this.log.notify();
    return served;
  }

  /** A namespace created through the API. */
  addNamespace(name: string): void {
    this.namespacesSeen.add(name);
    this.invalidate();
    this.sync();
  }

  /** The written entry of an object, if a client wrote it. */
  writtenOf(resource: string, namespace: string | undefined, name: string): WrittenEntry | undefined {
    return this.written.get(resource, namespace, name);
  }

  /** The metadata and spec a write keeps of a full object. */
  static entryOf(obj: Json, generation: number, revisions?: WrittenEntry['revisions']): Omit<WrittenEntry, 'rv'> {
    const m = (obj.metadata ?? {}) as Json;
    const metadata: Json = {};
    for (const k of ['labels', 'annotations', 'finalizers', 'ownerReferences']) if (m[k] !== undefined) metadata[k] = m[k];
    return { metadata, spec: obj.spec as Json | undefined, generation, revisions };
  }

  /** Deletes a DaemonSet or Deployment (the model's through the model). The deleted object, or undefined. */
  deleteWorkload(resource: 'daemonsets' | 'deployments', namespace: string, name: string): SimObject | undefined {
    const obj = this.get(resource, namespace, name);
    if (!obj) return undefined;
    const key = `${namespace}/${name}`;
    const g = this.layout.workloads.get(key);
    if (!g) return undefined;
    if (g.system) this.systemDeleted.add(key);
    else if (!this.cluster.deleteWorkload(namespace, name)) return undefined;
    this.invalidate();
    this.sync();
    return obj;
  }

  /**
   * Deletes one object (a pod: DELETE, or an eviction). A pod a ReplicaSet or DaemonSet controls
   * gets a replacement from its controller (reconcile()).
   */
  deleteObject(resource: string, namespace: string | undefined, name: string): SimObject | undefined {
    const obj = this.get(resource, namespace, name);
    if (!obj) return undefined;
    const k = `${namespace ?? ''}/${name}`;
    const made = this.replacements.get(k);
    const gone = providerOf(this.layout, resource)?.get(namespace, name) ?? obj;
    const base = obj.build();
    this.written.forget(resource, namespace, name);
    this.emit('DELETED', gone);
    if (made) {
      // A replacement pod lives only in the replacements map: forgetting it is its deletion.
      this.replacements.delete(k);
      this.extraPods.delete(k);
      forgetProvider(this.layout, 'pods');
    } else this.written.bury(resource, namespace, name, gone.rv, this.clock.now());
    if (resource === 'pods' && namespace) this.replace(namespace, base, made?.node);
    this.log.notify();
    return gone;
  }

  /** An object whose status changed without the layout changing (a PodDisruptionBudget after an eviction): one MODIFIED event. */
  touch(resource: string, namespace: string | undefined, name: string): void {
    const o = this.get(resource, namespace, name);
    if (!o) return;
    this.emit('MODIFIED', o);
    this.log.notify();
  }

  /** Asks the pod's controller (its controlling ownerReference: a ReplicaSet or a DaemonSet) for a replacement. */
  private replace(namespace: string, base: Json, nodeWas?: number): void {
    const meta = (base.metadata ?? {}) as Json;
    const owner = ((meta.ownerReferences as Json[] | undefined) ?? []).find((o) => o.controller === true) as Replacement['owner'] | undefined;
    if (!owner || (owner.kind !== 'ReplicaSet' && owner.kind !== 'DaemonSet')) return;
    const prefix = String(meta.generateName ?? `${owner.name}-`);
    let name = '';
    do name = prefix + Array.from({ length: 5 }, () => SUFFIX[randomInt(SUFFIX.length)]).join('');
    while (this.get('pods', namespace, name));
    const node = nodeWas ?? this.layout.nodeIndex(String((base.spec as Json | undefined)?.nodeName ?? ''));
    this.replacements.set(`${namespace}/${name}`, { namespace, name, base, owner, node, at: this.clock.now(), progress: 0, rv: 0 });
  }

  /** A node the scheduler may bind a new pod to: Ready and not cordoned (spec.unschedulable as written). */
  private schedulable(i: number): boolean {
    return i >= 0 && this.layout.nodeReady(i) && (this.written.get('nodes', undefined, this.layout.nodeName(i))?.spec as Json | undefined)?.unschedulable !== true;
  }

  /**
   * The controllers' progress on the replacements since the last look, in served seconds: the
   * ReplicaSet and DaemonSet controllers run in kube-controller-manager, whose requests go to the
   * `workload-high` priority level (FlowSchema kube-controller-manager); the kubelet's to `system`.
   * A level serving a share `servedRatio` of its requests with a p99 queue wait `w` does
   * `servedRatio × base / (base + w)` seconds of work per second; nothing while no API server
   * is up or etcd does not answer.
   */
  private reconcile(): void {
    if (!this.replacements.size && !this.rollouts.size) return;
    const now = this.clock.now();
    const s = this.snapshot();
    const up = (s.apiserver?.replicasReady ?? 1) > 0 && s.apiserver?.etcdOk !== false;
    const pace = (level: string, base: number): number => {
      const l = s.priorityLevels?.[level];
      return up ? (l?.servedRatio ?? (l && l.rejectedPerSecond > 0 ? 0 : 1)) * (base / (base + (l?.waitP99Seconds ?? 0))) : 0;
    };
    const controller = pace('workload-high', CONTROLLER_CREATE_SECONDS);
    const kubelet = pace('system', POD_START_SECONDS);
    let changed = this.rollouts.size ? this.roll(now, pace('workload-high', ROLLOUT_STEP_CONTROLLER_SECONDS), kubelet) : false;
    for (const r of this.replacements.values()) {
      if (r.runningAt !== undefined) continue;
      const dt = Math.max(0, now - r.at);
      r.at = now;
      if (r.createdAt === undefined) {
        r.progress += dt * controller;
        if (r.progress < CONTROLLER_CREATE_SECONDS) continue;
        if (r.owner.kind === 'ReplicaSet' && !this.schedulable(r.node)) r.node = this.schedule(r.node);
        r.createdAt = now;
        r.progress = 0;
        this.put(r, 'ADDED');
        const controllerName = r.owner.kind === 'ReplicaSet' ? 'replicaset-controller' : 'daemonset-controller';
        // pkg/controller/controller_utils.go CreatePods: reason SuccessfulCreate, "Created pod: <name>".
        this.recordEvent({ involved: { apiVersion: 'apps/v1', kind: r.owner.kind, namespace: r.namespace, name: r.owner.name, uid: r.owner.uid }, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${r.name}`, component: controllerName });
        this.scheduled(r);
        changed = true;
      } else {
        if (r.node < 0) {
          // Unschedulable when it was made (every node cordoned or NotReady): the scheduler retries.
          r.node = this.schedule(-1);
          if (r.node < 0) continue;
          r.progress = 0;
          this.put(r, 'MODIFIED');
          this.scheduled(r);
          changed = true;
          continue;
        }
        if (!this.layout.nodeReady(r.node)) continue;
        r.progress += dt * kubelet;
        if (r.progress < POD_START_SECONDS) continue;
        r.runningAt = now;
        this.put(r, 'MODIFIED');
        // The kubelet's events for a started container (pkg/kubelet/events/event.go: Pulled, Created, Started).
        const c = (((r.base.spec as Json).containers as Json[]) ?? [])[0] ?? {};
        const pod = { apiVersion: 'v1', kind: 'Pod', namespace: r.namespace, name: r.name, uid: this.uidOf(r) };
        const host = this.layout.nodeName(r.node);
        this.recordEvent({ involved: pod, type: 'Normal', reason: 'Pulled', message: `Container image "${String(c.image)}" already present on machine`, component: 'kubelet', host });
        this.recordEvent({ involved: pod, type: 'Normal', reason: 'Created', message: `Created container ${String(c.name)}`, component: 'kubelet', host });
        this.recordEvent({ involved: pod, type: 'Normal', reason: 'Started', message: `Started container ${String(c.name)}`, component: 'kubelet', host });
        changed = true;
      }
    }
    if (changed) this.log.notify();
  }

  /** A workload the store serves: the model's or the cluster's own, or an app namespace's Deployment. */
  private workload(kind: 'Deployment' | 'DaemonSet', namespace: string, name: string): ServedWorkload | undefined {
    const g = this.layout.workloads.get(`${namespace}/${name}`) ?? (kind === 'Deployment' ? this.layout.fillerWorkloadNamed(namespace, name) : undefined);
    return g && g.kind === kind ? g : undefined;
  }

  /** What a workload's pods run now (the template a rollout starts from), read before a write changes the model. */
  podTemplateNow(kind: 'Deployment' | 'DaemonSet', namespace: string, name: string): RolloutBase | undefined {
    const g = this.workload(kind, namespace, name);
    if (!g) return undefined;
    const r = this.rollouts.get(g.key);
    if (r && (r.finished !== undefined || r.done * 2 >= g.pods)) return { hash: r.to, codec: r.toCodec, image: r.toImage, generation: r.toGeneration };
    if (r) return { hash: r.from, codec: r.fromCodec, image: r.fromImage, generation: r.fromGeneration };
    return { hash: g.hash, codec: g.filler !== undefined ? this.layout.fillerCodec : g.codec, image: g.image, generation: 1 };
  }

  /**
   * A new pod template for a workload (hash `to`): the deployment or daemonset controller rolls its
   * pods from `base` (what they run now) to it, at the pace roll() gives. A template changed while
   * a rollout runs starts over from the template most of its pods run (the simulator keeps two
   * templates per workload, not every intermediate one).
   */
  startRollout(kind: 'Deployment' | 'DaemonSet', namespace: string, name: string, base: RolloutBase, to: string, spec: Json | undefined, generation: number): void {
    const g = this.workload(kind, namespace, name);
    if (!g) return;
    const now = this.clock.now();
    const tpl = ((spec?.template as Json | undefined)?.spec as Json | undefined) ?? {};
    const image = String((((tpl.containers as Json[] | undefined) ?? [])[0] ?? {}).image ?? base.image);
    const r: Rollout = {
      kind,
      namespace,
      name,
      from: base.hash,
      to,
      fromCodec: base.codec,
      // New pods get new names (the controllers' random suffixes), even for a template they ran before.
      toCodec: new SuffixCodec(`${g.key}:${g.createdAt}:${to}:${now}`, g.filler !== undefined ? this.layout.fillerTotal : 0),
      fromImage: base.image,
      toImage: image,
      fromGeneration: base.generation,
      toGeneration: generation,
      strategy: strategyOf(kind, spec),
      done: 0,
      pending: 0,
      kept: 0,
      phase: 'create',
      progress: 0,
      at: now,
      ends: [],
      createdAt: [],
      stepCreated: now,
      began: now,
      rv: this.rv,
    };
    if (to === base.hash) {
      // Back to what the pods run: nothing to roll (roll() marks it finished once the controller looks).
      r.done = g.pods;
      r.ends.push(g.pods);
      r.createdAt.push(now);
    }
    this.rollouts.set(g.key, r);
    this.rolloutTick++;
    this.invalidate();
  }

  /**
   * The rolling updates' progress since the last look: each step takes
   * ROLLOUT_STEP_CONTROLLER_SECONDS of kube-controller-manager's served time (`controller` served
   * seconds per second) to make its pods, then POD_START_SECONDS of the kubelets' to start them.
   * True when something changed.
   */
  private roll(now: number, controller: number, kubelet: number): boolean {
    let changed = false;
    for (const [key, r] of this.rollouts) {
      if (r.finished !== undefined) continue;
      const g = this.workload(r.kind, r.namespace, r.name);
      if (!g) {
        this.rollouts.delete(key);
        continue;
      }
      let dt = Math.max(0, now - r.at);
      r.at = now;
      // kubectl rollout pause: the deployment controller leaves a paused Deployment's ReplicaSets
      // alone (it still records that it saw the new generation, once served: syncStatusOnly).
      if (r.kind === 'Deployment' && (this.written.get('deployments', r.namespace, r.name)?.spec as Json | undefined)?.paused === true) {
        if (controller > 0) this.observed(g, r);
        continue;
      }
      while (r.finished === undefined) {
        const n = g.pods;
        if (r.done >= n || r.strategy.type === 'OnDelete') {
          // (OnDelete: nothing rolls; pods take the new template only when deleted and replaced.)
          r.finished = now - dt;
          if (controller > 0) this.observed(g, r);
          changed = true;
          this.rolloutChanged(g, r);
          break;
        }
        const creating = r.phase === 'create';
        const pace = creating ? controller : kubelet;
        const need = ((creating ? ROLLOUT_STEP_CONTROLLER_SECONDS : POD_START_SECONDS) - r.progress) / Math.max(pace, 1e-9);
        // A DaemonSet's new pod starts only on a Ready node (NotReady nodes are laid out last).
        const stuck = !creating && r.kind === 'DaemonSet' && r.done + r.pending > this.layout.nodesReady;
        if (pace <= 0 || dt < need || stuck) {
          if (pace > 0 && !stuck) r.progress += dt * pace;
          break;
        }
        dt -= need;
        r.progress = 0;
        if (creating) this.stepCreate(g, r, now - dt);
        else this.stepStarted(g, r, now - dt);
        changed = true;
      }
    }
    if (changed) {
      this.rolloutTick++;
      this.invalidate();
    }
    return changed;
  }

  /** The old and new pods at index i of a rolled workload, as served now. */
  private rolledPod(g: ServedWorkload, i: number, version: 'new' | 'old'): SimObject {
    return g.filler !== undefined ? fillerPod(this.layout, g.filler + i * this.layout.appNamespaceCount, version) : workloadPod(this.layout, g, i, version);
  }

  /** The controller has seen the workload's newest generation (status.observedGeneration catches up). */
  private observed(g: ServedWorkload, r: Rollout): void {
    const e = this.written.get(r.kind === 'DaemonSet' ? 'daemonsets' : 'deployments', g.namespace, g.name);
    if (e?.observedGeneration === undefined) return;
    delete e.observedGeneration;
    this.rolloutChanged(g, r);
  }

  /** A step begins: the controllers remove maxUnavailable old pods and create the step's new ones (Pending). */
  private stepCreate(g: ServedWorkload, r: Rollout, t: number): void {
    const e = this.written.get(r.kind === 'DaemonSet' ? 'daemonsets' : 'deployments', g.namespace, g.name);
    if (e) delete e.observedGeneration;
    const n = g.pods;
    const { batch, kill } = stepOf(r.kind, r.strategy, n);
    const pending = Math.min(batch, n - r.done);
    const gone = Math.min(kill, pending);
    const owner = { apiVersion: 'apps/v1', kind: r.kind, namespace: g.namespace, name: g.name, uid: g.uid };
    for (let i = r.done; i < r.done + gone; i++) {
      const p = this.rolledPod(g, i, 'old');
      if (this.dead('pods', p)) continue; // deleted through the API before (its replacement goes at the end)
      this.emit('DELETED', p);
      if (r.kind === 'DaemonSet') this.recordEvent({ involved: owner, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.name}`, component: 'daemonset-controller' });
    }
    r.pending = pending;
    r.kept = pending - gone;
    r.stepCreated = t;
    r.phase = 'start';
    for (let i = r.done; i < r.done + pending; i++) {
      const p = this.rolledPod(g, i, 'new');
      this.emit('ADDED', p);
      // pkg/controller/controller_utils.go CreatePods / daemon_controller.go syncNodes.
      if (r.kind === 'DaemonSet') this.recordEvent({ involved: owner, type: 'Normal', reason: 'SuccessfulCreate', message: `Created pod: ${p.name}`, component: 'daemonset-controller' });
    }
    if (r.kind === 'Deployment') {
      // pkg/controller/deployment/sync.go scaleReplicaSet: "Scaled <up|down> replica set <rs> to <new> from <old>".
      this.recordEvent({ involved: owner, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled up replica set ${g.name}-${r.to} to ${r.done + pending} from ${r.done}`, component: 'deployment-controller' });
      if (gone) this.recordEvent({ involved: owner, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled down replica set ${g.name}-${r.from} to ${n - r.done - gone} from ${n - r.done}`, component: 'deployment-controller' });
    }
    this.rolloutChanged(g, r);
  }

  /** The step's new pods run: the old ones a surge kept are removed, and the next step may begin. */
  private stepStarted(g: ServedWorkload, r: Rollout, t: number): void {
    const n = g.pods;
    const owner = { apiVersion: 'apps/v1', kind: r.kind, namespace: g.namespace, name: g.name, uid: g.uid };
    const kept = Math.max(0, Math.min(r.kept, n - oldFrom(r, n)));
    for (let i = oldFrom(r, n); i < Math.min(n, r.done + r.pending); i++) {
      const p = this.rolledPod(g, i, 'old');
      if (this.dead('pods', p)) continue;
      this.emit('DELETED', p);
      if (r.kind === 'DaemonSet') this.recordEvent({ involved: owner, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${p.name}`, component: 'daemonset-controller' });
    }
    const from = r.done;
    r.done = Math.min(n, r.done + r.pending);
    r.pending = 0;
    r.kept = 0;
    r.ends.push(r.done);
    r.createdAt.push(r.stepCreated);
    r.phase = 'create';
    for (let i = from; i < r.done; i++) this.emit('MODIFIED', this.rolledPod(g, i, 'new'));
    if (r.kind === 'Deployment' && kept) this.recordEvent({ involved: owner, type: 'Normal', reason: 'ScalingReplicaSet', message: `Scaled down replica set ${g.name}-${r.from} to ${n - r.done} from ${n - r.done + kept}`, component: 'deployment-controller' });
    if (r.done >= n) {
      r.finished = t;
      this.retireReplacements(g, r);
    }
    this.rolloutChanged(g, r);
  }

  /**
   * Once rolled, the replacements its controller made of the old template's deleted pods go too:
   * every index now has its new pod (the old ReplicaSet is at 0; the DaemonSet's nodes all run the
   * new revision).
   */
  private retireReplacements(g: ServedWorkload, r: Rollout): void {
    for (const [k, x] of this.replacements) {
      if (x.namespace !== g.namespace) continue;
      const labels = ((x.base.metadata as Json | undefined)?.labels ?? {}) as Record<string, string>;
      const old = r.kind === 'Deployment' ? x.owner.kind === 'ReplicaSet' && x.owner.name === `${g.name}-${r.from}` : x.owner.kind === 'DaemonSet' && x.owner.name === g.name && labels['controller-revision-hash'] !== r.to;
      if (!old) continue;
      const served = this.extraPods.get(k);
      if (served) this.emit('DELETED', served);
      this.replacements.delete(k);
      this.extraPods.delete(k);
      if (r.kind === 'DaemonSet') this.recordEvent({ involved: { apiVersion: 'apps/v1', kind: 'DaemonSet', namespace: g.namespace, name: g.name, uid: g.uid }, type: 'Normal', reason: 'SuccessfulDelete', message: `Deleted pod: ${x.name}`, component: 'daemonset-controller' });
    }
    forgetProvider(this.layout, 'pods');
  }

  /** The workload's objects after a rollout changed: one MODIFIED each (the Deployment and its ReplicaSets, or the DaemonSet). */
  private rolloutChanged(g: ServedWorkload, r: Rollout): void {
    if (r.kind === 'DaemonSet') this.emit('MODIFIED', this.written.view(daemonSetObject(this.layout, g)));
    else {
      this.emit('MODIFIED', this.written.view(deploymentObject(this.layout, g)));
      for (const rs of replicaSetsOf(this.layout, g)) this.emit('MODIFIED', rs);
    }
    r.rv = this.rv;
  }

  /** The scheduler's pick for a new pod: the first Ready, uncordoned node after `from`; -1 when there is none. */
  private schedule(from: number): number {
    const n = this.layout.nodeCount;
    const start = Math.max(0, from);
    for (let k = 1; k <= n; k++) if (this.schedulable((start + k) % n)) return (start + k) % n;
    return -1;
  }

  /**
   * The scheduler's Event for a replacement: Scheduled on its node, or FailedScheduling while no
   * node takes it, with the per-reason counts of kube-scheduler's FitError message
   * (pkg/scheduler/framework/types.go: "0/N nodes are available: …"; the not-ready taint and
   * spec.unschedulable are the NodeUnschedulable and TaintToleration plugins' reasons).
   */
  private scheduled(r: Replacement): void {
    const pod = { apiVersion: 'v1', kind: 'Pod', namespace: r.namespace, name: r.name, uid: this.uidOf(r) };
    if (r.node >= 0) {
      this.recordEvent({ involved: pod, type: 'Normal', reason: 'Scheduled', message: `Successfully assigned ${r.namespace}/${r.name} to ${this.layout.nodeName(r.node)}`, component: 'default-scheduler' });
      return;
    }
    const n = this.layout.nodeCount;
    const notReady = n - this.layout.nodesReady;
    const parts = [notReady ? `${notReady} node(s) had untolerated taint {node.kubernetes.io/not-ready: }` : '', n - notReady ? `${n - notReady} node(s) were unschedulable` : ''].filter(Boolean);
    this.recordEvent({ involved: pod, type: 'Warning', reason: 'FailedScheduling', message: `0/${n} nodes are available: ${parts.join(', ')}. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`, component: 'default-scheduler' });
  }

  private uidOf(r: Replacement): string {
    return stableUid(`pods/${r.namespace}/${r.name}/${r.createdAt ?? 0}`);
  }

  /** Serves a replacement pod as it is now and tells watchers. */
  private put(r: Replacement, type: EventType): void {
    const o = this.replacementObject(r);
    this.emit(type, o);
    r.rv = o.rv;
    this.extraPods.set(`${r.namespace}/${r.name}`, o);
    forgetProvider(this.layout, 'pods');
  }

  /** The replacement pod: the deleted one's spec and template, with its own name, node and status. */
  private replacementObject(r: Replacement): SimObject {
    const layout = this.layout;
    const nodeName = r.node >= 0 ? layout.nodeName(r.node) : '';
    const running = r.runningAt !== undefined;
    const phase = running ? 'Running' : 'Pending';
    const podIP = running ? layout.podIP(r.node, 240 + (fnv32(r.name) % 10)) : '';
    const baseSpec = (r.base.spec ?? {}) as Json;
    const fields = (path: string): string | undefined => {
      if (path === 'spec.nodeName') return nodeName;
      if (path === 'status.phase') return phase;
      if (path === 'status.podIP') return podIP;
      if (path === 'status.nominatedNodeName') return '';
      if (path === 'spec.restartPolicy') return String(baseSpec.restartPolicy ?? 'Always');
      if (path === 'spec.schedulerName') return String(baseSpec.schedulerName ?? 'default-scheduler');
      if (path === 'spec.serviceAccountName') return String(baseSpec.serviceAccountName ?? 'default');
      return undefined;
    };
    const labels = (((r.base.metadata as Json).labels as Record<string, string> | undefined) ?? {});
    const created = r.createdAt ?? this.clock.now();
    const clock = this.clock;
    return new LazyObject('pods', r.namespace, r.name, labels, created, r.rv, fields, (o) => {
      const base = JSON.parse(JSON.stringify(r.base)) as Json;
      const m = base.metadata as Json;
      for (const k of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'annotations', 'finalizers']) delete m[k];
      const t = clock.iso(created);
      const started = r.runningAt !== undefined ? clock.iso(r.runningAt) : t;
      const ready = running && layout.nodeReady(r.node);
      const spec = base.spec as Json;
      if (nodeName) spec.nodeName = nodeName;
      else delete spec.nodeName;
      const c = ((spec.containers as Json[]) ?? [])[0] ?? {};
      const cond = (type: string, ok: boolean, reason?: string): Json => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: ok ? started : t, ...(reason && !ok ? { reason } : {}) });
      const status: Json = {
        phase,
        conditions: [cond('PodReadyToStartContainers', running), cond('Initialized', true), cond('Ready', ready, 'ContainersNotReady'), cond('ContainersReady', ready, 'ContainersNotReady'), cond('PodScheduled', !!nodeName, 'Unschedulable')],
        qosClass: 'Burstable',
      };
      if (nodeName) {
        const hostIP = layout.nodeIP(r.node);
        Object.assign(status, { hostIP, hostIPs: [{ ip: hostIP }], startTime: t });
        status.containerStatuses = [
          {
            name: c.name,
            state: running ? { running: { startedAt: started } } : { waiting: { reason: 'ContainerCreating' } },
            lastState: {},
            ready,
            restartCount: 0,
            image: c.image,
            imageID: running ? `${String(c.image).split(':')[0]}@sha256:${createHash('sha256').update(String(c.image)).digest('hex')}` : '',
            ...(running ? { containerID: `containerd://${stableUid(`${r.namespace}/${r.name}`).replace(/-/g, '')}` } : {}),
            started: running,
          },
        ];
      }
      if (running) Object.assign(status, { podIP, podIPs: [{ ip: podIP }] });
      return { ...base, metadata: { ...m, ...layout.meta(o, { uid: this.uidOf(r), generateName: m.generateName, ownerReferences: m.ownerReferences }) }, spec, status };
    });
  }

  /** Sets a Deployment's replicas. 'missing' when there is no such Deployment, 'refused' when the model says no. */
  scale(namespace: string, name: string, replicas: number): 'ok' | 'missing' | 'refused' {
    const key = `${namespace}/${name}`;
    const g = this.layout.workloads.get(key);
    // An app namespace's Deployment is the cluster's own filler: its size is the cluster spec's.
    if (!g && this.layout.fillerWorkloadNamed(namespace, name)) return 'refused';
    if (!g || g.kind !== 'Deployment') return 'missing';
    if (g.system) this.systemReplicas.set(key, replicas);
    else if (!this.cluster.scaleWorkload(namespace, name, replicas)) return 'refused';
    // A spec a client wrote before carries the new count too.
    const e = this.written.get('deployments', namespace, name);
    if (e?.spec) e.spec = { ...e.spec, replicas };
    this.invalidate();
    this.sync();
    return 'ok';
  }
}
