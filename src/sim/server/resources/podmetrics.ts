// PodMetrics (metrics.k8s.io/v1beta1: `kubectl top pods`), as metrics-server serves them
// (github.com/kubernetes-sigs/metrics-server pkg/api/pod.go; the types are k8s.io/metrics
// pkg/apis/metrics/v1beta1): per pod its labels, `timestamp`, the `window` the CPU rate was
// measured over, and per container `usage` {cpu, memory}, memory being the working set.
// metrics-server has metrics only for running pods whose kubelet it scraped: none for Pending
// pods, none for pods on NotReady nodes (their kubelets do not answer). Those are not listed, and
// a GET answers 404 as metrics-server does (`podmetrics.metrics.k8s.io "<ns>/<name>" not found`).
//
// Usage is computed when an object is built, from the model's latest snapshot (docs/SIMULATION.md
// §3.6 lists every parameter):
//   - a pod of a workload the model runs (the scenario's agents) uses what its API work costs a
//     client, over an idle floor: CPU to decode what the API servers sent it, memory to hold the
//     responses on their way in. The model's pods are its average pod: every pod of a workload
//     gets the workload's share. A saturated API server answers fewer of their LISTs (429s carry
//     no list), so the same agents use less CPU and memory on a saturated cluster than their
//     LISTs would cost on a healthy one;
//   - any other pod (kube-proxy, CoreDNS, the filler applications) uses about what its container
//     requests, spread per pod.
// In a real cluster this is an aggregated API: kube-apiserver proxies it to metrics-server after
// authentication and API Priority and Fairness (resource.ts `aggregated`).
import { LIST_CPU } from '../../../cost/constants';
import type { WorkloadLoad } from '../../types';
import type { Layout, Provider, ServedWorkload } from '../layout';
import { fnv32 } from '../names';
import { arraySeq, rangeSeq, type Seq } from '../seq';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { statusBody } from '../exchange';
import { NAME, col, type Any, type SimResource } from './resource';
import { POD_REQUESTS, fillerPod, locatePod, workloadPod } from './pods';
import { list, obj, quantities, str, time, type KindSchema } from '../schema';

const MI = 2 ** 20;

/** The parameters of the usage model (docs/SIMULATION.md §3.6 gives each one's source). */
export const METRICS = {
  /** metrics-server's --metric-resolution default: every kubelet is scraped every 15 s. */
  resolutionSeconds: 15,
  /**
   * A container's usage is kept once a scrape finds it at least this long after it started
   * (metrics-server pkg/storage/pod.go freshContainerMinMetricsResolution): a new pod is measured
   * from the first scrape 10 s or more after its start, 10–25 s after it.
   */
  freshContainerMinSeconds: 10,
  /** A client decodes a JSON response at the API server's cost of encoding it (a floor: Go's encoding/json decodes slower than it encodes). */
  decodeCpuPerByte: LIST_CPU.encodeJsonPerByte.value,
  /** Memory per response byte on its way in: client-go reads the whole body, then decodes it into objects of about the same size. */
  responseMemoryFactor: 2,
  /** A Go client at rest (runtime, client-go, no requests): 1 millicore, 20 MiB. */
  idle: { cpuNano: 1e6, memoryBytes: 20 * MI },
  /** Other pods use their requests × a factor drawn per pod from this range. */
  spread: [0.5, 1.5] as const,
};

export interface Usage {
  /** CPU, nanocores. */
  cpuNano: number;
  /** Working set, bytes. */
  memoryBytes: number;
}

/** A pod that runs its container's requests' worth, × a factor fixed per pod (`key`). */
export function requestsUsage(key: string): Usage {
  const [lo, hi] = METRICS.spread;
  const f = lo + ((fnv32(key) % 1000) / 999) * (hi - lo);
  return { cpuNano: POD_REQUESTS.cpuMilli * 1e6 * f, memoryBytes: POD_REQUESTS.memoryMi * MI * f };
}

/** One pod of a workload the model runs: its share of what the API servers sent the workload. */
export function apiClientUsage(load: WorkloadLoad | undefined, pods: number): Usage {
  const n = Math.max(1, pods);
  const received = (load?.servedBytesPerSecond ?? 0) / n;
  const inFlight = (load?.receivingBytes ?? 0) / n;
  return {
    cpuNano: METRICS.idle.cpuNano + received * METRICS.decodeCpuPerByte * 1e9,
    memoryBytes: METRICS.idle.memoryBytes + inFlight * METRICS.responseMemoryFactor,
  };
}

