// Every constant of the shared cost model, with its source. docs/SIMULATION.md lists the same
// table; `assumption` marks a value no public measurement was found for.

export interface Sourced<T = number> {
  value: T;
  unit: string;
  source: string;
}

const s = <T = number>(value: T, unit: string, source: string): Sourced<T> => ({ value, unit, source });

/** Sizes of one object as a client receives it in JSON. */
export const OBJECT_BYTES: Record<string, Sourced> = {
  pods: s(4096, 'bytes', 'Pod ~4 KB in scalability tests (k/k#134375); real-world 10–20 KB (etcd-io/etcd#22332)'),
  nodes: s(15_000, 'bytes', 'Node objects "easily exceed 15kB" (KEP-589 efficient node heartbeats)'),
  endpointslices: s(10_000, 'bytes', 'EndpointSlice of 100 endpoints ≈ 10 KB (KEP EndpointSlice API)'),
  endpoints: s(10_000, 'bytes', 'Endpoints: 20k addresses ≈ 2 MB, i.e. ~100 B per address; 100 per object assumed (KEP EndpointSlice API)'),
  services: s(1_000, 'bytes', 'assumption: a Service with a few ports'),
  namespaces: s(500, 'bytes', 'assumption'),
  leases: s(400, 'bytes', 'assumption: a coordination.k8s.io Lease'),
  events: s(1_000, 'bytes', 'assumption'),
  configmaps: s(2_000, 'bytes', 'assumption'),
  secrets: s(2_000, 'bytes', 'assumption'),
  daemonsets: s(4_000, 'bytes', 'assumption'),
  deployments: s(4_000, 'bytes', 'assumption'),
  replicasets: s(3_000, 'bytes', 'assumption'),
  default: s(2_000, 'bytes', 'assumption for resources not listed'),
};

/** Protobuf is about half of JSON on the wire (community design-proposals protobuf.md). */
export const PROTOBUF_SIZE_RATIO = s(0.5, 'ratio', 'design-proposals/api-machinery/protobuf.md: "2x reduction in size in bytes on the wire"');

/**
 * API-server CPU of a LIST, as a per-object and a per-byte term, fitted to KEP-2340's measurements
 * (1 LIST/s, selector matching nothing): from etcd 300k×1 KB = 6.92 cores and 300×1 MB = 3.13
 * cores; from the watch cache 0.63 and 0.09 cores. Two equations, two unknowns per path.
 */
export const LIST_CPU = {
  etcdPerObject: s(12.65e-6, 'core-seconds/object', 'fit to KEP-2340: (6.92−3.13)/(300000−300)'),
  etcdPerByte: s(10.4e-9, 'core-seconds/byte', 'fit to KEP-2340: 3.13 cores / 300 MB'),
  cachePerObject: s(1.8e-6, 'core-seconds/object', 'fit to KEP-2340: (0.63−0.09)/(300000−300)'),
  cachePerByte: s(0.3e-9, 'core-seconds/byte', 'fit to KEP-2340: 0.09 cores / 300 MB'),
  /** Encoding the response: 1,000-item list in 60.3 ms JSON vs 16.9 ms protobuf (PR #141809), ~4 KB items assumed. */
  encodeJsonPerByte: s(15e-9, 'core-seconds/byte', 'k/k PR #141809: 60.3 ms per 1,000-item JSON list, ~4 MB assumed'),
  encodeProtobufPerByte: s(8.4e-9, 'core-seconds/byte', 'k/k PR #141809: 16.9 ms for the same 1,000-item list in protobuf, ~2 MB (half of JSON)'),
};

/** etcd CPU of a LIST served from etcd (same KEP-2340 fit). */
export const ETCD_CPU = {
  perObject: s(6.1e-6, 'core-seconds/object', 'fit to KEP-2340: (3.57−1.73)/(300000−300)'),
  perByte: s(5.8e-9, 'core-seconds/byte', 'fit to KEP-2340: 1.73 cores / 300 MB'),
};

