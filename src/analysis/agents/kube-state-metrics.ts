import type { Agent } from './types';
import { call, result } from './util';
import type { Scope } from '../../cost/model';

const KSM_DEFAULT = 'certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumeclaims,persistentvolumes,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments';

/**
 * kube-state-metrics: one informer per resource in --resources. `--node` makes the pod
 * informer node-scoped with a spec.nodeName field selector [D7]; `--track-unscheduled-pods`
 * watches pods with spec.nodeName="" (modelled as node-scoped). Lists from the watch cache
 * only with --use-apiserver-cache (v2.2.0+, default false: otherwise a consistent read).
 * Sharding: `--shard`/`--total-shards` (horizontal) and `--pod`/`--pod-namespace` in a
 * StatefulSet (automated: shard = ordinal, total = replicas) are the intended multi-replica modes.
 * Every shard still lists and watches every object ("even if sharded, will have the network
 * traffic … for all objects"); clients = replicas, a fixed count. Automated sharding also GETs its
 * Pod and its StatefulSet at start and watches its StatefulSet (metrics_handler.go).
 */
export const kubeStateMetrics: Agent = {
  id: 'kube-state-metrics',
  name: 'kube-state-metrics',
  category: 'metrics',
  summary: "One informer per resource in --resources, cluster-wide, from every replica (sharded replicas with --shard/--total-shards or --pod/--pod-namespace each list everything, by design); `--node` scopes the pod informer to its node (DaemonSet sharding); `--use-apiserver-cache` (v2.2.0+) lists from the watch cache, otherwise from etcd.",
  sources: [
    "kubernetes/kube-state-metrics README.md, \"Daemonset sharding for pod metrics\": \"Each kube-state-metrics pod uses FieldSelector (spec.nodeName) to watch/list pod metrics only on the same node\"",
    "kubernetes/kube-state-metrics README.md@c92fe0c \"Horizontal sharding\": \"all instances of kube-state-metrics, even if sharded, will have the network traffic and the resource consumption for unmarshaling objects for all objects\"; \"Automated sharding\": \"kube-state-metrics must be run by a `StatefulSet` and the pod name and namespace must be handed to the kube-state-metrics process via the `--pod` and `--pod-namespace` flags\"",
    'kubernetes/kube-state-metrics pkg/metricshandler/metrics_handler.go@abe3fd3: Pods(ns).Get and StatefulSets(ns).Get of its own, then a StatefulSet informer in its namespace',
    'kubernetes/kube-state-metrics pkg/options/options.go@c92fe0c: --use-apiserver-cache (default false) "Sets resourceVersion=0 for ListWatch requests, using cached resources from the apiserver instead of an etcd quorum read"; pkg/watch/watch.go List() sets ResourceVersion "0" only then',
  ],
  image: /(^|\/)kube-state-metrics([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const resources = (ctx.flags.get('resources') ?? KSM_DEFAULT).split(',').map((s) => s.trim()).filter(Boolean);
    const node = ctx.flags.get('node');
    const unscheduled = ctx.flags.has('track-unscheduled-pods') && ctx.flags.get('track-unscheduled-pods') !== 'false';
    const ns = ctx.flags.get('namespaces');
    const nsCount = ns ? ns.split(',').filter(Boolean).length : 0;
    const rv = ctx.flags.has('use-apiserver-cache') && ctx.flags.get('use-apiserver-cache') !== 'false' ? '0' : undefined;
    const at = { file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
    const on = (f: string) => ctx.flags.has(f) && ctx.flags.get(f) !== 'false';
    const totalShards = Number(ctx.flags.get('total-shards') ?? 1);
    const auto = on('pod') && on('pod-namespace');
    if (auto || totalShards > 1) {
      // Sharding is the intended multi-replica mode: no leader election, none needed.
      r.leaderElection = true;
      r.notes.push(auto ? 'kube-state-metrics automated sharding (--pod/--pod-namespace): one shard per StatefulSet replica; every shard lists and watches every object' : `kube-state-metrics sharded (--total-shards=${totalShards}): every shard lists and watches every object`);
    }
    if (auto) {
      r.calls.push(call({ verb: 'get', resource: 'pods', scope: 'namespace', atStart: 1 }, at, 'kube-state-metrics', 'its own Pod at start (automated sharding: its ordinal)'));
      r.calls.push(call({ verb: 'get', resource: 'statefulsets', scope: 'namespace', atStart: 1 }, at, 'kube-state-metrics', 'its StatefulSet at start (automated sharding: the shard count)'));
      r.calls.push(call({ verb: 'watch', resource: 'statefulsets', scope: 'namespace', rv }, at, 'kube-state-metrics', 'its StatefulSet, to follow the replica count (automated sharding)'));
    }
    if (ctx.flags.has('custom-resource-state-config') || ctx.flags.has('custom-resource-state-config-file')) r.unmodelled = ['--custom-resource-state-config (informers on the configured custom resources)'];
    for (const res of resources) {
      const clusterScoped = ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'certificatesigningrequests', 'volumeattachments', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].includes(res);
      const scope: Scope = res === 'pods' && (node || unscheduled) ? 'node' : nsCount && !clusterScoped ? 'namespace' : 'cluster';
      const copies = scope === 'namespace' ? nsCount : 1;
      for (let i = 0; i < copies; i++) r.calls.push(call({ verb: 'watch', resource: res, scope, rv }, at, 'kube-state-metrics', res === 'pods' && node ? 'pods of its node (--node, FieldSelector spec.nodeName) [D7]' : `${res}${scope === 'cluster' ? ' cluster-wide' : ''}`));
    }
    return r;
  },
};