/** What pod `i` of workload `g` uses now (the system workloads and plain applications: their requests). */
export function workloadPodUsage(layout: Layout, g: ServedWorkload, i: number): Usage {
  if (g.system) return requestsUsage(`${g.key}/${i}`);
  const s = layout.history.latest;
  return apiClientUsage(s?.workloadLoad[g.key], s?.workloadPods[g.key] ?? g.running);
}

export function fillerUsage(g: number): Usage {
  return requestsUsage(`filler/${g}`);
}

/** A CPU quantity as metrics-server writes it (resource.NewScaledQuantity(nanocores, -9)). */
export const cpuQuantity = (nano: number): string => `${Math.round(nano)}n`;
/** A memory quantity (BinarySI), in Ki. */
export const memoryQuantity = (bytes: number): string => `${Math.round(bytes / 1024)}Ki`;

/** The scrape this object comes from: the last resolution tick, and the window of its CPU rate. */
export function sample(layout: Layout): { timestamp: string; window: string } {
  const r = METRICS.resolutionSeconds;
  return { timestamp: layout.clock.iso(Math.floor(layout.clock.now() / r) * r), window: `${r}s` };
}

/** Is the pod's node Ready and the pod running (does metrics-server have its metrics)? */
function measured(layout: Layout, g: ServedWorkload, i: number): boolean {
  return i < g.running && layout.nodeReady(layout.workloadPodNode(g, i));
}

function metricsOf(layout: Layout, pod: SimObject, container: string, usage: () => Usage): SimObject {
  return new LazyObject('pods.metrics.k8s.io', pod.namespace, pod.name, pod.labels, pod.created, layout.baseRv, noFields, () => {
    const u = usage();
    return {
      kind: 'PodMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      // metrics-server makes the object when asked: created now, no uid or resourceVersion.
      metadata: { name: pod.name, namespace: pod.namespace, creationTimestamp: layout.clock.iso(layout.clock.now()), ...(Object.keys(pod.labels).length ? { labels: pod.labels } : {}) },
      ...sample(layout),
      containers: [{ name: container, usage: { cpu: cpuQuantity(u.cpuNano), memory: memoryQuantity(u.memoryBytes) } }],
    };
  });
}

const workloadMetrics = (layout: Layout, g: ServedWorkload, i: number): SimObject => metricsOf(layout, workloadPod(layout, g, i), g.name, () => workloadPodUsage(layout, g, i));
const fillerMetrics = (layout: Layout, g: number): SimObject => metricsOf(layout, fillerPod(layout, g), layout.fillerApp(g % layout.appNamespaceCount).app, () => fillerUsage(g));

/** The measured pods of a workload: a DaemonSet's are a prefix (pod i on node i, NotReady nodes last); a Deployment's are picked out. */
function workloadSeq(layout: Layout, g: ServedWorkload): Seq {
  if (g.kind === 'DaemonSet') return rangeSeq(Math.min(g.running, g.pods, layout.nodesReady), (i) => workloadMetrics(layout, g, i), g.podLabels);
  const idx: number[] = [];
  for (let i = 0; i < Math.min(g.running, g.pods); i++) if (measured(layout, g, i)) idx.push(i);
  return rangeSeq(idx.length, (k) => workloadMetrics(layout, g, idx[k]), g.podLabels);
}

/**
 * The simulated time of the first metrics-server scrape that measures this running pod (undefined:
 * not running): until then `kubectl top` says its metrics are not available yet.
 */
function firstScrape(layout: Layout, pod: SimObject): number | undefined {
  const statuses = (pod.build().status as Json | undefined)?.containerStatuses as Json[] | undefined;
  const startedAt = ((statuses?.[0]?.state as Json | undefined)?.running as Json | undefined)?.startedAt;
  if (typeof startedAt !== 'string') return undefined;
  const started = (Date.parse(startedAt) - Date.parse(layout.clock.iso(0))) / 1000;
  // Scrapes every resolution of simulated time; the first that finds it fresh enough keeps it.
  return Math.ceil((started + METRICS.freshContainerMinSeconds) / METRICS.resolutionSeconds) * METRICS.resolutionSeconds;
}

/**
 * The metrics of a pod a controller made in place of a deleted one (layout.extraPods), once it runs
 * on a Ready node and a scrape has measured it (`scrapeAt`, from firstScrape): its workload's per-pod usage (found by the workload's pod labels), or its
 * requests' worth for a filler application's pod.
 */
function replacementMetrics(layout: Layout, pod: SimObject, scrapeAt: number | undefined): SimObject | undefined {
  if (scrapeAt === undefined || layout.clock.now() < scrapeAt || !layout.nodeReady(layout.nodeIndex(pod.field('spec.nodeName') ?? ''))) return undefined;
  const g = layout.workloadsByNamespace.get(pod.namespace ?? '')?.find((w) => Object.entries(w.podLabels).every(([k, v]) => pod.labels[k] === v));
  const usage = (): Usage => (g && !g.system ? workloadPodUsage(layout, g, 0) : requestsUsage(`${pod.namespace}/${pod.name}`));
  const container = String((((pod.build().spec as Json | undefined)?.containers as Json[] | undefined)?.[0]?.name) ?? g?.name ?? 'app');
  return metricsOf(layout, pod, container, usage);
}