/** Latency floor of a LIST; the rest grows with the work (KEP-2340: 300×1 MB from cache p50 25 ms). */
export const LIST_BASE_LATENCY = s(0.005, 'seconds', 'assumption, below KEP-2340 cache p50 of 25 ms for 300 MB');

/**
 * A LIST is mostly one request's serial work: latency ≈ CPU time / this parallelism.
 * KEP-2340: 6.92 core-seconds per LIST from etcd, served in p50 10.5 s -> 0.66 cores in use per request.
 */
export const LIST_PARALLELISM = s(0.66, 'cores per request', 'KEP-2340: 6.92 core-seconds per LIST served in p50 10.5 s');

/** Single-object requests. */
export const GET_CPU = s(0.0005, 'core-seconds', 'assumption: one object read from the watch cache, encoded');
export const MUTATE_CPU = s(0.002, 'core-seconds', 'assumption: admission, validation, one etcd write');
export const MUTATE_ETCD_CPU = s(0.0005, 'core-seconds', 'assumption');
/** Unloaded service time of a single-object read (served from the watch cache) and of a write (one etcd transaction). */
export const GET_LATENCY = s(0.0005, 'seconds', 'assumption: an object read from the watch cache and encoded, well under a millisecond');
export const MUTATE_LATENCY = s(0.005, 'seconds', 'assumption: admission plus one etcd write on local SSD, a few milliseconds')

/** Temporary memory of a LIST: ~5× the response from etcd (KEP-3157 watch-list). */
export const LIST_MEMORY_FACTOR = s(5, '× bytes read from etcd', 'KEP-3157: temporary memory is about 5× the response from etcd');
/** From the watch cache: 10 concurrent 1.5 GB LISTs raised memory by 22 GB (k/k#129304), ~1.5×. */
export const LIST_CACHE_MEMORY_FACTOR = s(1.5, '× response bytes', 'k/k#129304: 10 × 1.5 GB LISTs from the cache raised memory by 22 GB');

/** APF seats of a LIST: 1 per 100 objects processed, min 1, max 10 (list_work_estimator.go, PR #103521). */
export const APF_OBJECTS_PER_SEAT = s(100, 'objects/seat', 'apiserver list_work_estimator.go (PR #103521)');
export const APF_MAX_SEATS = s(10, 'seats', 'apiserver list_work_estimator.go: maximum seats per request');

/** Server concurrency: --max-requests-inflight 400 + --max-mutating-requests-inflight 200 (config.go). */
export const SERVER_CONCURRENCY = s(600, 'seats per replica', 'k8s.io/apiserver pkg/server/config.go: 400 + 200, summed under APF');

export interface PriorityLevelSpec {
  name: string;
  shares: number;
  lendablePercent: number;
  queues: number;
  handSize: number;
  queueLength: number;
  exempt?: boolean;
}

/** Default APF priority levels (apiserver bootstrap/default.go), shares and queuing. */
export const PRIORITY_LEVELS: PriorityLevelSpec[] = [
  { name: 'exempt', shares: 0, lendablePercent: 0, queues: 0, handSize: 0, queueLength: 0, exempt: true },
  { name: 'system', shares: 30, lendablePercent: 33, queues: 64, handSize: 6, queueLength: 50 },
  { name: 'node-high', shares: 40, lendablePercent: 25, queues: 64, handSize: 6, queueLength: 50 },
  { name: 'leader-election', shares: 10, lendablePercent: 0, queues: 16, handSize: 4, queueLength: 50 },
  { name: 'workload-high', shares: 40, lendablePercent: 50, queues: 128, handSize: 6, queueLength: 50 },
  { name: 'workload-low', shares: 100, lendablePercent: 90, queues: 128, handSize: 6, queueLength: 50 },
  { name: 'global-default', shares: 20, lendablePercent: 50, queues: 128, handSize: 6, queueLength: 50 },
  { name: 'catch-all', shares: 5, lendablePercent: 0, queues: 0, handSize: 0, queueLength: 0 },
];

