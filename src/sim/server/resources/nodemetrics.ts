// NodeMetrics (metrics.k8s.io/v1beta1: `kubectl top nodes`), as metrics-server serves them
// (github.com/kubernetes-sigs/metrics-server pkg/api/node.go): per node its labels, `timestamp`,
// `window` and `usage` {cpu, memory}. metrics-server has no metrics for a node whose kubelet it
// cannot scrape: NotReady nodes are not listed (kubectl top nodes prints `<unknown>` for them)
// and a GET answers 404 (`nodemetrics.metrics.k8s.io "<node>" not found`).
//
// A node uses what runs on it — the running pods placed on it (podmetrics.ts: the DaemonSets'
// pods, kube-proxy's among them, the Deployments' replicas, the filler applications) — plus what
// it sets aside for its own daemons (capacity − allocatable in nodes.ts: kubelet, containerd and
// the OS are taken to use their reservation). So a node's numbers move with the model's agents.
import type { Layout, Provider } from '../layout';
import { rangeSeq, concat, EMPTY } from '../seq';
import { LazyObject, noFields, type Json, type SimObject } from '../simObject';
import { statusBody } from '../exchange';
import type { SimResource } from './resource';
import { NODE_CPU_MILLI, NODE_MEMORY_KI, nodeObject } from './nodes';
import { METRICS_COLUMNS, cpuQuantity, fillerUsage, memoryQuantity, sample, workloadPodUsage, type Usage } from './podmetrics';
import { quantities, str, time, type KindSchema } from '../schema';

/** What node `n`'s running pods and its own daemons use now. */
export function nodeUsage(layout: Layout, n: number): Usage {
  const u: Usage = { cpuNano: (NODE_CPU_MILLI.capacity - NODE_CPU_MILLI.allocatable) * 1e6, memoryBytes: (NODE_MEMORY_KI.capacity - NODE_MEMORY_KI.allocatable) * 1024 };
  const add = (p: Usage): void => {
    u.cpuNano += p.cpuNano;
    u.memoryBytes += p.memoryBytes;
  };
  for (const g of layout.daemonSets) if (n < g.pods && n < g.running) add(workloadPodUsage(layout, g, n));
  const nodes = layout.nodeCount;
  // Replica i of a Deployment is on node (firstNode + i) mod nodes (pods.ts podsOnNode).
  for (const g of layout.deployments) for (let i = nodes ? (((n - g.firstNode) % nodes) + nodes) % nodes : g.pods; i < Math.min(g.pods, g.running); i += nodes) add(workloadPodUsage(layout, g, i));
  for (let k = 0; k < layout.fillerPerNode; k++) add(fillerUsage(n * layout.fillerPerNode + k));
  return u;
}

function nodeMetrics(layout: Layout, i: number): SimObject {
  const node = nodeObject(layout, i);
  return new LazyObject('nodes.metrics.k8s.io', undefined, node.name, node.labels, node.created, layout.baseRv, noFields, () => {
    const u = nodeUsage(layout, i);
    return {
      kind: 'NodeMetrics',
      apiVersion: 'metrics.k8s.io/v1beta1',
      // metrics-server makes the object when asked: created now, no uid or resourceVersion.
      metadata: { name: node.name, creationTimestamp: layout.clock.iso(layout.clock.now()), labels: node.labels },
      ...sample(layout),
      usage: { cpu: cpuQuantity(u.cpuNano), memory: memoryQuantity(u.memoryBytes) },
    };
  });
}

function provider(layout: Layout): Provider {
  // Ready nodes come first in the layout (nodes.ts): those are the ones with metrics.
  const all = concat([rangeSeq(layout.nodesReady, (i) => nodeMetrics(layout, i))]);
  return {
    all,
    inNamespace: () => EMPTY,
    get: (_ns, name) => {
      const i = layout.nodeIndex(name);
      return i < 0 || !layout.nodeReady(i) ? undefined : nodeMetrics(layout, i);
    },
  };
}

// k8s.io/metrics pkg/apis/metrics/v1beta1 types.go.
const schema: KindSchema = {
  description: 'NodeMetrics sets resource usage metrics of a node.',
  properties: {
    timestamp: time('The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].'),
    window: str('The length of the interval the CPU rate was computed over (a duration).'),
    usage: quantities('The memory usage is the memory working set.'),
  },
};

export const nodemetrics: SimResource = {
  name: 'nodes',
  singularName: '',
  kind: 'NodeMetrics',
  group: 'metrics.k8s.io',
  version: 'v1beta1',
  namespaced: false,
  fields: [],
  subresources: [],
  verbs: ['get', 'list'],
  aggregated: true,
  schema,
  columns: METRICS_COLUMNS,
  cells: (o) => [o.metadata.name, o.usage?.cpu, o.usage?.memory, o.window],
  missing: (_ns, name): Json => statusBody(404, 'NotFound', `nodemetrics.metrics.k8s.io "${name}" not found`, { name, group: 'metrics.k8s.io', kind: 'nodemetrics' }),
  provider,
};