function provider(layout: Layout): Provider {
  const parts = new Map<string, Seq[]>();
  for (const [ns, groups] of layout.workloadsByNamespace) parts.set(ns, groups.map((g) => workloadSeq(layout, g)));
  const replacements = new Map<string, SimObject>();
  // The earliest scrape still to come of a running replacement: the metrics change then.
  let until: number | undefined;
  for (const pod of layout.extraPods.values()) {
    const scrapeAt = firstScrape(layout, pod);
    const m = replacementMetrics(layout, pod, scrapeAt);
    if (m) replacements.set(`${m.namespace}/${m.name}`, m);
    else if (scrapeAt !== undefined && scrapeAt > layout.clock.now()) until = Math.min(until ?? Infinity, scrapeAt);
  }
  for (const m of replacements.values()) parts.set(m.namespace!, [...(parts.get(m.namespace!) ?? []), arraySeq([m])]);
  // Filler pods of app namespace j are j, j + A, j + 2A, … on nodes g / F: those on Ready nodes
  // (g < nodesReady × F) are a prefix.
  const measuredFiller = layout.nodesReady * layout.fillerPerNode;
  const A = layout.appNamespaceCount;
  for (let j = 0; j < A; j++) {
    const count = j < measuredFiller ? Math.floor((measuredFiller - 1 - j) / A) + 1 : 0;
    const { app, hash } = layout.fillerApp(j);
    const ns = layout.appNs[j];
    parts.set(ns, [...(parts.get(ns) ?? []), rangeSeq(count, (k) => fillerMetrics(layout, j + k * A), { app, 'pod-template-hash': hash })]);
  }
  const p = layout.namespacedProvider(parts, (ns, name) => {
    const made = replacements.get(`${ns}/${name}`);
    if (made) return made;
    const at = locatePod(layout, ns, name);
    if (!at) return undefined;
    if (at.g) return measured(layout, at.g, at.i) ? workloadMetrics(layout, at.g, at.i) : undefined;
    return at.filler < measuredFiller ? fillerMetrics(layout, at.filler) : undefined;
  });
  p.until = until;
  return p;
}

const usageSchema = quantities('The resource usage: cpu (cores) and memory (the working set, bytes).');

// k8s.io/metrics pkg/apis/metrics/v1beta1 types.go.
const schema: KindSchema = {
  description: 'PodMetrics sets resource usage metrics of a pod.',
  properties: {
    timestamp: time('The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].'),
    window: str('The length of the interval the CPU rate was computed over (a duration).'),
    containers: list(
      'Metrics for all containers are collected within the same time window.',
      obj('ContainerMetrics sets resource usage metrics of a container.', { name: str('Container name corresponding to the one from pod.spec.containers.'), usage: usageSchema }),
    ),
  },
};

/** Sum of one resource over a pod's containers, as a quantity string. */
function total(o: Any, key: 'cpu' | 'memory'): string {
  const cs = (o.containers ?? []) as Any[];
  let n = 0;
  for (const c of cs) {
    const q = String(c.usage?.[key] ?? '0');
    n += key === 'cpu' ? Number(q.replace(/n$/, '')) : Number(q.replace(/Ki$/, '')) * 1024;
  }
  return key === 'cpu' ? cpuQuantity(n) : memoryQuantity(n);
}

/** metrics-server's table columns for both kinds (pkg/api/node.go and pod.go, ConvertToTable): Name, CPU, Memory, Window. */
export const METRICS_COLUMNS = [NAME, col('CPU', 'string', 'CPU usage'), col('Memory', 'string', 'Memory usage'), col('Window', 'string', 'The interval the CPU rate was computed over')];

export const podmetrics: SimResource = {
  name: 'pods',
  measures: 'pods',
  singularName: '',
  kind: 'PodMetrics',
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  namespaced: true,
  fields: [],
  subresources: [],
  verbs: ['get', 'list'],
  aggregated: true,
  schema,
  columns: METRICS_COLUMNS,
  cells: (o) => [o.metadata.name, total(o, 'cpu'), total(o, 'memory'), o.window],
  missing: (ns, name): Json => statusBody(404, 'NotFound', `podmetrics.metrics.k8s.io "${ns}/${name}" not found`, { name: `${ns}/${name}`, group: 'metrics.k8s.io', kind: 'podmetrics' }),
  provider,
};