/**
 * What a level can reach with borrowing (KEP-1040) when the other levels are idle: its own
 * nominal limit plus every other level's lendable seats.
 */
export function levelLimitWithBorrowing(level: string, serverConcurrency: number): number {
  const own = levelLimit(level, serverConcurrency);
  if (!Number.isFinite(own)) return own;
  let pool = 0;
  for (const l of PRIORITY_LEVELS) if (!l.exempt && l.name !== level) pool += (levelLimit(l.name, serverConcurrency) * l.lendablePercent) / 100;
  return own + pool;
}

/** A level's limit = ceil(serverLimit × shares / Σ shares). */
export function levelLimit(level: string, serverConcurrency: number): number {
  const total = PRIORITY_LEVELS.reduce((a, l) => a + l.shares, 0);
  const l = PRIORITY_LEVELS.find((p) => p.name === level);
  if (!l || l.exempt) return Infinity;
  return Math.ceil((serverConcurrency * l.shares) / total);
}

/** Queue wait bound: min(timeout/4, 1 min) = 15 s at the default 60 s timeout (PR #120222). */
export const APF_MAX_QUEUE_WAIT = s(15, 'seconds', 'priority-and-fairness.go, PR #120222');
export const REQUEST_TIMEOUT = s(60, 'seconds', 'kube-apiserver --request-timeout default');

// ---- Watches in steady state ---------------------------------------------------------------
// After its initial LIST a watch costs the API server the events it is sent. The watch cache
// (cacher) receives each change from etcd once, serialises it once per encoding and shares the
// bytes across watchers (CacheableObject, k/k PR #81914; "~5% lower cpu-usage, ~15% less memory
// allocations" in 5k-node tests, KEP "Less object serializations"), and then, per watcher, filters
// the event, queues it and writes it to the watcher's stream. Pods are the only resource with a
// trigger index (spec.nodeName, pkg/registry/core/pod, PR #79793): an event for a pod goes only
// to the watchers of that pod's node; for every other resource each event is checked against
// every watcher's selector.

/** Changes per second of each resource kind: the churn model (see `churnPerSecond` in model.ts). */
export const CHURN = {
  /** Share of all pods replaced (created and deleted) per hour. */
  podTurnoverPerHour: s(0.005, 'pods replaced / pod / hour', 'assumption: 0.5 %/h, pods live ~8 days on average (long-running services, occasional rollouts); the simulator’s background scheduling churn uses the same number'),
  /** Watch events one pod produces over its life. */
  podEventsPerLifecycle: s(8, 'events / pod', 'assumption: ADDED, scheduler binding, kubelet status Pending → ContainerCreating → Running/Ready (3 writes), deletionTimestamp set, terminated status, DELETED — kubelets write pod status only when it changes'),
  /** kubelet nodeStatusReportFrequency: a Node object is rewritten at least this often. */
  nodeStatusReportSeconds: s(300, 'seconds', 'kubelet v1beta1 defaults: nodeStatusReportFrequency 5 min (status posted earlier when it changes) — CALIBRATION.md §4'),
  /** Extra Node status writes per pod started or stopped on that node. */
  nodeUpdatesPerPodChange: s(0.5, 'node writes / pod start or stop', 'assumption: a pod start or stop changes status.images or volumesInUse about every other time, which the kubelet posts without waiting for the 5 min report'),
  /** kubelet renews its Lease every 10 s (0.25 × the 40 s lease). */
  leaseRenewSeconds: s(10, 'seconds', 'pkg/kubelet/kubelet.go: renew interval 0.25 × nodeLeaseDurationSeconds (40 s) — CALIBRATION.md §4'),
  /** EndpointSlice (and Endpoints) writes per pod lifecycle behind a Service. */
  endpointUpdatesPerPodLifecycle: s(3, 'writes / pod', 'assumption: the endpoint appears not ready, turns ready, turns terminating/removed; the EndpointSlice controller writes each (--endpointslice-updates-batch-period defaults to 0, no batching)'),
  /** Share of pods that back a Service. */
  podsBehindServices: s(1, 'ratio', 'assumption: nearly every long-running pod backs a Service'),
  /** Event objects per pod lifecycle. */
  eventsPerPodLifecycle: s(6, 'Event writes / pod', 'assumption: Scheduled, Pulling, Pulled, Created, Started, Killing'),
  /** Services and Namespaces change rarely. */
  servicesChangePerObjectPerSecond: s(1 / 86_400, 'changes / object / s', 'assumption: each Service changes about once a day'),
  namespacesChangePerObjectPerSecond: s(1 / 86_400, 'changes / object / s', 'assumption: each Namespace changes about once a day'),
  /** Everything else (ConfigMaps, Deployments, …). */
  defaultChangePerObjectPerSecond: s(1 / 3_600, 'changes / object / s', 'assumption: each object changes about once an hour'),
};

