// One simulated cluster under API load: an aggregate, fluid model stepped once per simulated
// second. Nothing here loops over nodes or pods: populations are counts, so 10,000 nodes cost
// the same as 10. Every constant is listed with its source in docs/SIMULATION.md.
import { APF_MAX_QUEUE_WAIT, MUTATE_CPU, OBJECT_BYTES, PRIORITY_LEVELS, REQUEST_TIMEOUT, GET_LATENCY, MUTATE_LATENCY, GET_CPU, CHURN, levelLimit } from '../../cost/constants';
import { apfSeats, callCost, objectCount, watchLoad, type ApiCall, type CallCost, type ClusterProfile } from '../../cost/model';
import { Rng, hashString } from '../rng';
import type { ScenarioCluster, ScenarioWorkload } from '../scenarioTypes';
import type { AdmissionDecision, AppliedWorkload, ClusterSnapshot, ClusterSpec, ModelEvent, PriorityLevelState, SimCluster, SimRequest, WorkloadSpec } from '../types';
import type { SimTarget } from '../types';

/** Model parameters that are not per-scenario (docs/SIMULATION.md). */
export const PARAMS = {
  /** Kubelet renews its Lease every 10 s (kubelet.go: 0.25 × 40 s lease); the cost model's churn uses the same constant. */
  leaseRenewSeconds: CHURN.leaseRenewSeconds.value,
  /** Kubelet posts node status about every minute when nothing changes (REFERENCE.md). */
  nodeStatusSeconds: 60,
  /** node-monitor-grace-period: 40 s (50 s since 1.32). */
  nodeGraceSeconds: 40,
  /** API server replica restart: process start + watch-cache initialisation (assumption). */
  apiServerRestartSeconds: 90,
  /** Base resident memory of an API server replica, bytes (assumption). */
  apiServerBaseMemory: 2 * 2 ** 30,
  /** The watch cache holds each object roughly twice (decoded + encoded), assumption. */
  watchCacheFactor: 2,
  /** Memory pressure above this fraction makes Go's GC eat CPU and stretch latencies. */
  gcPressureStart: 0.75,
  /** Latency multiplier at 100 % memory (assumption: GC thrash). */
  gcMaxSlowdown: 6,
  /** Reflector backoff: 800 ms doubling to 30 s (reflector.go). Mean retry interval when failing. */
  relistBackoffMaxSeconds: 30,
  relistBackoffMinSeconds: 0.8,
  /** CoreDNS replicas: cluster-proportional-autoscaler linear default, 1 per 16 nodes, min 2. */
  nodesPerCoreDNS: 16,
  /** Background pod churn needing the scheduler: 0.5 % of pods per hour (assumption, the cost model's CHURN.podTurnoverPerHour). */
  podChurnPerSecond: CHURN.podTurnoverPerHour.value / 3600,
  /** Scheduler throughput when healthy, pods/s (kube-scheduler default QPS-bound ~ 100). */
  schedulerPodsPerSecond: 100,
  /** Seconds a deleted pod's agent needs to stop once its kubelet hears of it (grace period). */
  podStopSeconds: 30,
  /**
   * Seconds for every pod of a workload created through the API server to start (assumption: a
   * Deployment's or DaemonSet's default rolling pace on a healthy cluster, images cached).
   */
  appliedRolloutSeconds: 30,
  /** Baseline data-plane error ratio. */
  baselineErrorRatio: 0.001,
  /** APF Retry-After doubles from 1 s to 32 s while many requests are dropped (PR #117547). */
  retryAfterMaxSeconds: 32,
  /** Go's GC lets the heap grow to live × (1 + GOGC/100) before collecting; GOGC defaults to 100. */
  gogcHeapFactor: 2,
  /** A relisted CoreDNS watch must hold this long before its answers count as fresh (assumption). */
  dnsResyncSeconds: 60,
  /** Restarts are spread ±this fraction so replicas do not move in lockstep (assumption). */
  restartJitter: 0.33,
  /**
   * A healthy etcd request: "a three member etcd cluster finishes a request in less than one
   * millisecond under light load" (etcd.io docs, op-guide/performance). `slow-etcd` raises it.
   */
  etcdHealthyLatencySeconds: 0.001,
  /**
   * A LIST served from etcd reads it a page at a time, one etcd range request per page: client-go's
   * pager and kubectl --chunk-size default to 500 objects (CALIBRATION.md §2; apiserver
   * storage/etcd3/store.go GetList reads `limit` keys per range request).
   */
  etcdPageObjects: 500,
};

/**
 * etcd round trips one request makes: a write one transaction; a LIST served from etcd one range
 * request per page of objects read; reads from the watch cache none.
 */
function etcdRoundTrips(c: Pick<CallCost, 'servedFrom' | 'objectsPerRequest'>, list: boolean): number {
  if (c.servedFrom !== 'etcd') return 0;
  return list ? Math.max(1, Math.ceil(c.objectsPerRequest / PARAMS.etcdPageObjects)) : 1;
}

interface Flow {
  id: string;
  level: string;
  flowSchema: string;
  user: string;
  /** Distinct flow distinguishers (per-node identities make many flows). */
  distinct: number;
  /** New requests per second. */
  rate: number;
  seats: number;
  /** Objects the server reads per request. */
  objects: number;
  /** Unloaded service time, seconds. */
  tau: number;
  /** etcd round trips per request (each takes longer while etcd is slow). */
  etcdTrips: number;
  cpu: number;
  mem: number;
  bytes: number;
  read: boolean;
  retries: number;
  // state
  queued: number;
  retryRing: Float64Array;
  // step results
  arrivals: number;
  served: number;
  rejected: number;
  waitS: number;
  latencyS: number;
  workload?: string;
}

interface LevelStep {
  limit: number;
  inflight: number;
  queued: number;
  rejected: number;
  rejectedTotal: number;
  dispatchedTotal: number;
  waitP99: number;
  rejectRatio: number;
  avgWait: number;
  /** Distinct heavy flows (those being rejected or queued). */
  heavyDistinct: number;
  retryAfter: number;
}

interface WorkloadState {
  spec: WorkloadSpec;
  identity: 'serviceAccount' | 'node' | 'user';
  calls: ApiCall[];
  retries: number;
  rolloutSeconds: number;
  /** Agents running now. */
  running: number;
  /** Target count (0 once deleted). */
  desired: number;
  deletedAt?: number;
  /** Its traffic cannot reach the API servers (network block). */
  blocked: boolean;
  /** Written through the API server since (kept while it wants no pod: a DaemonSet whose nodeSelector matches no node). */
  applied?: boolean;
  /** Nodes where its agent was stopped on the node itself and is kept from starting again. */
  held?: number;
  /** Agents stopped on their nodes: their pod objects stay in etcd (stopping a container deletes no object). */
  stopped?: number;
}

/** Agents a workload runs when nothing is changing: its target less those held down on nodes. */
function target(w: WorkloadState): number {
  return Math.max(0, w.desired - (w.held ?? 0));
}

interface Replica {
  up: boolean;
  downUntil: number;
  memLimit: number;
  memory: number;
  /** Live heap of the requests in flight on it (fills over their latency). */
  transient: number;
  /** Replica was stopped on purpose (kill / control plane lost): no automatic restart. */
  held: boolean;
}

/** CoreDNS instances whose data stopped being fresh at `brokenAt`. */
interface Cohort {
  count: number;
  brokenAt: number;
  /** When its relist succeeded; it counts as fresh again once its watch has held for a while. */
  relistedAt?: number;
}

const RING = 64;

/** A flow's offer to its priority level in one step: arrivals and seat-seconds per request. */
interface Demand {
  f: Flow;
  a: number;
  seatTime: number;
}

