// The shared cost model: what a workload's API usage costs the API server at a cluster profile.
// The simulator drives its API servers with these numbers and the manifest analyzer shows them
// inline, so the editor's warning and the tabletop's behaviour cannot disagree.
import {
  APF_MAX_SEATS,
  APF_OBJECTS_PER_SEAT,
  ETCD_CPU,
  GET_CPU,
  LIST_BASE_LATENCY,
  LIST_CPU,
  LIST_CACHE_MEMORY_FACTOR,
  LIST_MEMORY_FACTOR,
  LIST_PARALLELISM,
  MUTATE_CPU,
  MUTATE_ETCD_CPU,
  OBJECT_BYTES,
  PROTOBUF_SIZE_RATIO,
  SERVER_CONCURRENCY,
  GET_LATENCY,
  MUTATE_LATENCY,
  levelLimit,
  levelLimitWithBorrowing,
} from './constants';

export interface ClusterProfile {
  name: string;
  nodes: number;
  podsPerNode: number;
  namespaces?: number;
  services?: number;
  apiServerReplicas?: number;
  /** Server concurrency per replica (max-requests-inflight + max-mutating). Default 600. */
  serverConcurrency?: number;
  /** Consistent LISTs (no resourceVersion) are served from the watch cache (GA in 1.34). Default false. */
  consistentListFromCache?: boolean;
  /** CPU cores and memory of one API server replica (defaults: 32 cores, 64 GiB, as the simulator's). */
  apiServerCores?: number;
  apiServerMemoryBytes?: number;
}

export const DEFAULT_API_SERVER = { replicas: 3, cores: 32, memoryBytes: 64 * 2 ** 30 };

export type Verb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';
export type Scope = 'cluster' | 'namespace' | 'node';

/** One kind of request a client makes. */
export interface ApiCall {
  verb: Verb;
  resource: string;
  /** cluster: every object; namespace: one namespace's; node: filtered to the client's node. */
  scope: Scope;
  /** Seconds between calls; for a watch, seconds between re-lists (0 = once). */
  intervalSeconds: number;
  /** '0' = served from the watch cache; '' or undefined = a consistent read (etcd before 1.34). */
  resourceVersion?: string;
  /** Response encoding. kubectl and most agents: json; kubelets and controllers: protobuf. */
  encoding?: 'json' | 'protobuf';
  /**
   * Made by this many clients whatever the workload's count: 1 for what only the elected leader
   * of a per-node agent does (a beats provider with `unique: true`, a cluster-level collector).
   */
  clients?: number;
}

/** A client population: one per node for a DaemonSet, N replicas for a Deployment. */
export interface WorkloadUsage {
  name: string;
  clients: number | 'perNode';
  calls: ApiCall[];
  /** APF priority level its requests land in (service accounts: workload-low). */
  priorityLevel?: string;
}

export interface CallCost {
  call: ApiCall;
  requestsPerSecond: number;
  /** Objects the server reads per request (the APF estimate's input). */
  objectsPerRequest: number;
  /** Objects returned per request. */
  returnedPerRequest: number;
  bytesPerRequest: number;
  seatsPerRequest: number;
  cpuSecondsPerRequest: number;
  etcdCpuSecondsPerRequest: number;
  latencySeconds: number;
  memoryBytesPerRequest: number;
  servedFrom: 'etcd' | 'cache';
}

export interface CostEstimate {
  profile: string;
  clients: number;
  requestsPerSecond: number;
  objectsPerSecond: number;
  bytesPerSecond: number;
  /** Seats held on average (Σ rate × seats × latency, Little's law). */
  seatsInUse: number;
  /** Largest seat count of one request. */
  maxSeatsPerRequest: number;
  apiServerCores: number;
  etcdCores: number;
  /** Temporary memory of the LISTs in flight on average. */
  memoryBytes: number;
  priorityLevel: string;
  /** Concurrency limit of that level across all replicas. */
  priorityLevelSeats: number;
  /** seatsInUse / priorityLevelSeats: above 1 the level is saturated by this workload alone. */
  shareOfPriorityLevel: number;
  /**
   * The share of the API servers' capacity this workload would take: the largest of its share of
   * the seats its level can reach (its own plus what it may borrow, as the simulator grants), of
   * the replicas' CPU cores and of their memory. 1.0 = saturated.
   */
  capacityRatio: number;
  perCall: CallCost[];
}

