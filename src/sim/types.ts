// The contract between the cluster model (src/sim/model/) and everything that looks at it: the
// HTTP server that speaks the Kubernetes API (src/sim/server/), `breakglass sim run`, and later
// the tabletop. The model is aggregate (it never loops over nodes per step); the server
// materialises objects on demand from what the model says exists.
import type { WorkloadUsage } from '../cost/model';

/** A workload the model knows about (a DaemonSet runs one pod per node). */
export interface WorkloadSpec {
  name: string;
  namespace: string;
  kind: 'DaemonSet' | 'Deployment';
  /** Deployment replicas (ignored for a DaemonSet). */
  replicas?: number;
  image: string;
  labels: Record<string, string>;
  /** The service account its pods use; the user its requests carry is system:serviceaccount:<ns>:<sa>. */
  serviceAccount: string;
  /**
   * Whose credentials its pods use: the service account (default), the node's own kubelet
   * credentials, or a per-node client certificate of a plain user. It decides the APF priority
   * level and how many distinct flows the requests form.
   */
  identity?: 'serviceAccount' | 'node' | 'user';
  /** Its API usage per pod (clients = per node for a DaemonSet, replicas for a Deployment). */
  usage: WorkloadUsage;
  /** Created at (simulated seconds). */
  createdAt: number;
  /** A DaemonSet written through the API: the nodes its nodeSelector matches (absent: every node). */
  nodes?: number;
}

/** A workload as written through the API server (resources/deployments.ts, daemonsets.ts). */
export interface AppliedWorkload {
  namespace: string;
  name: string;
  kind: 'DaemonSet' | 'Deployment';
  /** Deployment: spec.replicas. DaemonSet: the nodes its pod template may run on. */
  pods: number;
  image: string;
  labels: Record<string, string>;
  serviceAccount: string;
  /** What changed, for the timeline ("nodeSelector kubernetes.io/os=none: 0 of 5000 nodes"). */
  change: string;
}

export interface ClusterSpec {
  name: string;
  nodes: number;
  podsPerNode: number;
  namespaces: number;
  services: number;
  apiServerReplicas: number;
  /** max-requests-inflight + max-mutating-requests-inflight, per replica. */
  serverConcurrency: number;
  /** Memory one API server replica may use before it is OOM-killed. */
  apiServerMemoryBytes: number;
  /** CPU cores of one API server replica. */
  apiServerCores: number;
  /** Consistent LISTs served from the watch cache (1.34+). */
  consistentListFromCache: boolean;
}

/** Something that happened, for the timeline (scenario events and model reactions). */
export interface ModelEvent {
  /** Simulated seconds since T+0. */
  t: number;
  cluster: string;
  kind: string;
  detail: string;
}

/** One real HTTP request arriving at the simulated API server. */
export interface SimRequest {
  user: string;
  groups: string[];
  userAgent: string;
  verb: 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';
  /** Plural resource (pods, nodes, daemonsets, …) or '' for non-resource URLs. */
  resource: string;
  /** /readyz, /livez, /healthz, /version, /metrics … (non-resource requests). */
  path?: string;
  namespace?: string;
  /** The server's estimate of objects it reads for this request (APF's input). */
  objects: number;
  /** Expected response bytes. */
  bytes: number;
  /** A LIST with resourceVersion="0" (watch cache). */
  fromCache: boolean;
  /** The client's own deadline (`?timeout=` of the request), seconds; the server's default is 60. */
  timeoutSeconds?: number;
}

export interface AdmissionDecision {
  /** serve: answer after waitMs; reject: 429 with retryAfterSeconds; timeout: hang up after waitMs with 504. */
  outcome: 'serve' | 'reject' | 'timeout';
  /** Real milliseconds to delay the answer (queue wait + service time, scaled by the clock's speed). */
  waitMs: number;
  retryAfterSeconds?: number;
  priorityLevel: string;
  flowSchema: string;
  /** 'unavailable' when no API server replica is up (connection refused / 503). */
  unavailable?: boolean;
}

export interface PriorityLevelState {
  /** Seat limit across ready replicas. */
  limit: number;
  /** Seats in use. */
  inflight: number;
  /** Requests waiting in queues. */
  queued: number;
  rejectedPerSecond: number;
  rejectedTotal: number;
  dispatchedTotal: number;
  waitP99Seconds: number;
  /** Share of the level's requests served this step (1 − rejected/offered): what a controller at this level gets through. */
  servedRatio?: number;
}