/** Merges cohorts that broke within the same 10 s and share their state, to keep the list short. */
function mergeCohorts(list: Cohort[]): Cohort[] {
  const byKey = new Map<string, Cohort>();
  for (const c of list) {
    if (c.count <= 1e-9) continue;
    const k = `${Math.floor(c.brokenAt / 10)}|${c.relistedAt === undefined ? '-' : Math.floor(c.relistedAt / 10)}`;
    const m = byKey.get(k);
    if (m) {
      m.brokenAt = Math.min(m.brokenAt, c.brokenAt);
      if (c.relistedAt !== undefined && m.relistedAt !== undefined) m.relistedAt = Math.max(m.relistedAt, c.relistedAt);
      m.count += c.count;
    } else byKey.set(k, { ...c });
  }
  return [...byKey.values()];
}
const key = (ns: string, name: string) => `${ns}/${name}`;

function levelOfIdentity(identity: WorkloadState['identity'], namespace: string): { level: string; flowSchema: string } {
  if (identity === 'node') return { level: 'system', flowSchema: 'system-nodes' };
  if (identity === 'user') return { level: 'global-default', flowSchema: 'global-default' };
  return namespace === 'kube-system' ? { level: 'workload-high', flowSchema: 'kube-system-service-accounts' } : { level: 'workload-low', flowSchema: 'service-accounts' };
}

/** Priority level and flow schema of a request, as the default FlowSchemas decide. */
export function classify(user: string, groups: string[], path?: string): { level: string; flowSchema: string } {
  if (groups.includes('system:masters')) return { level: 'exempt', flowSchema: 'exempt' };
  // The bootstrap FlowSchema `probes` (k8s.io/apiserver pkg/apis/flowcontrol/bootstrap/default.go)
  // matches exactly these non-resource URLs for every user, authenticated or not, to `exempt`.
  if (path === '/healthz' || path === '/readyz' || path === '/livez') return { level: 'exempt', flowSchema: 'probes' };
  if (groups.includes('system:nodes') || user.startsWith('system:node:')) return { level: 'system', flowSchema: 'system-nodes' };
  if (user === 'system:kube-controller-manager' || user === 'system:kube-scheduler') return { level: 'workload-high', flowSchema: 'kube-controller-manager' };
  if (user.startsWith('system:serviceaccount:kube-system:')) return { level: 'workload-high', flowSchema: 'kube-system-service-accounts' };
  if (user.startsWith('system:serviceaccount:')) return { level: 'workload-low', flowSchema: 'service-accounts' };
  return { level: 'global-default', flowSchema: 'global-default' };
}

export class ClusterModel implements SimCluster, SimTarget {
  readonly spec: ClusterSpec;
  private t = 0;
  private readonly rng: Rng;
  private readonly listeners = new Set<(e: ModelEvent) => void>();
  private readonly workloadsByKey = new Map<string, WorkloadState>();
  private replicas: Replica[] = [];
  private flows: Flow[] = [];
  private readonly levels = new Map<string, LevelStep>();
  private phi = 1; // CPU contention multiplier (last step)
  private gc = 1; // GC multiplier (last step)
  private cpuInUse = 0;
  // Watchers whose connection broke and must relist, by client population.
  private kubeletBroken = 0;
  private proxyBroken = 0;
  private corednsHealthy = 0;
  private corednsCohorts: Cohort[] = [];
  private leaseFailEma = 0;
  private pendingPods = 0;
  private dnsSuccess = 1;
  private errorRatio = PARAMS.baselineErrorRatio;
  private readP99 = 0;
  private mutP99 = 0;
  private controlPlaneLost = false;
  /** Watch event fan-out of the workloads' open watches (outside APF), rebuilt each step. */
  private fanout = { cpuCores: 0, memoryBytes: 0, byWorkload: new Map<string, { eventsPerSecond: number; bytesPerSecond: number; cpuCores: number }>() };
  /** Real HTTP requests counted since the last step, per flow key. */
  private realCounts = new Map<string, { count: number; seats: number; tau: number; etcdTrips: number; cpu: number; mem: number; level: string; flowSchema: string; user: string; read: boolean }>();

  constructor(
    c: ScenarioCluster,
    seed: number,
    private readonly dnsCacheExpirySeconds: number,
  ) {
    this.spec = {
      name: c.name,
      nodes: c.nodes,
      podsPerNode: c.podsPerNode,
      namespaces: c.namespaces ?? Math.max(10, Math.round(c.nodes / 10)),
      services: c.services ?? Math.max(20, Math.round((c.nodes * c.podsPerNode) / 30)),
      apiServerReplicas: c.apiServerReplicas,
      serverConcurrency: c.serverConcurrency,
      apiServerMemoryBytes: c.apiServerMemoryGiB * 2 ** 30,
      apiServerCores: c.apiServerCores,
      consistentListFromCache: c.consistentListFromCache,
    };
    this.backgroundUserRps = c.backgroundUserRps;
    this.rng = new Rng(seed ^ hashString(c.name));
    // Real requests draw from their own generator, so the scenario's timeline stays the seed's.
    this.admitRng = new Rng((seed ^ hashString(`${c.name}/admit`)) >>> 0);
    for (let i = 0; i < c.apiServerReplicas; i++) this.replicas.push(this.newReplica());
    this.corednsHealthy = this.corednsCount();
  }
  private backgroundUserRps: number;
  private readonly admitRng: Rng;

  private newReplica(): Replica {
    // ±5 % per replica so that replicas fail one after another, as they do (assumption).
    return { up: true, downUntil: 0, memLimit: this.spec.apiServerMemoryBytes * (0.95 + 0.1 * this.rng.next()), memory: PARAMS.apiServerBaseMemory, transient: 0, held: false };
  }

  /** This cluster as the cost model sees it (the manifest analyzer prices workloads with it while a tabletop runs). */
  profile(): ClusterProfile {
    return {
      name: this.spec.name,
      nodes: this.spec.nodes,
      podsPerNode: this.spec.podsPerNode,
      namespaces: this.spec.namespaces,
      services: this.spec.services,
      apiServerReplicas: this.spec.apiServerReplicas,
      serverConcurrency: this.spec.serverConcurrency,
      consistentListFromCache: this.spec.consistentListFromCache,
    };
  }

  private corednsCount(): number {
    return Math.max(2, Math.ceil(this.spec.nodes / PARAMS.nodesPerCoreDNS));
  }

  now(): number {
    return this.t;
  }

