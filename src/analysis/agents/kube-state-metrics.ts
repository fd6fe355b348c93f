import type { Agent } from './types';
import { call, result } from './util';
import type { Scope } from '../../cost/model';

const KSM_DEFAULT = 'certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumeclaims,persistentvolumes,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments';

/**
 * kube-state-metrics: one informer per resource in --resources. `--node` makes the pod
 * informer node-scoped with a spec.nodeName field selector [D7]; `--track-unscheduled-pods`
 * watches pods with spec.nodeName="" (modelled as node-scoped). Lists from the watch cache
 * only with --use-apiserver-cache (otherwise a consistent read).
 */
export const kubeStateMetrics: Agent = {
  id: 'kube-state-metrics',
  name: 'kube-state-metrics',
  category: 'metrics',
  summary: "One informer per resource in --resources, cluster-wide; `--node` scopes the pod informer to its node (DaemonSet sharding); `--use-apiserver-cache` lists from the watch cache.",
  sources: [
    "kubernetes/kube-state-metrics README.md, \"Daemonset sharding for pod metrics\": \"Each kube-state-metrics pod uses FieldSelector (spec.nodeName) to watch/list pod metrics only on the same node\"",
  ],
  image: /kube-state-metrics/i,
  infer(ctx) {
    const r = result(ctx);
    const resources = (ctx.flags.get('resources') ?? KSM_DEFAULT).split(',').map((s) => s.trim()).filter(Boolean);
    const node = ctx.flags.get('node');
    const unscheduled = ctx.flags.has('track-unscheduled-pods') && ctx.flags.get('track-unscheduled-pods') !== 'false';
    const ns = ctx.flags.get('namespaces');
    const nsCount = ns ? ns.split(',').filter(Boolean).length : 0;
    const rv = ctx.flags.has('use-apiserver-cache') && ctx.flags.get('use-apiserver-cache') !== 'false' ? '0' : undefined;
    const at = { file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
    for (const res of resources) {
      const clusterScoped = ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'certificatesigningrequests', 'volumeattachments', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].includes(res);
      const scope: Scope = res === 'pods' && (node || unscheduled) ? 'node' : nsCount && !clusterScoped ? 'namespace' : 'cluster';
      const copies = scope === 'namespace' ? nsCount : 1;
      for (let i = 0; i < copies; i++) r.calls.push(call({ verb: 'watch', resource: res, scope, rv }, at, 'kube-state-metrics', res === 'pods' && node ? 'pods of its node (--node, FieldSelector spec.nodeName) [D7]' : `${res}${scope === 'cluster' ? ' cluster-wide' : ''}`));
    }
    return r;
  },
};
