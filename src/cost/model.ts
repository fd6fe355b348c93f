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
  CHURN,
  WATCH_REESTABLISH_SECONDS,
  WATCH_RELISTS_PER_HOUR,
  WATCH_EVENT_CPU,
  CACHING_OBJECT_MIN_WATCHERS,
  WATCH_MEMORY_BYTES,
  API_SERVER_NETWORK_BYTES_PER_SECOND,
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
  /** Network bandwidth of one replica, bytes/s (default API_SERVER_NETWORK_BYTES_PER_SECOND, 10 Gbit/s). */
  apiServerNetworkBytesPerSecond?: number;
}

export const DEFAULT_API_SERVER = { replicas: 3, cores: 32, memoryBytes: 64 * 2 ** 30, networkBytesPerSecond: API_SERVER_NETWORK_BYTES_PER_SECOND.value };

export type Verb = 'list' | 'watch' | 'get' | 'create' | 'update' | 'patch' | 'delete';
export type Scope = 'cluster' | 'namespace' | 'node';

/** One kind of request a client makes. */
export interface ApiCall {
  verb: Verb;
  resource: string;
  /** cluster: every object; namespace: one namespace's; node: filtered to the client's node. */
  scope: Scope;
  /**
   * Seconds between calls. For a watch, seconds between forced re-lists; 0 = a long-running
   * watch, which still re-lists now and then (WATCH_RELISTS_PER_HOUR) and is priced by its events.
   */
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

/**
 * What one open watch costs in steady state, per client (see `watchSteady`). Events are not
 * requests: a watch sends them on its one long-running request, which holds no APF seat after
 * its initialisation (APF's "watch initialization" signal, KEP-1040), so its cost shows up as
 * CPU, bandwidth and memory, not seats.
 */
export interface WatchCost {
  /** Changes per second of the watched kind in the whole cluster. */
  churnPerSecond: number;
  /** Share of those changes this watcher's scope matches. */
  scopeFraction: number;
  /** Events sent to this watcher per second. */
  eventsPerSecond: number;
  /** Bytes sent to this watcher per second. */
  bytesPerSecond: number;
  /** Events the cacher checks against this watcher per second (all of the kind without a trigger index). */
  checkedPerSecond: number;
  /** Dispatch, send and filter CPU for this watcher (cores). */
  cpuCores: number;
  /** Watch re-establishments per second (timeouts every 5–10 min, resumed from the last resourceVersion). */
  rewatchPerSecond: number;
  /** Full relists per second (each an initial LIST, priced as the call's LIST). */
  relistPerSecond: number;
  /** Memory the open watch holds. */
  memoryBytes: number;
}

export interface CallCost {
  call: ApiCall;
  /** Requests per second per client. For a watch: re-establishments plus relists (events are not requests). */
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
  /** A watch's steady cost per client; the per-request fields above describe its (re)list. */
  watch?: WatchCost;
}

export interface CostEstimate {
  profile: string;
  clients: number;
  /** Requests per second (watch events are not requests: see eventsPerSecond). */
  requestsPerSecond: number;
  objectsPerSecond: number;
  /** Bytes sent per second: responses plus watch events. */
  bytesPerSecond: number;
  /** Watch events sent per second to all of the workload's watchers. */
  eventsPerSecond: number;
  /** Seats held on average (Σ rate × seats × latency, Little's law). */
  seatsInUse: number;
  /** Largest seat count of one request. */
  maxSeatsPerRequest: number;
  apiServerCores: number;
  etcdCores: number;
  /** Temporary memory of the LISTs in flight on average, plus what open watches hold. */
  memoryBytes: number;
  priorityLevel: string;
  /** Concurrency limit of that level across all replicas. */
  priorityLevelSeats: number;
  /** seatsInUse / priorityLevelSeats: above 1 the level is saturated by this workload alone. */
  shareOfPriorityLevel: number;
  /**
   * The share of the API servers' capacity this workload would take: the largest of its share of
   * the seats its level can reach (its own plus what it may borrow, as the simulator grants), of
   * the replicas' CPU cores, of their memory and of their network bandwidth. 1.0 = saturated.
   */
  capacityRatio: number;
  perCall: CallCost[];
}

export function objectBytes(resource: string): number {
  return (OBJECT_BYTES[resource] ?? OBJECT_BYTES.default).value;
}

/** How many objects of a resource a cluster of this profile holds. */
/**
 * Custom resources with one object per node: CiliumNode, the AWS VPC CNI's CNINode, Calico's IPAM
 * block and block affinity (one /26 block per node in the usual layout: assumption), NFD's
 * NodeFeature and NodeResourceTopology, CSINode, Antrea's AntreaAgentInfo (one per agent).
 */
export const PER_NODE_RESOURCES = new Set(['ciliumnodes', 'cninodes', 'ipamblocks', 'blockaffinities', 'nodefeatures', 'noderesourcetopologies', 'csinodes', 'antreaagentinfos']);
/** One object per pod: Cilium's CiliumEndpoint, one for each pod it manages (Cilium docs, "CiliumEndpoint"). */
export const PER_POD_RESOURCES = new Set(['ciliumendpoints']);

export function objectCount(resource: string, p: ClusterProfile): number {
  const namespaces = p.namespaces ?? Math.max(10, Math.round(p.nodes / 10));
  const services = p.services ?? Math.max(20, Math.round((p.nodes * p.podsPerNode) / 30));
  if (PER_NODE_RESOURCES.has(resource)) return p.nodes;
  if (PER_POD_RESOURCES.has(resource)) return p.nodes * p.podsPerNode;
  switch (resource) {
    // CiliumEndpointSlices batch up to 100 CiliumEndpoints each (operator --ces-max-ciliumendpoints-per-ces, default 100).
    case 'ciliumendpointslices':
      return Math.max(1, Math.ceil((p.nodes * p.podsPerNode) / 100));
    // One CiliumIdentity per distinct set of security-relevant labels: assumed one per Service-sized group of pods.
    case 'ciliumidentities':
      return services;
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
    if (resource === 'nodes' || resource === 'leases' || PER_NODE_RESOURCES.has(resource)) return 1;
    if (PER_POD_RESOURCES.has(resource)) return p.podsPerNode;
    return all; // a node filter on other resources is applied by the client, after the LIST
  }
  const namespaces = p.namespaces ?? Math.max(10, Math.round(p.nodes / 10));
  return Math.max(1, Math.ceil(all / namespaces));
}

export function apfSeats(objects: number): number {
  return Math.min(APF_MAX_SEATS.value, Math.max(1, Math.ceil(objects / APF_OBJECTS_PER_SEAT.value)));
}

/** Pods replaced (created and later deleted) per second in the whole cluster. */
export function podTurnoverPerSecond(p: ClusterProfile): number {
  return (objectCount('pods', p) * CHURN.podTurnoverPerHour.value) / 3600;
}

/**
 * The churn model: changes (watch events) per second of a resource kind in the whole cluster,
 * as a function of the cluster profile. Every constant is in CHURN (constants.ts) with its source.
 */
export function churnPerSecond(resource: string, p: ClusterProfile): number {
  const turnover = podTurnoverPerSecond(p);
  switch (resource) {
    case 'pods':
      return turnover * CHURN.podEventsPerLifecycle.value;
    case 'nodes':
      // Each node reports every 5 min, and sooner when a pod start or stop changes its status.
      return p.nodes / CHURN.nodeStatusReportSeconds.value + 2 * turnover * CHURN.nodeUpdatesPerPodChange.value;
    case 'leases':
      // Kubelets' node Leases; leader-election Leases are a handful and left out.
      return p.nodes / CHURN.leaseRenewSeconds.value;
    case 'endpointslices':
    case 'endpoints':
      return turnover * CHURN.podsBehindServices.value * CHURN.endpointUpdatesPerPodLifecycle.value;
    case 'events':
      return turnover * CHURN.eventsPerPodLifecycle.value;
    // A CiliumEndpoint follows its pod (created, its identity and addresses set, deleted);
    // a CiliumEndpointSlice changes with any of its endpoints. Assumption: the pod events' rate.
    case 'ciliumendpoints':
    case 'ciliumendpointslices':
      return turnover * CHURN.podEventsPerLifecycle.value;
    case 'services':
      return objectCount('services', p) * CHURN.servicesChangePerObjectPerSecond.value;
    case 'namespaces':
      return objectCount('namespaces', p) * CHURN.namespacesChangePerObjectPerSecond.value;
    default:
      return objectCount(resource, p) * CHURN.defaultChangePerObjectPerSecond.value;
  }
}

/** Share of a kind's changes a watch of this scope receives (the same share its LIST returns). */
export function watchScopeFraction(resource: string, scope: Scope, p: ClusterProfile): number {
  const all = objectCount(resource, p);
  return all > 0 ? Math.min(1, matched(resource, scope, p) / all) : 0;
}

/** One open watch's steady cost (per client), before its (re)list. */
function watchCost(call: ApiCall, p: ClusterProfile, eventBytes: number): WatchCost {
  const churn = churnPerSecond(call.resource, p);
  const fraction = watchScopeFraction(call.resource, call.scope, p);
  const events = churn * fraction;
  // Only pods have a trigger index (spec.nodeName): other events are checked against every watcher.
  const indexed = call.resource === 'pods' && call.scope === 'node';
  const checked = indexed ? events : churn;
  const cpu = events * (WATCH_EVENT_CPU.dispatch.value + eventBytes * WATCH_EVENT_CPU.sendPerByte.value) + checked * WATCH_EVENT_CPU.filter.value;
  return {
    churnPerSecond: churn,
    scopeFraction: fraction,
    eventsPerSecond: events,
    bytesPerSecond: events * eventBytes,
    checkedPerSecond: checked,
    cpuCores: cpu,
    rewatchPerSecond: 1 / WATCH_REESTABLISH_SECONDS.value,
    relistPerSecond: Math.max(call.intervalSeconds > 0 ? 1 / call.intervalSeconds : 0, WATCH_RELISTS_PER_HOUR.value / 3600),
    memoryBytes: WATCH_MEMORY_BYTES.value,
  };
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
    const watch = call.verb === 'watch' ? watchCost(call, p, size) : undefined;
    return {
      call,
      requestsPerSecond: watch ? watch.rewatchPerSecond + watch.relistPerSecond : rps,
      objectsPerRequest: processed,
      returnedPerRequest: returned,
      bytesPerRequest: responseBytes,
      seatsPerRequest: apfSeats(processed),
      cpuSecondsPerRequest: cpuTotal,
      etcdCpuSecondsPerRequest: etcd,
      latencySeconds: LIST_BASE_LATENCY.value + cpuTotal / LIST_PARALLELISM.value,
      memoryBytesPerRequest: fromCache ? responseBytes * LIST_CACHE_MEMORY_FACTOR.value : storedBytes * LIST_MEMORY_FACTOR.value,
      servedFrom: fromCache ? 'cache' : 'etcd',
      ...(watch ? { watch } : {}),
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
  let events = 0;
  for (const c of perCall) {
    // A call only the elected leader makes counts one client whatever the workload's count.
    const n = Math.min(clients, c.call.clients ?? clients);
    if (c.watch) {
      const l = watchLoad(c, n);
      rps += l.requestsPerSecond;
      objects += l.objectsPerSecond;
      bytes += l.bytesPerSecond;
      events += l.eventsPerSecond;
      seats += l.seatsInUse;
      cores += l.cpuCores;
      etcd += l.etcdCores;
      memory += l.memoryBytes;
      continue;
    }
    const r = c.requestsPerSecond * n;
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
  const netShare = bytes / ((p.apiServerNetworkBytesPerSecond ?? DEFAULT_API_SERVER.networkBytesPerSecond) * replicas);
  return {
    profile: p.name,
    clients,
    requestsPerSecond: rps,
    objectsPerSecond: objects,
    bytesPerSecond: bytes,
    eventsPerSecond: events,
    seatsInUse: seats,
    maxSeatsPerRequest: perCall.reduce((m, c) => Math.max(m, c.seatsPerRequest), 0),
    apiServerCores: cores,
    etcdCores: etcd,
    memoryBytes: memory,
    priorityLevel: level,
    priorityLevelSeats: levelSeats,
    shareOfPriorityLevel: share,
    capacityRatio: Math.max(seatShare, cpuShare, memShare, netShare),
    perCall,
  };
}

/** A watcher population's steady load on the API servers: the parts the simulator drives separately. */
export interface WatchLoad {
  clients: number;
  /** Re-established watches: each a WATCH from the last resourceVersion, served from the cache. */
  rewatch: { requestsPerSecond: number; seats: number; latencySeconds: number; cpuSecondsPerRequest: number; memoryBytesPerRequest: number };
  /** Relists: each an initial LIST of the call (CallCost's per-request fields). */
  relistPerSecond: number;
  /** Event fan-out, outside APF: dispatch, send and filter for every watcher plus one serialisation per event and encoding. */
  fanout: { eventsPerSecond: number; bytesPerSecond: number; cpuCores: number; serialiseCores: number; memoryBytes: number };
  requestsPerSecond: number;
  objectsPerSecond: number;
  eventsPerSecond: number;
  bytesPerSecond: number;
  seatsInUse: number;
  cpuCores: number;
  etcdCores: number;
  memoryBytes: number;
}

/**
 * The steady load of `clients` open watches of one call (a CallCost of a watch), shared by
 * `estimate` and the simulator:
 *   events/s   = clients × churn(kind) × scope fraction
 *   fan-out    = events/s × (dispatch + bytes × send) + clients × checked/s × filter
 *              + serialisations/s × bytes × encode, serialisations/s = churn × min(watchers per event, 1)
 *                when an event has 3+ watchers (one shared encoding), else one per delivered event
 *   requests/s = clients × (1 / 450 s re-establishments + relists/s)
 *   seats      = re-establishments × 1 seat × GET latency + relists × LIST seats × LIST latency
 *   memory     = clients × open-watch memory + relists in flight × LIST memory
 */
export function watchLoad(c: CallCost, clients: number): WatchLoad {
  const w = c.watch;
  if (!w) throw new Error(`watchLoad: ${c.call.verb} ${c.call.resource} is not a watch`);
  const eventBytes = w.eventsPerSecond > 0 ? w.bytesPerSecond / w.eventsPerSecond : 0;
  const encodePerByte = c.call.encoding === 'protobuf' ? LIST_CPU.encodeProtobufPerByte.value : LIST_CPU.encodeJsonPerByte.value;
  const watchersPerEvent = clients * w.scopeFraction;
  const serialisations = w.churnPerSecond * (watchersPerEvent >= CACHING_OBJECT_MIN_WATCHERS.value ? 1 : watchersPerEvent);
  const serialiseCores = serialisations * eventBytes * encodePerByte;
  const fanout = {
    eventsPerSecond: clients * w.eventsPerSecond,
    bytesPerSecond: clients * w.bytesPerSecond,
    cpuCores: clients * w.cpuCores + serialiseCores,
    serialiseCores,
    memoryBytes: clients * w.memoryBytes,
  };
  const rewatch = { requestsPerSecond: clients * w.rewatchPerSecond, seats: 1, latencySeconds: GET_LATENCY.value, cpuSecondsPerRequest: GET_CPU.value, memoryBytesPerRequest: 0 };
  const relist = clients * w.relistPerSecond;
  return {
    clients,
    rewatch,
    relistPerSecond: relist,
    fanout,
    requestsPerSecond: rewatch.requestsPerSecond + relist,
    objectsPerSecond: relist * c.objectsPerRequest,
    eventsPerSecond: fanout.eventsPerSecond,
    bytesPerSecond: fanout.bytesPerSecond + relist * c.bytesPerRequest,
    seatsInUse: rewatch.requestsPerSecond * rewatch.seats * rewatch.latencySeconds + relist * c.seatsPerRequest * c.latencySeconds,
    cpuCores: fanout.cpuCores + rewatch.requestsPerSecond * rewatch.cpuSecondsPerRequest + relist * c.cpuSecondsPerRequest,
    etcdCores: relist * c.etcdCpuSecondsPerRequest,
    memoryBytes: fanout.memoryBytes + relist * c.latencySeconds * c.memoryBytesPerRequest,
  };
}