  onEvent(listener: (e: ModelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(kind: string, detail: string): void {
    const e: ModelEvent = { t: this.t, cluster: this.spec.name, kind, detail };
    for (const l of this.listeners) l(e);
  }

  workloads(): WorkloadSpec[] {
    return [...this.workloadsByKey.values()].filter((w) => w.desired > 0 || w.running > 0.5 || w.applied).filter((w) => w.deletedAt === undefined).map((w) => w.spec);
  }

  // ---- scenario actions ---------------------------------------------------------------------

  /**
   * Creates the workload, or deploys it again over the one of that name: an update of its object
   * while that exists, a new object once it was deleted or its agents stopped (a second rollout).
   * Either way the agents still running carry on (a new object adopts them) and the rollout starts
   * from them; a network block stays, and so do agents held down on nodes while the object they
   * were held against exists.
   */
  deploy(w: ScenarioWorkload): void {
    const k = key(w.namespace, w.name);
    const was = this.workloadsByKey.get(k);
    const exists = was !== undefined && was.deletedAt === undefined && was.spec.kind === w.kind;
    const clients: number | 'perNode' = w.kind === 'DaemonSet' ? 'perNode' : (w.replicas ?? 1);
    const spec: WorkloadSpec = {
      name: w.name,
      namespace: w.namespace,
      kind: w.kind,
      replicas: w.replicas,
      image: w.image,
      labels: { app: w.name },
      serviceAccount: w.serviceAccount,
      identity: w.identity,
      usage: { name: w.name, clients, calls: w.calls },
      createdAt: exists ? was.spec.createdAt : this.t,
    };
    const desired = w.kind === 'DaemonSet' ? this.spec.nodes : (w.replicas ?? 1);
    // Agents above the new target stop as their kubelets hear of it (step).
    const running = was?.running ?? 0;
    const state: WorkloadState = { spec, identity: w.identity, calls: w.calls, retries: w.retries, rolloutSeconds: Math.max(1, w.rolloutSeconds), running, desired, blocked: was?.blocked ?? false };
    if (exists && was.held) state.held = Math.min(desired, was.held);
    if (exists && was.stopped) state.stopped = Math.min(desired, was.stopped);
    this.workloadsByKey.set(k, state);
    const pods = `${desired} pods${w.kind === 'DaemonSet' ? ', one per node' : ''}`;
    if (!was) this.emit('workload-deployed', `${w.kind} ${k} (${pods})`);
    else {
      const notes = [`${Math.round(running)} agents running`, ...(state.blocked ? ['its traffic still blocked'] : []), ...(state.held ? [`held on ${Math.round(state.held)} nodes`] : [])];
      this.emit('workload-deployed', `${w.kind} ${k} ${exists ? 'applied again' : 'deployed again'} (${pods}; ${notes.join(', ')})`);
    }
  }

  /** Through the API server (already admitted): the object is gone; agents stop as kubelets hear of it. */
  deleteWorkload(namespace: string, name: string): boolean {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w || w.deletedAt !== undefined) return false;
    w.deletedAt = this.t;
    w.desired = 0;
    const running = Math.round(w.running);
    this.emit('workload-deleted', `${w.spec.kind} ${key(namespace, name)} deleted; ${running ? `${running} agents still running until their kubelets hear of it` : 'none of its agents is running'}`);
    return true;
  }

  scaleWorkload(namespace: string, name: string, replicas: number): boolean {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w || w.spec.kind !== 'Deployment' || w.deletedAt !== undefined) return false;
    w.desired = replicas;
    w.spec = { ...w.spec, replicas, usage: { ...w.spec.usage, clients: replicas } };
    this.emit('workload-scaled', `Deployment ${key(namespace, name)} scaled to ${replicas}`);
    return true;
  }

  applyWorkload(a: AppliedWorkload): boolean {
    const k = key(a.namespace, a.name);
    const w = this.workloadsByKey.get(k);
    const pods = Math.max(0, Math.floor(a.pods));
    if (!w || w.deletedAt !== undefined) {
      if (w && w.running > 0.5) return false; // its agents still run, adopted by nothing yet
      // A plain application: pods that start at the default rollout pace and call no API.
      this.workloadsByKey.set(k, {
        spec: { name: a.name, namespace: a.namespace, kind: a.kind, replicas: a.kind === 'Deployment' ? pods : undefined, nodes: a.kind === 'DaemonSet' ? pods : undefined, image: a.image, labels: a.labels, serviceAccount: a.serviceAccount, usage: { name: a.name, clients: a.kind === 'DaemonSet' ? 'perNode' : pods, calls: [] }, createdAt: this.t },
        identity: 'serviceAccount',
        calls: [],
        retries: 0,
        rolloutSeconds: PARAMS.appliedRolloutSeconds,
        running: 0,
        desired: pods,
        blocked: false,
        applied: true,
      });
      this.emit('workload-deployed', `${a.kind} ${k} created through the API server (${pods} pods)`);
      return true;
    }
    if (w.spec.kind !== a.kind) return false;
    w.desired = pods;
    w.applied = true;
    w.spec = { ...w.spec, image: a.image, replicas: a.kind === 'Deployment' ? pods : w.spec.replicas, usage: { ...w.spec.usage, clients: a.kind === 'DaemonSet' ? 'perNode' : pods } };
    if (a.kind === 'DaemonSet') w.spec.nodes = pods;
    if (w.held) w.held = Math.min(w.held, pods);
    this.emit('workload-updated', `${a.kind} ${k} updated through the API server: ${a.change}; ${pods} pods wanted, ${Math.round(w.running)} running`);
    return true;
  }

