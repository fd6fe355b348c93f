// TEST DOUBLE — not the cluster model. A small, honest implementation of SimCluster for the
// simulated API server's tests: a fixed set of workloads, a real-time clock, and a `saturated`
// switch. While saturated, requests that are not exempt are rejected with 429 + Retry-After
// (mode 'reject') or held past the client's timeout (mode 'timeout'); requests from group
// system:masters and health probes are always served, as the default FlowSchemas `exempt` and
// `probes` do. It records every admitted request for assertions.
import type { AdmissionDecision, AppliedWorkload, ClusterSnapshot, ClusterSpec, ModelEvent, PriorityLevelState, SimCluster, SimRequest, WorkloadSpec } from '../../../src/sim/types';

export interface FakeOptions {
  name?: string;
  nodes?: number;
  podsPerNode?: number;
  namespaces?: number;
  services?: number;
  workloads?: WorkloadSpec[];
}

function usage(name: string, clients: number | 'perNode'): WorkloadSpec['usage'] {
  return { name, clients, calls: [{ verb: 'list', resource: 'pods', scope: 'node', intervalSeconds: 30 }] };
}

export function daemonSet(namespace: string, name: string, createdAt = -3600): WorkloadSpec {
  return { name, namespace, kind: 'DaemonSet', image: `registry.example.com/${name}:1.0`, labels: { app: name }, serviceAccount: name, usage: usage(name, 'perNode'), createdAt };
}

export function deployment(namespace: string, name: string, replicas: number, createdAt = -7200): WorkloadSpec {
  return { name, namespace, kind: 'Deployment', replicas, image: `registry.example.com/${name}:2.1`, labels: { app: name }, serviceAccount: name, usage: usage(name, replicas), createdAt };
}

export class FakeCluster implements SimCluster {
  readonly spec: ClusterSpec;
  private readonly t0 = Date.now();
  private list: WorkloadSpec[];
  private readonly listeners = new Set<(e: ModelEvent) => void>();
  /** Running pods per workload key; absent: all running. */
  readonly running: Record<string, number> = {};
  saturated = false;
  saturation: 'reject' | 'timeout' = 'reject';
  retryAfterSeconds = 1;
  /** Real milliseconds a non-exempt request is held in 'timeout' mode. */
  holdMs = 30_000;
  etcdOk = true;
  nodesReady: number;
  unavailable = false;
  readonly requests: SimRequest[] = [];

  constructor(o: FakeOptions = {}) {
    this.spec = {
      name: o.name ?? 'fake',
      nodes: o.nodes ?? 5,
      podsPerNode: o.podsPerNode ?? 4,
      namespaces: o.namespaces ?? 7,
      services: o.services ?? 6,
      apiServerReplicas: 3,
      serverConcurrency: 600,
      apiServerMemoryBytes: 8 * 2 ** 30,
      apiServerCores: 8,
      consistentListFromCache: false,
    };
    this.nodesReady = this.spec.nodes;
    this.list = o.workloads ?? [daemonSet('telemetry', 'node-exporter'), deployment('monitoring', 'collector', 2)];
  }

  now(): number {
    return (Date.now() - this.t0) / 1000;
  }

  workloads(): WorkloadSpec[] {
    return this.list.map((w) => ({ ...w }));
  }

  private emit(kind: string, detail: string): void {
    const e = { t: this.now(), cluster: this.spec.name, kind, detail };
    for (const l of this.listeners) l(e);
  }

  deploy(w: WorkloadSpec): void {
    this.list = [...this.list.filter((x) => !(x.namespace === w.namespace && x.name === w.name)), { ...w, createdAt: this.now() }];
    this.emit('deploy', `${w.namespace}/${w.name}`);
  }

  deleteWorkload(namespace: string, name: string): boolean {
    const before = this.list.length;
    this.list = this.list.filter((w) => !(w.namespace === namespace && w.name === name));
    if (this.list.length === before) return false;
    this.emit('delete', `${namespace}/${name}`);
    return true;
  }

  scaleWorkload(namespace: string, name: string, replicas: number): boolean {
    const w = this.list.find((x) => x.namespace === namespace && x.name === name && x.kind === 'Deployment');
    if (!w) return false;
    w.replicas = replicas;
    this.emit('scale', `${namespace}/${name}=${replicas}`);
    return true;
  }