export function objectBytes(resource: string): number {
  return (OBJECT_BYTES[resource] ?? OBJECT_BYTES.default).value;
}

/** How many objects of a resource a cluster of this profile holds. */
export function objectCount(resource: string, p: ClusterProfile): number {
  const namespaces = p.namespaces ?? Math.max(10, Math.round(p.nodes / 10));
  const services = p.services ?? Math.max(20, Math.round((p.nodes * p.podsPerNode) / 30));
  switch (resource) {
    case 'pods':
      return p.nodes * p.podsPerNode;
    case 'nodes':
    case 'leases':
      return p.nodes;
    case 'namespaces':
      return namespaces;
    case 'services':
      return services;
    case 'endpoints':
    case 'endpointslices':
      return services;
    case 'events':
      return p.nodes * 5;
    default:
      return namespaces * 5;
  }
}

/** Objects a request of this scope matches. */
function matched(resource: string, scope: Scope, p: ClusterProfile): number {
  const all = objectCount(resource, p);
  if (scope === 'cluster') return all;
  if (scope === 'node') {
    if (resource === 'pods') return p.podsPerNode;
    if (resource === 'nodes' || resource === 'leases') return 1;
    return all; // a node filter on other resources is applied by the client, after the LIST
  }
  const namespaces = p.namespaces ?? Math.max(10, Math.round(p.nodes / 10));
  return Math.max(1, Math.ceil(all / namespaces));
}

export function apfSeats(objects: number): number {
  return Math.min(APF_MAX_SEATS.value, Math.max(1, Math.ceil(objects / APF_OBJECTS_PER_SEAT.value)));
}

export function callCost(call: ApiCall, p: ClusterProfile): CallCost {
  const rps = call.intervalSeconds > 0 ? 1 / call.intervalSeconds : 0;
  const encodingRatio = call.encoding === 'protobuf' ? PROTOBUF_SIZE_RATIO.value : 1;
  const encodePerByte = call.encoding === 'protobuf' ? LIST_CPU.encodeProtobufPerByte.value : LIST_CPU.encodeJsonPerByte.value;
  const size = objectBytes(call.resource) * encodingRatio;
  if (call.verb === 'list' || call.verb === 'watch') {
    const returned = matched(call.resource, call.scope, p);
    const fromCache = call.resourceVersion === '0' || !!p.consistentListFromCache;
    // From etcd, a selector does not avoid reading every object of the resource; the watch
    // cache has an index for pods by spec.nodeName only.
    const indexed = fromCache && call.resource === 'pods' && call.scope === 'node';
    // A namespace-scoped LIST reads one key prefix (from etcd or the cache); other selectors
    // are filters applied after reading every object.
    const processed = call.scope === 'namespace' || indexed ? returned : objectCount(call.resource, p);
    const storedBytes = processed * objectBytes(call.resource);
    const responseBytes = returned * size;
    const cpu = fromCache
      ? processed * LIST_CPU.cachePerObject.value + storedBytes * LIST_CPU.cachePerByte.value
      : processed * LIST_CPU.etcdPerObject.value + storedBytes * LIST_CPU.etcdPerByte.value;
    const encode = responseBytes * encodePerByte;
    const etcd = fromCache ? 0 : processed * ETCD_CPU.perObject.value + storedBytes * ETCD_CPU.perByte.value;
    const cpuTotal = cpu + encode;
    return {
      call,
      requestsPerSecond: rps,
      objectsPerRequest: processed,
      returnedPerRequest: returned,
      bytesPerRequest: responseBytes,
      seatsPerRequest: apfSeats(processed),
      cpuSecondsPerRequest: cpuTotal,
      etcdCpuSecondsPerRequest: etcd,
      latencySeconds: LIST_BASE_LATENCY.value + cpuTotal / LIST_PARALLELISM.value,
      memoryBytesPerRequest: fromCache ? responseBytes * LIST_CACHE_MEMORY_FACTOR.value : storedBytes * LIST_MEMORY_FACTOR.value,
      servedFrom: fromCache ? 'cache' : 'etcd',
    };
  }
  const mutating = call.verb !== 'get';
  return {
    call,
    requestsPerSecond: rps,
    objectsPerRequest: 1,
    returnedPerRequest: 1,
    bytesPerRequest: size,
    seatsPerRequest: 1,
    cpuSecondsPerRequest: (mutating ? MUTATE_CPU.value : GET_CPU.value) + size * encodePerByte,
    etcdCpuSecondsPerRequest: mutating ? MUTATE_ETCD_CPU.value : 0,
    latencySeconds: mutating ? MUTATE_LATENCY.value : GET_LATENCY.value,
    memoryBytesPerRequest: size * 2,
    servedFrom: mutating ? 'etcd' : 'cache',
  };
}

