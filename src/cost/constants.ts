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
export const PRIORITY_LEVELS_SOURCE = 'apiserver bootstrap/default.go (../shared/REFERENCE.md)';

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