  /** Written through the API: a new plain workload, or the pod count (running at once) and image of one. */
  applyWorkload(a: AppliedWorkload): boolean {
    const k = `${a.namespace}/${a.name}`;
    const w = this.list.find((x) => x.namespace === a.namespace && x.name === a.name);
    if (w && w.kind !== a.kind) return false;
    if (!w) this.list = [...this.list, { name: a.name, namespace: a.namespace, kind: a.kind, replicas: a.kind === 'Deployment' ? a.pods : undefined, image: a.image, labels: a.labels, serviceAccount: a.serviceAccount, usage: usage(a.name, a.kind === 'DaemonSet' ? 'perNode' : a.pods), createdAt: this.now() }];
    else {
      w.image = a.image;
      if (a.kind === 'Deployment') w.replicas = a.pods;
    }
    if (a.kind === 'DaemonSet') this.running[k] = a.pods;
    this.emit('applied', `${k}: ${a.change}`);
    return true;
  }

  /** Adds or removes nodes (at the end), as a cluster autoscaler or the scenario's scale-nodes does. */
  scaleNodes(nodes: number): void {
    (this.spec as { nodes: number }).nodes = nodes;
    this.nodesReady = nodes;
    this.emit('nodes-scaled', String(nodes));
  }

  onEvent(listener: (e: ModelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  admit(req: SimRequest): AdmissionDecision {
    this.requests.push(req);
    if (this.unavailable) return { outcome: 'reject', waitMs: 0, priorityLevel: 'exempt', flowSchema: 'exempt', unavailable: true };
    if (req.groups.includes('system:masters')) return { outcome: 'serve', waitMs: 0, priorityLevel: 'exempt', flowSchema: 'exempt' };
    if (req.path && /^\/(healthz|livez|readyz)/.test(req.path)) return { outcome: 'serve', waitMs: 0, priorityLevel: 'exempt', flowSchema: 'probes' };
    const sa = req.user.startsWith('system:serviceaccount:');
    const priorityLevel = sa ? 'workload-low' : 'global-default';
    const flowSchema = sa ? 'service-accounts' : 'global-default';
    if (!this.saturated) return { outcome: 'serve', waitMs: 0, priorityLevel, flowSchema };
    if (this.saturation === 'timeout') return { outcome: 'timeout', waitMs: this.holdMs, priorityLevel, flowSchema };
    return { outcome: 'reject', waitMs: 0, retryAfterSeconds: this.retryAfterSeconds, priorityLevel, flowSchema };
  }

  snapshot(): ClusterSnapshot {
    const level = (limit: number): PriorityLevelState => ({ limit, inflight: this.saturated ? limit : 1, queued: this.saturated ? 50 : 0, rejectedPerSecond: this.saturated ? 10 : 0, rejectedTotal: this.saturated ? 100 : 0, dispatchedTotal: this.requests.length, waitP99Seconds: 0 });
    const workloadPods: Record<string, number> = {};
    for (const w of this.list) {
      const key = `${w.namespace}/${w.name}`;
      workloadPods[key] = this.running[key] ?? (w.kind === 'DaemonSet' ? this.spec.nodes : w.replicas ?? 1);
    }
    return {
      t: this.now(),
      nodes: { total: this.spec.nodes, ready: this.nodesReady },
      pods: { total: this.spec.nodes * this.spec.podsPerNode, pending: 0 },
      apiserver: {
        inflight: this.saturated ? 1800 : 3,
        limit: 1800,
        queued: this.saturated ? 500 : 0,
        rejectedPerSecond: this.saturated ? 10 : 0,
        readP99Seconds: 0.05,
        mutatingP99Seconds: 0.05,
        replicasReady: this.unavailable ? 0 : 3,
        replicas: 3,
        memoryBytes: [2e9, 2.1e9, 1.9e9],
        cpuCoresInUse: 2,
        etcdOk: this.etcdOk,
      },
      priorityLevels: { exempt: level(Infinity), 'global-default': level(60), 'workload-low': level(300) },
      dns: { successRatio: 1, watchHealthy: true, cacheValidRatio: 1 },
      dataPlane: { errorRatio: 0 },
      workloadPods,
      workloadLoad: {},
    };
  }
}