export function clientsOf(w: WorkloadUsage, p: ClusterProfile): number {
  return w.clients === 'perNode' ? p.nodes : w.clients;
}

/** The estimate for a workload at a cluster profile. */
export function estimate(w: WorkloadUsage, p: ClusterProfile): CostEstimate {
  const clients = clientsOf(w, p);
  const perCall = w.calls.map((c) => callCost(c, p));
  let rps = 0;
  let objects = 0;
  let bytes = 0;
  let seats = 0;
  let cores = 0;
  let etcd = 0;
  let memory = 0;
  for (const c of perCall) {
    const r = c.requestsPerSecond * Math.min(clients, c.call.clients ?? clients);
    rps += r;
    objects += r * c.objectsPerRequest;
    bytes += r * c.bytesPerRequest;
    seats += r * c.seatsPerRequest * c.latencySeconds;
    cores += r * c.cpuSecondsPerRequest;
    etcd += r * c.etcdCpuSecondsPerRequest;
    memory += r * c.latencySeconds * c.memoryBytesPerRequest;
  }
  const level = w.priorityLevel ?? 'workload-low';
  const replicas = p.apiServerReplicas ?? DEFAULT_API_SERVER.replicas;
  const levelSeats = levelLimit(level, p.serverConcurrency ?? SERVER_CONCURRENCY.value) * replicas;
  const share = Number.isFinite(levelSeats) ? seats / levelSeats : 0;
  // Capacity as the simulator grants it: the level's own seats plus what it can borrow.
  const reachable = levelLimitWithBorrowing(level, p.serverConcurrency ?? SERVER_CONCURRENCY.value) * replicas;
  const seatShare = Number.isFinite(reachable) ? seats / reachable : 0;
  const cpuShare = cores / ((p.apiServerCores ?? DEFAULT_API_SERVER.cores) * replicas);
  const memShare = memory / ((p.apiServerMemoryBytes ?? DEFAULT_API_SERVER.memoryBytes) * replicas);
  return {
    profile: p.name,
    clients,
    requestsPerSecond: rps,
    objectsPerSecond: objects,
    bytesPerSecond: bytes,
    seatsInUse: seats,
    maxSeatsPerRequest: perCall.reduce((m, c) => Math.max(m, c.seatsPerRequest), 0),
    apiServerCores: cores,
    etcdCores: etcd,
    memoryBytes: memory,
    priorityLevel: level,
    priorityLevelSeats: levelSeats,
    shareOfPriorityLevel: share,
    capacityRatio: Math.max(seatShare, cpuShare, memShare),
    perCall,
  };
}
