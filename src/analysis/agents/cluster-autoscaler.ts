import type { Agent } from './types';
import { call, result } from './util';

/** cluster-autoscaler: informers on pods, nodes and scheduling inputs, cluster-wide, from one leader-elected client. */
export const clusterAutoscaler: Agent = {
  id: 'cluster-autoscaler',
  name: 'cluster-autoscaler',
  category: 'controller',
  summary: "One leader-elected client with informers on pods, nodes and scheduling inputs cluster-wide.",
  sources: [
    "kubernetes/autoscaler cluster-autoscaler/FAQ.md: cluster-autoscaler runs with leader election (--leader-elect, default true)",
  ],
  image: /cluster-autoscaler/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    for (const res of ['pods', 'nodes', 'services', 'replicasets', 'statefulsets', 'poddisruptionbudgets', 'persistentvolumeclaims', 'persistentvolumes', 'storageclasses', 'csinodes', 'namespaces']) {
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'cluster-autoscaler', `${res} cluster-wide`));
    }
    r.leaderElection = ctx.flags.get('leader-elect') !== 'false';
    return r;
  },
};