  /** Agents stopped on the nodes themselves (no API server involved). */
  stopAgents(namespace: string, name: string): boolean {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w) return false;
    const was = Math.round(w.running);
    w.running = 0;
    w.desired = 0;
    w.deletedAt ??= this.t;
    this.emit('agents-stopped', `${was} agents of ${key(namespace, name)} stopped on their nodes`);
    return true;
  }

  /**
   * Agents stopped on `nodes` more nodes (a node-level stop, e.g. over SSH): they stay stopped.
   * Returns how many were running on those nodes.
   */
  stopAgentsOn(namespace: string, name: string, nodes: number): number {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w || nodes <= 0) return 0;
    // The stopped nodes are among those that run an agent; they will not start it again. The
    // object itself is still in etcd (its controller would start the agents anywhere not held).
    const stopped = Math.min(nodes, w.running);
    w.running -= stopped;
    w.held = Math.min(w.desired, (w.held ?? 0) + nodes);
    w.stopped = Math.min(w.desired, (w.stopped ?? 0) + stopped);
    this.emit('agents-stopped', `${Math.round(stopped)} agents of ${key(namespace, name)} stopped on their nodes (${Math.round(w.running)} still running)`);
    return Math.round(stopped);
  }

  /**
   * Pod objects of a workload (what etcd holds under /registry/pods/): its running agents and
   * those stopped on their nodes, whose objects stay until someone deletes them. 0 once the
   * workload's object is gone.
   */
  podObjects(namespace: string, name: string): number {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w || w.deletedAt !== undefined) return 0;
    return Math.max(0, Math.round(w.running + (w.stopped ?? 0)));
  }

  setBlocked(namespace: string, name: string, blocked: boolean): boolean {
    const w = this.workloadsByKey.get(key(namespace, name));
    if (!w) return false;
    w.blocked = blocked;
    this.emit(blocked ? 'client-blocked' : 'client-unblocked', `${key(namespace, name)}: traffic to the API servers ${blocked ? 'blocked at the control-plane hosts' : 'allowed again'}`);
    return true;
  }

  scaleNodes(nodes: number): void {
    const before = this.spec.nodes;
    this.spec.nodes = nodes;
    // Watchers of removed nodes are gone with them.
    this.kubeletBroken = Math.min(this.kubeletBroken, nodes);
    this.proxyBroken = Math.min(this.proxyBroken, nodes);
    for (const w of this.workloadsByKey.values()) {
      if (w.spec.kind !== 'DaemonSet') continue;
      if (w.desired > 0) w.desired = nodes;
      w.running = Math.min(w.running, nodes);
    }
    this.emit('nodes-scaled', `nodes ${before} -> ${nodes}`);
  }

  killApiServers(n: number): void {
    let killed = 0;
    for (const r of this.replicas) {
      if (killed >= n) break;
      if (!r.up) continue;
      this.replicaDown(r, 'killed', PARAMS.apiServerRestartSeconds);
      killed++;
    }
  }

  scaleApiServers(n: number): void {
    const before = this.replicas.length;
    while (this.replicas.length < n) {
      const r = this.newReplica();
      // A new replica needs to start and fill its watch cache first.
      r.up = false;
      r.downUntil = this.t + PARAMS.apiServerRestartSeconds;
      this.replicas.push(r);
    }
    while (this.replicas.length > n) this.replicas.pop();
    this.spec.apiServerReplicas = n;
    this.emit('apiserver-scaled', `API server replicas ${before} -> ${n}`);
  }

  /** CoreDNS is gone (a bad Corefile rolled out, its pods evicted): no name resolves. */
  loseDns(): void {
    this.dnsLost = true;
    this.emit('dns-lost', 'every CoreDNS replica is down: no cluster name resolves');
  }

  /**
   * CoreDNS comes back with an empty cache: each replica must LIST services and endpoints from
   * the API server before it answers — which a saturated API server may not let it do.
   */
  restoreDns(): void {
    if (!this.dnsLost) return;
    this.dnsLost = false;
    const total = this.corednsCount();
    this.corednsHealthy = 0;
    this.corednsCohorts = [{ count: total, brokenAt: this.t - this.dnsCacheExpirySeconds }];
    this.emit('dns-restored', `${total} CoreDNS replicas restarted: each must list services and endpoints from the API server before it answers`);
  }
  private dnsLost = false;

  loseControlPlane(): void {
    this.controlPlaneLost = true;
    for (const r of this.replicas) if (r.up) this.replicaDown(r, 'control plane lost', Infinity);
    for (const r of this.replicas) r.held = true;
    this.emit('control-plane-lost', 'every API server replica is gone');
  }

  restoreControlPlane(): void {
    this.controlPlaneLost = false;
    for (const r of this.replicas) {
      r.held = false;
      r.downUntil = this.t + PARAMS.apiServerRestartSeconds;
    }
    this.emit('control-plane-restoring', `API servers starting (${PARAMS.apiServerRestartSeconds}s)`);
  }

  /**
   * etcd slows down (a slow disk, a noisy neighbour, a defragmentation, etcd itself overloaded):
   * every etcd request takes `latencySeconds` for `forSeconds` (absent: until the end). Each API
   * request that reads or writes etcd holds its APF seat that much longer per round trip, so the
   * same request rate needs more seats (seats in use = rate × seats × latency, Little's law) and
   * the levels queue and reject sooner; LISTs served from etcd, one round trip per page, most.
   */
  slowEtcd(latencySeconds: number, forSeconds?: number): void {
    this.etcdLatency = latencySeconds;
    this.etcdSlowUntil = forSeconds === undefined ? undefined : this.t + forSeconds;
    const ms = (s: number) => `${Math.round(s * 1000)} ms`;
    this.emit('etcd-slow', `etcd requests take ${ms(latencySeconds)} (healthy: about ${ms(PARAMS.etcdHealthyLatencySeconds)})${forSeconds === undefined ? '' : ` for ${Math.round(forSeconds)}s`}: writes and LISTs served from etcd hold their APF seats longer`);
  }
  private etcdLatency = PARAMS.etcdHealthyLatencySeconds;
  private etcdSlowUntil: number | undefined;

  /** What each etcd round trip takes beyond a healthy one (0 while etcd is healthy). */
  private etcdExtraSeconds(): number {
    return Math.max(0, this.etcdLatency - PARAMS.etcdHealthyLatencySeconds);
  }

  /** A slow-etcd period with an end is over: etcd answers at its healthy latency again. */
  private endSlowEtcd(): void {
    if (this.etcdSlowUntil === undefined || this.t < this.etcdSlowUntil) return;
    this.etcdSlowUntil = undefined;
    this.etcdLatency = PARAMS.etcdHealthyLatencySeconds;
    this.emit('etcd-recovered', 'etcd answers at its healthy latency again');
  }

  private upCount(): number {
    let n = 0;
    for (const r of this.replicas) if (r.up) n++;
    return n;
  }

  private replicaDown(r: Replica, why: string, seconds: number): void {
    const upBefore = this.upCount();
    r.up = false;
    r.downUntil = this.t + seconds * (Number.isFinite(seconds) ? 1 - PARAMS.restartJitter + 2 * PARAMS.restartJitter * this.rng.next() : 1);
    r.memory = 0;
    r.transient = 0;
    // Its clients' watches break: a 1/up share of every watcher population.
    const share = upBefore > 0 ? 1 / upBefore : 1;
    this.kubeletBroken = Math.min(this.spec.nodes, this.kubeletBroken + (this.spec.nodes - this.kubeletBroken) * share);
    this.proxyBroken = Math.min(this.spec.nodes, this.proxyBroken + (this.spec.nodes - this.proxyBroken) * share);
    // CoreDNS: healthy instances on it go stale now; recovering ones break again, still stale
    // since they first broke.
    const next: Cohort[] = [];
    for (const c of this.corednsCohorts) {
      if (c.relistedAt === undefined) {
        next.push(c);
        continue;
      }
      const hit = c.count * share;
      if (hit > 0) next.push({ count: hit, brokenAt: c.brokenAt });
      if (c.count - hit > 1e-9) next.push({ ...c, count: c.count - hit });
    }
    const breaking = this.corednsHealthy * share;
    if (breaking > 0) {
      this.corednsHealthy -= breaking;
      next.push({ count: breaking, brokenAt: this.t });
    }
    this.corednsCohorts = mergeCohorts(next);
    // Requests in flight on it fail; their clients retry.
    for (const f of this.flows) {
      const inflight = f.served * f.latencyS * share;
      if (f.retries > 0 && inflight > 0) f.retryRing[(this.t + 1) % RING] += inflight;
    }
    const idx = this.replicas.indexOf(r);
    this.emit('apiserver-down', `API server replica ${idx} ${why}${Number.isFinite(r.downUntil) ? `; restarting, back in ${Math.round(r.downUntil - this.t)}s` : ''} (${this.upCount()} of ${this.replicas.length} up)`);
  }

  // ---- flows ----------------------------------------------------------------------------------

  private flow(id: string, init: Omit<Flow, 'queued' | 'retryRing' | 'arrivals' | 'served' | 'rejected' | 'waitS' | 'latencyS' | 'id'>): Flow {
    let f = this.flowIndex.get(id);
    if (!f) {
      f = { id, ...init, queued: 0, retryRing: new Float64Array(RING), arrivals: 0, served: 0, rejected: 0, waitS: 0, latencyS: init.tau };
      this.flowIndex.set(id, f);
    } else Object.assign(f, init);
    return f;
  }
  private flowIndex = new Map<string, Flow>();

  /** Rebuilds this step's flow rates from the populations. */
  private buildFlows(): Flow[] {
    const n = this.spec.nodes;
    const p = this.profile();
    const out: Flow[] = [];
    const single = (mutating: boolean, bytes: number) => ({ seats: 1, objects: 1, tau: mutating ? MUTATE_LATENCY.value : GET_LATENCY.value, etcdTrips: mutating ? 1 : 0, cpu: mutating ? MUTATE_CPU.value : GET_CPU.value, mem: bytes * 2, bytes });
    // Kubelets' leases and node status go to node-high through the system-node-high FlowSchema.
    out.push(this.flow('kubelet-lease', { level: 'node-high', flowSchema: 'system-node-high', user: 'system:node:*', distinct: n, rate: n / PARAMS.leaseRenewSeconds, ...single(true, OBJECT_BYTES.leases.value), read: false, retries: 0 }));
    out.push(this.flow('kubelet-status', { level: 'node-high', flowSchema: 'system-node-high', user: 'system:node:*', distinct: n, rate: n / PARAMS.nodeStatusSeconds, ...single(true, 2000), read: false, retries: 0 }));
    out.push(this.flow('controllers', { level: 'workload-high', flowSchema: 'kube-controller-manager', user: 'system:kube-controller-manager', distinct: 1, rate: 20 + n * 0.01, ...single(true, 4000), read: false, retries: 10 }));
    out.push(this.flow('scheduler', { level: 'workload-high', flowSchema: 'kube-controller-manager', user: 'system:kube-scheduler', distinct: 1, rate: Math.min(PARAMS.schedulerPodsPerSecond, this.pendingPods + 0.5), ...single(true, 1000), read: false, retries: 10 }));
    // Ordinary users and tools: gets and namespace-scoped pod lists, as kubectl sends them (JSON, no resourceVersion).
    const users = this.backgroundUserRps;
    if (users > 0) {
      out.push(this.flow('users-get', { level: 'global-default', flowSchema: 'global-default', user: 'users', distinct: 20, rate: users * 0.8, ...single(false, 4000), read: true, retries: 10 }));
      const nsList = callCost({ verb: 'list', resource: 'pods', scope: 'namespace', intervalSeconds: 1 }, p);
      out.push(this.flow('users-list', { level: 'global-default', flowSchema: 'global-default', user: 'users', distinct: 20, rate: users * 0.2, seats: nsList.seatsPerRequest, objects: nsList.objectsPerRequest, tau: nsList.latencySeconds, etcdTrips: etcdRoundTrips(nsList, true), cpu: nsList.cpuSecondsPerRequest, mem: nsList.memoryBytesPerRequest, bytes: nsList.bytesPerRequest, read: true, retries: 10 }));
    }
    // Watchers that must relist after their replica died (reflector backoff while failing).
    const relist = (id: string, broken: number, level: string, flowSchema: string, user: string, call: ApiCall) => {
      if (broken < 0.01) return;
      const c = callCost(call, p);
      const f = this.flowIndex.get(id);
      const failing = f && f.arrivals > 0 ? f.rejected / f.arrivals : 0;
      const backoff = PARAMS.relistBackoffMinSeconds + (PARAMS.relistBackoffMaxSeconds - PARAMS.relistBackoffMinSeconds) * failing;
      out.push(this.flow(id, { level, flowSchema, user, distinct: Math.max(1, broken), rate: broken / backoff, seats: c.seatsPerRequest, objects: c.objectsPerRequest, tau: c.latencySeconds, etcdTrips: etcdRoundTrips(c, true), cpu: c.cpuSecondsPerRequest, mem: c.memoryBytesPerRequest, bytes: c.bytesPerRequest, read: true, retries: 0 }));
    };
    relist('kubelet-relist', this.kubeletBroken, 'system', 'system-nodes', 'system:node:*', { verb: 'list', resource: 'pods', scope: 'node', intervalSeconds: 1, resourceVersion: '0', encoding: 'protobuf' });
    relist('kube-proxy-relist', this.proxyBroken, 'workload-high', 'kube-system-service-accounts', 'system:serviceaccount:kube-system:kube-proxy', { verb: 'list', resource: 'endpointslices', scope: 'cluster', intervalSeconds: 1, resourceVersion: '0', encoding: 'protobuf' });
    const corednsBroken = this.corednsCohorts.reduce((a, c) => a + (c.relistedAt === undefined ? c.count : 0), 0);
    relist('coredns-relist', corednsBroken, 'workload-high', 'kube-system-service-accounts', 'system:serviceaccount:kube-system:coredns', { verb: 'list', resource: 'endpointslices', scope: 'cluster', intervalSeconds: 1, resourceVersion: '0', encoding: 'protobuf' });

    // Workloads that call the API.
    this.fanout = { cpuCores: 0, memoryBytes: 0, byWorkload: new Map() };
    for (const [k, w] of this.workloadsByKey) {
      if (w.running < 0.01 || w.blocked) continue;
      const { level, flowSchema } = levelOfIdentity(w.identity, w.spec.namespace);
      const distinct = w.identity === 'serviceAccount' ? 1 : Math.max(1, w.running);
      const user = `system:serviceaccount:${w.spec.namespace}:${w.spec.serviceAccount}`;
      w.calls.forEach((call, i) => {
        const c = callCost(call, p);
        // A watch starts with an initial LIST; a periodic LIST repeats.
        let rate = call.intervalSeconds > 0 ? w.running / call.intervalSeconds : 0;
        if (call.verb === 'watch' || call.intervalSeconds === 0) rate = this.startRate(w);
        out.push(this.flow(`wl:${k}:${i}`, { level, flowSchema, user, distinct, rate, seats: c.seatsPerRequest, objects: c.objectsPerRequest, tau: c.latencySeconds, etcdTrips: etcdRoundTrips(c, call.verb === 'list' || call.verb === 'watch'), cpu: c.cpuSecondsPerRequest, mem: c.memoryBytesPerRequest, bytes: c.bytesPerRequest, read: call.verb === 'list' || call.verb === 'watch' || call.verb === 'get', retries: w.retries, workload: k }));
        if (!c.watch) return;
        // Then, while it runs, the steady part of the same cost model (watchLoad): watches
        // re-established every 5–10 min and occasional relists go through APF; the events fanned
        // out to every watcher cost CPU, bandwidth and memory outside it.
        const l = watchLoad(c, w.running);
        out.push(this.flow(`wl:${k}:${i}:rewatch`, { level, flowSchema, user, distinct, rate: l.rewatch.requestsPerSecond, seats: l.rewatch.seats, objects: 0, tau: l.rewatch.latencySeconds, etcdTrips: 0, cpu: l.rewatch.cpuSecondsPerRequest, mem: l.rewatch.memoryBytesPerRequest, bytes: 0, read: true, retries: w.retries, workload: k }));
        out.push(this.flow(`wl:${k}:${i}:relist`, { level, flowSchema, user, distinct, rate: l.relistPerSecond, seats: c.seatsPerRequest, objects: c.objectsPerRequest, tau: c.latencySeconds, etcdTrips: etcdRoundTrips(c, true), cpu: c.cpuSecondsPerRequest, mem: c.memoryBytesPerRequest, bytes: c.bytesPerRequest, read: true, retries: w.retries, workload: k }));
        this.fanout.cpuCores += l.fanout.cpuCores;
        this.fanout.memoryBytes += l.fanout.memoryBytes;
        const mine = this.fanout.byWorkload.get(k) ?? { eventsPerSecond: 0, bytesPerSecond: 0, cpuCores: 0 };
        mine.eventsPerSecond += l.fanout.eventsPerSecond;
        mine.bytesPerSecond += l.fanout.bytesPerSecond;
        mine.cpuCores += l.fanout.cpuCores;
        this.fanout.byWorkload.set(k, mine);
      });
    }
    // Real HTTP clients (kubectl, the extension): what they sent in the last second.
    for (const [id, r] of this.realCounts) {
      out.push(this.flow(`real:${id}`, { level: r.level, flowSchema: r.flowSchema, user: r.user, distinct: 1, rate: r.count, seats: r.seats / Math.max(1, r.count), objects: 1, tau: r.tau / Math.max(1, r.count), etcdTrips: r.etcdTrips / Math.max(1, r.count), cpu: r.cpu / Math.max(1, r.count), mem: r.mem / Math.max(1, r.count), bytes: 0, read: r.read, retries: 0 }));
    }
    this.realCounts.clear();
    return out;
  }

  /** Agents starting per second (their informers' initial LIST). */
  private startRate(w: WorkloadState): number {
    if (w.deletedAt !== undefined) return 0;
    return w.running < target(w) ? w.desired / w.rolloutSeconds : 0;
  }

  // ---- the step ---------------------------------------------------------------------------------

  /**
   * One simulated step of `dt` seconds, in the order docs/SIMULATION.md §2.1 lists: replicas
   * restart, workload populations move, the flows are rebuilt, APF admits what the seats allow,
   * CPU and memory follow, relists repair watchers, and the data plane is updated.
   */
  step(dt = 1): void {
    this.t += dt;
    this.restartReplicas();
    this.endSlowEtcd();
    this.moveWorkloadPopulations(dt);
    const flows = this.buildFlows();
    this.flows = flows;
    const up = this.upCount();
    const { demandByLevel, seatDemand } = this.offerRequests(flows, dt);
    const limits = this.borrowedLimits(up, seatDemand);
    const { cpu, memInflight } = this.dispatchThroughApf(demandByLevel, limits, dt);
    this.updateCpuAndMemory(flows, up, cpu, memInflight, dt);
    if (up > 0) this.repairWatchersByRelists(dt);
    this.updateDataPlane(dt);
  }

  /** Replicas whose restart time has passed come back up, with empty in-flight memory. */
  private restartReplicas(): void {
    for (const r of this.replicas) {
      if (!r.up && !r.held && this.t >= r.downUntil) {
        r.up = true;
        r.transient = 0;
        r.memory = PARAMS.apiServerBaseMemory;
        this.emit('apiserver-up', `API server replica ${this.replicas.indexOf(r)} is serving again (${this.upCount()} of ${this.replicas.length} up)`);
      }
    }
  }

  /** Rollouts add pods linearly; a deleted workload's pods stop as fast as kubelets hear of it through the API server. */
  private moveWorkloadPopulations(dt: number): void {
    const kubeletHealth = this.spec.nodes > 0 ? 1 - this.kubeletBroken / this.spec.nodes : 1;
    for (const w of this.workloadsByKey.values()) {
      const goal = target(w);
      if (w.running < goal) w.running = Math.min(goal, w.running + (w.desired / w.rolloutSeconds) * dt);
      else if (w.running > goal) {
        // Pods of a deleted workload stop only when their kubelets hear of it through the API server.
        // A workload that still exists (a DaemonSet whose nodeSelector now excludes nodes, a
        // Deployment scaled down): its controller deletes the extra pods first, through its own
        // priority level (kube-controller-manager → workload-high), as the daemon set and
        // replica set controllers do (pkg/controller/daemon, replicaset: podControl.DeletePod).
        const controller = w.deletedAt === undefined ? this.levelServedRatio('workload-high') : 1;
        const hear = this.upCount() > 0 ? Math.max(0, kubeletHealth) * this.levelServedRatio('system') * controller : 0;
        w.running = Math.max(goal, w.running - w.running * Math.min(1, (dt * hear) / PARAMS.podStopSeconds));
        if (w.running < 0.5) w.running = goal;
      }
    }
  }

  /**
   * Each flow's arrivals (new requests + retries due now + requests still queued) and service
   * time (unloaded time × the CPU-contention and GC factors of the previous step), and the seats
   * each priority level would need to serve them all: rate × seats × latency (Little's law).
   */
  private offerRequests(flows: Flow[], dt: number): { demandByLevel: Map<string, Demand[]>; seatDemand: Map<string, number> } {
    const factor = this.phi * this.gc;
    const etcdExtra = this.etcdExtraSeconds();
    const slot = this.t % RING;
    const demandByLevel = new Map<string, Demand[]>();
    const seatDemand = new Map<string, number>();
    for (const f of flows) {
      const due = f.retryRing[slot];
      f.retryRing[slot] = 0;
      const a = f.rate * dt + due + f.queued;
      f.arrivals = a;
      // Waiting on etcd is not the API server's CPU: slow etcd adds to it, unscaled.
      f.latencyS = f.tau * factor + f.etcdTrips * etcdExtra;
      const d = { f, a, seatTime: f.seats * f.latencyS };
      const list = demandByLevel.get(f.level);
      if (list) list.push(d);
      else demandByLevel.set(f.level, [d]);
      seatDemand.set(f.level, (seatDemand.get(f.level) ?? 0) + (a / dt) * d.seatTime);
    }
    return { demandByLevel, seatDemand };
  }

  /**
   * API Priority and Fairness, per level: seats shared max-min fair across distinct flows; what
   * does not fit waits in the flows' queues (bounded by queue slots and the 15 s wait) or is
   * rejected with 429, and clients that retry come back after Retry-After. Returns the CPU and
   * the in-flight memory of what was served.
   */
  private dispatchThroughApf(demandByLevel: Map<string, Demand[]>, limits: Map<string, number>, dt: number): { cpu: number; memInflight: number } {
    const t = this.t;
    let cpu = 0;
    let memInflight = 0;
    for (const spec of PRIORITY_LEVELS) {
      const prev = this.levels.get(spec.name);
      const limit = limits.get(spec.name) ?? 0;
      let inflight = 0;
      let queued = 0;
      let rejected = 0;
      let dispatched = 0;
      let heavy = 0;
      let waitWeighted = 0;
      const retryAfter = prev ? prev.retryAfter : 1;
      const demand = demandByLevel.get(spec.name) ?? [];
      // Seats each flow class gets (water-filling across `distinct` sub-flows).
      const alloc = new Map<Flow, number>();
      if (limit === Infinity) for (const d of demand) alloc.set(d.f, Infinity);
      else {
        const items = demand.map((d) => ({ d, per: (d.a / dt) * d.seatTime / d.f.distinct, k: d.f.distinct })).sort((x, y) => x.per - y.per);
        let cap = limit;
        let k = items.reduce((s, i) => s + i.k, 0);
        for (const it of items) {
          const share = k > 0 ? cap / k : 0;
          const give = Math.min(it.per, share) * it.k;
          alloc.set(it.d.f, give);
          cap -= give;
          k -= it.k;
        }
      }
      for (const { f, a, seatTime } of demand) {
        const seatsFor = alloc.get(f) ?? 0;
        const capacity = seatTime > 0 ? (seatsFor / seatTime) * dt : a; // requests this step
        const served = Math.min(a, capacity);
        let rest = a - served;
        // Queues: a flow uses its hand of queues; a level has queues × queueLength slots. Nobody waits longer than 15 s.
        const queueSlots = spec.queues === 0 ? 0 : Math.min(spec.queues, spec.handSize * Math.max(1, f.distinct)) * spec.queueLength;
        const servedRate = served / dt;
        const maxByWait = servedRate * APF_MAX_QUEUE_WAIT.value;
        const q = limit === Infinity ? 0 : Math.min(rest, queueSlots, maxByWait);
        rest -= q;
        f.queued = q;
        f.served = servedRate;
        f.rejected = limit === Infinity ? 0 : rest;
        f.waitS = servedRate > 0 ? Math.min(APF_MAX_QUEUE_WAIT.value, q / servedRate) : q > 0 ? APF_MAX_QUEUE_WAIT.value : 0;
        if (f.rejected > 0 && f.retries > 0) {
          // client-go honours Retry-After, up to `retries` times: most rejected requests come back.
          const back = f.rejected * (f.retries / (f.retries + 1));
          f.retryRing[(t + Math.max(1, Math.round(retryAfter))) % RING] += back;
        }
        const inf = servedRate * f.latencyS * f.seats;
        inflight += inf;
        queued += q;
        rejected += f.rejected;
        dispatched += served;
        if (f.rejected > 0 || q > 1) heavy += f.distinct;
        waitWeighted += f.waitS * served;
        cpu += servedRate * f.cpu;
        memInflight += servedRate * f.latencyS * f.mem;
      }
      const rejectRatio = demand.length ? rejected / Math.max(1e-9, demand.reduce((s, d) => s + d.a, 0)) : 0;
      // APF's Retry-After doubles while many requests are dropped, and decays after.
      const nextRetryAfter = rejectRatio > 0.1 ? Math.min(PARAMS.retryAfterMaxSeconds, retryAfter * 2) : Math.max(1, retryAfter / 2);
      this.levels.set(spec.name, {
        limit: limit === Infinity ? 0 : limit,
        inflight,
        queued,
        rejected: rejected / dt,
        rejectedTotal: (prev?.rejectedTotal ?? 0) + rejected,
        dispatchedTotal: (prev?.dispatchedTotal ?? 0) + dispatched,
        waitP99: demand.reduce((m, d) => (d.f.served > 0 || d.f.queued > 0 ? Math.max(m, d.f.waitS) : m), 0),
        rejectRatio,
        avgWait: dispatched > 0 ? waitWeighted / dispatched : 0,
        heavyDistinct: heavy,
        retryAfter: nextRetryAfter,
      });
    }

    return { cpu, memInflight };
  }

  /**
   * CPU in use (the served flows' plus the watch event fan-out, which no APF level limits), the
   * CPU-contention factor φ, each up replica's memory and the GC factor; at most one replica whose
   * memory reached its limit is OOM-killed (the one with the smallest limit).
   */
  private updateCpuAndMemory(flows: Flow[], up: number, flowCpu: number, memInflight: number, dt: number): void {
    let cpu = flowCpu;
    const cores = this.spec.apiServerCores * Math.max(1, up);
    // Watch event fan-out: CPU no APF level limits (watches hold no seat once initialised).
    if (up > 0) cpu += this.fanout.cpuCores;
    // CPU and memory of the up replicas (load spreads evenly across them).
    this.cpuInUse = cpu;
    this.phi = up > 0 ? Math.max(1, cpu / cores) : 1;
    const cacheBytes = this.watchCacheBytes();
    let maxFrac = 0;
    const oomCandidates: Replica[] = [];
    // In-flight requests' memory fills over their latency (Little's law at equilibrium).
    let memLatency = 0;
    for (const f of flows) memLatency += f.served * f.latencyS * f.mem * f.latencyS;
    const tauMem = memInflight > 0 ? Math.max(1, memLatency / memInflight) : 1;
    const eq = memInflight / Math.max(1, up);
    for (const r of this.replicas) {
      if (!r.up) continue;
      r.transient += (eq - r.transient) * Math.min(1, dt / tauMem);
      r.memory = PARAMS.apiServerBaseMemory + cacheBytes + r.transient * PARAMS.gogcHeapFactor + this.fanout.memoryBytes / Math.max(1, up);
      const frac = r.memory / r.memLimit;
      maxFrac = Math.max(maxFrac, frac);
      if (frac >= 1) oomCandidates.push(r);
    }
    const over = Math.max(0, (maxFrac - PARAMS.gcPressureStart) / (1 - PARAMS.gcPressureStart));
    this.gc = 1 + (PARAMS.gcMaxSlowdown - 1) * Math.min(1, over) ** 2;
    if (oomCandidates.length) {
      // The replica with the smallest limit dies first; the others take its load next step.
      oomCandidates.sort((a, b) => a.memLimit - b.memLimit);
      const r = oomCandidates[0];
      this.replicaDown(r, `OOM-killed at ${(r.memory / 2 ** 30).toFixed(1)} GiB`, PARAMS.apiServerRestartSeconds);
    }
  }

  /** Each served relist repairs one broken watcher; relisted CoreDNS watches that held long enough count as fresh. */
  private repairWatchersByRelists(dt: number): void {
    const t = this.t;
    const served = (id: string) => (this.flowIndex.get(id)?.served ?? 0) * dt;
    this.kubeletBroken = Math.max(0, this.kubeletBroken - served('kubelet-relist'));
    this.proxyBroken = Math.max(0, this.proxyBroken - served('kube-proxy-relist'));
    // Relisted CoreDNS watches (oldest first) start to recover; those that held long enough are fresh.
    let repaired = served('coredns-relist');
    const next: Cohort[] = [];
    for (const c of this.corednsCohorts) {
      if (c.relistedAt === undefined && repaired > 1e-9) {
        const take = Math.min(c.count, repaired);
        repaired -= take;
        next.push({ count: take, brokenAt: c.brokenAt, relistedAt: t });
        if (c.count - take > 1e-9) next.push({ count: c.count - take, brokenAt: c.brokenAt });
      } else next.push(c);
    }
    this.corednsCohorts = [];
    for (const c of next) {
      if (c.relistedAt !== undefined && t - c.relistedAt >= PARAMS.dnsResyncSeconds) this.corednsHealthy += c.count;
      else this.corednsCohorts.push(c);
    }
    this.corednsCohorts = mergeCohorts(this.corednsCohorts);
  }

  /**
   * Concurrency limits with borrowing (KEP-1040, APF v1beta3+): a level lends the unused part of
   * its lendable share; levels whose demand exceeds their nominal limit borrow from that pool in
   * proportion to their excess. Limits are totals across the up replicas.
   */
  private borrowedLimits(up: number, seatDemand: Map<string, number>): Map<string, number> {
    const out = new Map<string, number>();
    let pool = 0;
    const excess = new Map<string, number>();
    for (const spec of PRIORITY_LEVELS) {
      if (spec.exempt) {
        out.set(spec.name, up === 0 ? 0 : Infinity);
        continue;
      }
      const nominal = up === 0 ? 0 : levelLimit(spec.name, this.spec.serverConcurrency) * up;
      const demand = seatDemand.get(spec.name) ?? 0;
      const lendable = (nominal * spec.lendablePercent) / 100;
      pool += Math.max(0, Math.min(lendable, nominal - demand));
      const own = Math.max(nominal - lendable, Math.min(nominal, demand));
      out.set(spec.name, own);
      if (demand > nominal && spec.queues > 0) excess.set(spec.name, demand - nominal);
    }
    const totalExcess = [...excess.values()].reduce((a, b) => a + b, 0);
    if (totalExcess > 0 && pool > 0) {
      for (const [name, e] of excess) out.set(name, (out.get(name) ?? 0) + Math.min(e, (pool * e) / totalExcess));
    }
    return out;
  }

  private levelServedRatio(level: string): number {
    const l = this.levels.get(level);
    return l ? 1 - l.rejectRatio : 1;
  }

  private watchCacheBytes(): number {
    const p = this.profile();
    let b = 0;
    for (const r of ['pods', 'nodes', 'services', 'endpointslices', 'leases', 'namespaces']) b += objectCount(r, p) * (OBJECT_BYTES[r]?.value ?? OBJECT_BYTES.default.value);
    return b * PARAMS.watchCacheFactor;
  }

  private updateDataPlane(dt: number): void {
    const t = this.t;
    // Node readiness: a node goes NotReady when its lease renewals fail for the grace period
    // (four consecutive 10 s renewals), as seen by the node-lifecycle controller.
    const lease = this.flowIndex.get('kubelet-lease');
    const failNow = this.upCount() === 0 ? 1 : lease && lease.arrivals > 0 ? lease.rejected / lease.arrivals + (lease.latencyS + lease.waitS > PARAMS.leaseRenewSeconds ? 1 : 0) : 0;
    const alpha = Math.min(1, dt / PARAMS.nodeGraceSeconds);
    // With the control plane gone, so is the node-lifecycle controller: nothing marks nodes
    // NotReady (or removes their endpoints) until it is back; the data plane runs on as it was.
    if (!this.controlPlaneLost) this.leaseFailEma += (Math.min(1, failNow) - this.leaseFailEma) * alpha;
    const notReady = this.leaseFailEma ** 4;
    // Scheduling: churned pods wait for the scheduler.
    const pods = this.spec.nodes * this.spec.podsPerNode;
    this.pendingPods += pods * PARAMS.podChurnPerSecond * dt;
    const sched = this.flowIndex.get('scheduler');
    if (sched) this.pendingPods = Math.max(0, this.pendingPods - sched.served * dt);
    const pendingFrac = pods > 0 ? Math.min(1, this.pendingPods / pods) : 0;
    // DNS: CoreDNS replicas with a broken watch answer from cached records, which expire over
    // the cache expiry; healthy ones answer fresh.
    const total = this.corednsCount();
    let valid = this.corednsHealthy;
    for (const c of this.corednsCohorts) valid += c.count * Math.max(0, 1 - (t - c.brokenAt) / this.dnsCacheExpirySeconds);
    this.dnsSuccess = this.dnsLost ? 0 : Math.max(0, Math.min(1, valid / Math.max(1, this.corednsHealthy + this.corednsCohorts.reduce((a, c) => a + c.count, 0) || total)));
    const ok = this.dnsSuccess * (1 - 0.8 * notReady) * (1 - pendingFrac);
    this.errorRatio = Math.min(1, PARAMS.baselineErrorRatio + (1 - PARAMS.baselineErrorRatio) * (1 - ok));
    // Latency percentiles of what was served.
    this.readP99 = this.percentile(true);
    this.mutP99 = this.percentile(false);
  }

  private percentile(read: boolean): number {
    const items: { lat: number; w: number }[] = [];
    let total = 0;
    for (const f of this.flows) {
      if (f.read !== read || f.served <= 0) continue;
      // A request past the server's --request-timeout ends there (504).
      items.push({ lat: Math.min(REQUEST_TIMEOUT.value, f.waitS + f.latencyS), w: f.served });
      total += f.served;
    }
    if (total === 0) return this.upCount() === 0 ? REQUEST_TIMEOUT.value : 0;
    items.sort((a, b) => a.lat - b.lat);
    let acc = 0;
    for (const i of items) {
      acc += i.w;
      if (acc >= 0.99 * total) return i.lat;
    }
    return items[items.length - 1].lat;
  }

  // ---- real requests --------------------------------------------------------------------------

  admit(req: SimRequest): AdmissionDecision {
    const { level, flowSchema } = classify(req.user, req.groups, req.resource === '' ? req.path : undefined);
    const up = this.upCount();
    if (up === 0) return { outcome: 'reject', waitMs: 0, priorityLevel: level, flowSchema, unavailable: true };
    const p = this.profile();
    let tau = req.verb === 'get' || req.verb === 'watch' ? GET_LATENCY.value : MUTATE_LATENCY.value;
    let cpu = req.verb === 'get' ? GET_CPU.value : MUTATE_CPU.value;
    let seats = 1;
    let mem = req.bytes * 2;
    // A write is one etcd transaction; gets and watches are served from the watch cache.
    let etcdTrips = req.verb === 'get' || req.verb === 'watch' ? 0 : 1;
    if (req.verb === 'list' || (req.verb === 'watch' && req.objects > 1)) {
      const c = callCost({ verb: 'list', resource: req.resource || 'pods', scope: 'cluster', intervalSeconds: 1, resourceVersion: req.fromCache ? '0' : undefined }, p);
      // Scale the cluster-scope estimate to what this request actually reads.
      const scale = c.objectsPerRequest > 0 ? req.objects / c.objectsPerRequest : 1;
      cpu = c.cpuSecondsPerRequest * scale;
      tau = c.latencySeconds * Math.max(0.01, scale);
      seats = apfSeats(req.objects);
      mem = c.memoryBytesPerRequest * scale;
      etcdTrips = etcdRoundTrips({ servedFrom: c.servedFrom, objectsPerRequest: req.objects }, true);
    }
    const k = `${req.user}|${req.userAgent}|${level}`;
    const r = this.realCounts.get(k) ?? { count: 0, seats: 0, tau: 0, etcdTrips: 0, cpu: 0, mem: 0, level, flowSchema, user: req.user, read: req.verb === 'get' || req.verb === 'list' || req.verb === 'watch' };
    r.count++;
    r.seats += seats;
    r.tau += tau;
    r.etcdTrips += etcdTrips;
    r.cpu += cpu;
    r.mem += mem;
    this.realCounts.set(k, r);
    const timeout = req.timeoutSeconds ?? REQUEST_TIMEOUT.value;
    const service = tau * this.phi * this.gc + etcdTrips * this.etcdExtraSeconds();
    const l = this.levels.get(level);
    if (level === 'exempt' || !l) {
      const s = service;
      return s > timeout ? { outcome: 'timeout', waitMs: timeout * 1000, priorityLevel: level, flowSchema } : { outcome: 'serve', waitMs: s * 1000, priorityLevel: level, flowSchema };
    }
    const spec = PRIORITY_LEVELS.find((x) => x.name === level)!;
    // Shuffle sharding: a new flow lands behind heavy flows once they occupy most queues.
    const occupancy = spec.queues === 0 ? 1 : Math.min(1, (l.heavyDistinct * spec.handSize) / spec.queues);
    const pReject = spec.queues === 0 ? (l.rejectRatio > 0 ? 1 : 0) : l.rejectRatio * occupancy;
    if (this.admitRng.next() < pReject) return { outcome: 'reject', waitMs: 0, retryAfterSeconds: Math.max(1, Math.round(l.retryAfter)), priorityLevel: level, flowSchema };
    const wait = l.avgWait * occupancy + service;
    if (wait > timeout) return { outcome: 'timeout', waitMs: timeout * 1000, priorityLevel: level, flowSchema };
    return { outcome: 'serve', waitMs: wait * 1000, priorityLevel: level, flowSchema };
  }

  // ---- observation ----------------------------------------------------------------------------

  snapshot(): ClusterSnapshot {
    const up = this.upCount();
    const levels: Record<string, PriorityLevelState> = {};
    let limit = 0;
    let inflight = 0;
    let queued = 0;
    let rejected = 0;
    for (const [name, l] of this.levels) {
      levels[name] = { limit: l.limit, inflight: l.inflight, queued: l.queued, rejectedPerSecond: l.rejected, rejectedTotal: l.rejectedTotal, dispatchedTotal: l.dispatchedTotal, waitP99Seconds: l.waitP99, servedRatio: this.levelServedRatio(name) };
      limit += l.limit;
      if (name !== 'exempt') inflight += Math.min(l.inflight, l.limit);
      queued += l.queued;
      rejected += l.rejected;
    }
    const workloadPods: Record<string, number> = {};
    for (const [k, w] of this.workloadsByKey) workloadPods[k] = Math.round(w.running);
    const workloadLoad: ClusterSnapshot['workloadLoad'] = {};
    for (const f of this.flows) {
      if (!f.workload) continue;
      const l = (workloadLoad[f.workload] ??= { requestsPerSecond: 0, objectsPerSecond: 0, bytesPerSecond: 0, eventsPerSecond: 0, servedRequestsPerSecond: 0, servedBytesPerSecond: 0, receivingBytes: 0 });
      l.requestsPerSecond += f.rate;
      l.objectsPerSecond += f.rate * f.objects;
      l.bytesPerSecond += f.rate * f.bytes;
      // What the API servers answered of it (a 429 carries no response worth counting).
      l.servedRequestsPerSecond! += f.served;
      l.servedBytesPerSecond! += f.served * f.bytes;
      l.receivingBytes! += f.served * f.latencyS * f.bytes;
    }
    for (const [k, fan] of this.fanout.byWorkload) {
      const l = (workloadLoad[k] ??= { requestsPerSecond: 0, objectsPerSecond: 0, bytesPerSecond: 0, eventsPerSecond: 0, servedRequestsPerSecond: 0, servedBytesPerSecond: 0, receivingBytes: 0 });
      l.eventsPerSecond = (l.eventsPerSecond ?? 0) + fan.eventsPerSecond;
      l.bytesPerSecond += fan.bytesPerSecond;
      // Watch events reach the watchers outside APF while a replica is up.
      if (up > 0) l.servedBytesPerSecond! += fan.bytesPerSecond;
    }
    const notReady = Math.round(this.spec.nodes * this.leaseFailEma ** 4);
    return {
      t: this.t,
      nodes: { total: this.spec.nodes, ready: this.spec.nodes - notReady },
      pods: { total: this.spec.nodes * this.spec.podsPerNode, pending: Math.round(this.pendingPods) },
      apiserver: {
        inflight,
        limit,
        queued,
        rejectedPerSecond: rejected,
        readP99Seconds: this.readP99,
        mutatingP99Seconds: this.mutP99,
        replicasReady: up,
        replicas: this.replicas.length,
        memoryBytes: this.replicas.map((r) => (r.up ? r.memory : 0)),
        cpuCoresInUse: this.cpuInUse,
        etcdOk: !this.controlPlaneLost,
      },
      priorityLevels: levels,
      dns: { successRatio: this.dnsSuccess, watchHealthy: this.corednsCohorts.length === 0, cacheValidRatio: this.dnsSuccess },
      dataPlane: { errorRatio: this.errorRatio },
      workloadPods,
      workloadLoad,
    };
  }
}