/** A reflector's watch times out after a random 5–10 min and is re-established from the last resourceVersion (not a relist). */
export const WATCH_TIMEOUT_SECONDS = {
  min: s(300, 'seconds', 'client-go tools/cache/reflector.go: minWatchTimeout 5 min, timeout random in [min, 2 × min]; the next WATCH resumes at the last resourceVersion (k/k#55779 shows kubelet pod watches restarting every 6–8 min at growing rv)'),
  max: s(600, 'seconds', 'client-go tools/cache/reflector.go: 2 × minWatchTimeout'),
};
export const WATCH_REESTABLISH_SECONDS = s((WATCH_TIMEOUT_SECONDS.min.value + WATCH_TIMEOUT_SECONDS.max.value) / 2, 'seconds', 'mean of the reflector’s random 5–10 min watch timeout');

/** Full relists (a new initial LIST) per watcher per hour in steady state. */
export const WATCH_RELISTS_PER_HOUR = s(0.1, 'relists / watcher / hour', 'assumption: about one in 10 hours — an API server restart or upgrade, a connection broken longer than the watch cache’s event window, a 410 Gone; watch bookmarks (AllowWatchBookmarks, sent by the reflector) keep 410s rare; after 410 the reflector relists at its last resourceVersion, from the cache (reflector.go)');

/** CPU the API server spends per event per watcher. No public measurement found: assumptions. */
export const WATCH_EVENT_CPU = {
  /** Filter, queue, wake the watcher's goroutine, frame and write one event already serialised. */
  dispatch: s(5e-6, 'core-seconds / event delivered', 'assumption: a few microseconds of filtering, channel hand-off and HTTP/2 framing per event per watcher; no public per-event measurement (k/k PR #141475 benchmarks delivery latency, not CPU)'),
  /** Writing the event's bytes to the connection (copy, TLS). */
  sendPerByte: s(1e-9, 'core-seconds / byte sent', 'assumption: copy plus AES-GCM TLS at about 1 GB/s per core'),
  /** Checking an event against a watcher that does not want it (no trigger index). */
  filter: s(0.5e-6, 'core-seconds / event / watcher checked', 'assumption: a selector match against the object’s attributes'),
};

/** The cacher shares one serialisation per encoding only when an event has 3 or more watchers. */
export const CACHING_OBJECT_MIN_WATCHERS = s(3, 'watchers', 'k/k PR #84043: CachingObject used only with 3+ watchers');

/** Memory an open watch holds in the API server (goroutines, its event channel, buffers). */
export const WATCH_MEMORY_BYTES = s(32 * 1024, 'bytes / open watch', 'assumption: two goroutine stacks plus a channel of up to 1,000 event pointers (cacher) and an encoder buffer');

/** Network bandwidth of an API server replica (bytes/s), for the bandwidth share of capacity. */
export const API_SERVER_NETWORK_BYTES_PER_SECOND = s(1.25e9, 'bytes/s per replica', 'assumption: a 10 Gbit/s NIC, common for 32-core cloud VMs');
