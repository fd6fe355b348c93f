import type { Agent } from './types';
import { call, olderThan, result } from './util';

/**
 * metrics-server: one Node informer and one Pod informer (metadata only since v0.5.0, running
 * pods only: fieldSelector status.phase=Running), both cluster-wide, resync 0. Every
 * --metric-resolution (default 60s) it GETs /metrics/resource from each node's kubelet directly:
 * kubelet traffic, not the API server's. It serves metrics.k8s.io as an aggregated API (the API
 * server calls it). No leader election: the high-availability overlay's 2 replicas both watch.
 */
export const metricsServer: Agent = {
  id: 'metrics-server',
  name: 'metrics-server',
  category: 'metrics',
  summary: "Watches every Node and the metadata of every running Pod from each replica (a fixed count, usually 1); scrapes the kubelets directly every --metric-resolution; the API server calls it for metrics.k8s.io. Before v0.5.0 the pod informer held whole pods.",
  sources: [
    'kubernetes-sigs/metrics-server pkg/server/config.go@5ed5d3a Complete(): informer.Core().V1().Nodes() from informers.NewSharedInformerFactory(client, 0)',
    'kubernetes-sigs/metrics-server pkg/server/informer.go@5ed5d3a runningPodMetadataInformer(): metadatainformer over corev1.NamespaceAll with FieldSelector "status.phase=Running"; fd1f74d "Watch only metadata for pods" (v0.5.0)',
    'kubernetes-sigs/metrics-server pkg/server/server.go@5ed5d3a runScrape(): one GET /metrics/resource per node kubelet every --metric-resolution (default 60s, cmd/metrics-server/app/options/options.go)',
    'kubernetes-sigs/metrics-server README.md@5ed5d3a: "Scalable support up to 5,000 node clusters"',
  ],
  image: /(^|\/)metrics-server(-amd64)?([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const old = olderThan(ctx.container.image, [0, 5]);
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, at, 'metrics-server', 'every Node (kubelet addresses)'));
    r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0' }, at, 'metrics-server', old ? 'every Pod (whole objects before v0.5.0)' : 'metadata of every running Pod (status.phase=Running; metadata only since v0.5.0)'));
    r.notes.push(`metrics-server scrapes each kubelet every ${ctx.flags.get('metric-resolution') ?? '60s'} directly (not through the API server)`);
    return r;
  },
};