/** What one workload asks of the API servers, and what of it they served in the last step. */
export interface WorkloadLoad {
  requestsPerSecond: number;
  objectsPerSecond: number;
  bytesPerSecond: number;
  eventsPerSecond?: number;
  /** Of its requests (retries included), those served in the last step, per second. */
  servedRequestsPerSecond?: number;
  /** Bytes its pods received: served responses and watch events, per second. */
  servedBytesPerSecond?: number;
  /** Response bytes on their way to its pods at once (served rate × latency × bytes, Little's law). */
  receivingBytes?: number;
}

export interface ClusterSnapshot {
  t: number;
  nodes: { total: number; ready: number };
  pods: { total: number; pending: number };
  apiserver: {
    /** Requests being served across ready replicas (seats in use). */
    inflight: number;
    limit: number;
    queued: number;
    rejectedPerSecond: number;
    readP99Seconds: number;
    mutatingP99Seconds: number;
    replicasReady: number;
    replicas: number;
    /** Resident memory per replica, bytes. */
    memoryBytes: number[];
    cpuCoresInUse: number;
    /** Are the etcd and informer-sync checks passing? */
    etcdOk: boolean;
  };
  priorityLevels: Record<string, PriorityLevelState>;
  dns: { successRatio: number; watchHealthy: boolean; cacheValidRatio: number };
  dataPlane: { errorRatio: number };
  /** Running pods per workload ("<ns>/<name>"). */
  workloadPods: Record<string, number>;
  /**
   * Load each workload offers the API servers now ("<ns>/<name>"): new requests (retries not
   * counted), objects the server must read and bytes it must send for them and for its watches'
   * events (eventsPerSecond) — what the shared cost model estimates for the same workload.
   */
  workloadLoad: Record<string, WorkloadLoad>;
}

/** What the server and tools may ask of one simulated cluster. */
export interface SimCluster {
  readonly spec: ClusterSpec;
  /** Simulated seconds since T+0. */
  now(): number;
  workloads(): WorkloadSpec[];
  snapshot(): ClusterSnapshot;
  /** Admission of one real HTTP request; the model also counts it as load. */
  admit(req: SimRequest): AdmissionDecision;
  /** A request through the API server removed a workload (the API server admitted it). */
  deleteWorkload(namespace: string, name: string): boolean;
  scaleWorkload(namespace: string, name: string, replicas: number): boolean;
  /**
   * A workload written through the API server (create, update, patch, apply), already admitted:
   * a new one runs (a plain application: no API traffic of its own), an existing one takes its
   * new pod count (a DaemonSet: the nodes its nodeSelector matches) and image. False when the
   * model refuses (a deleted one, a kind that changed).
   */
  applyWorkload(w: AppliedWorkload): boolean;
  onEvent(listener: (e: ModelEvent) => void): () => void;
}

/**
 * What a break-glass action (src/breakglass/) may read of and do to one simulated cluster, and
 * nothing more: the etcd keyspace (workloads and their pod objects), the nodes, the control
 * plane. Its changes go around the API server, as the real actions do: an object removed from
 * etcd, agents stopped on their nodes over SSH, a firewall rule on the control-plane hosts, API
 * server replicas started there.
 */
export interface SimTarget {
  readonly spec: Pick<ClusterSpec, 'name' | 'nodes' | 'apiServerReplicas'>;
  /** Simulated seconds since T+0. */
  now(): number;
  workloads(): WorkloadSpec[];
  snapshot(): { workloadPods: ClusterSnapshot['workloadPods']; apiserver: Pick<ClusterSnapshot['apiserver'], 'replicas'> };
  /** Pod objects of a workload in etcd: running agents and those stopped on their nodes. */
  podObjects(namespace: string, name: string): number;
  /** The workload's object removed from etcd (its running agents keep running). */
  deleteWorkload(namespace: string, name: string): boolean;
  /** Agents stopped on `nodes` more nodes; returns how many of those were running. */
  stopAgentsOn(namespace: string, name: string, nodes: number): number;
  /** The workload's traffic to the API servers dropped (or allowed again) at the control-plane hosts. */
  setBlocked(namespace: string, name: string, blocked: boolean): boolean;
  scaleApiServers(n: number): void;
  /** An event on the cluster's timeline. */
  emit(kind: string, detail: string): void;
}
