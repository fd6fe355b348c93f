// cluster-autoscaler: one client; with --leader-elect (default true) only the leader runs the
// loop, so other replicas only renew their lease. Listers read from kubernetes/autoscaler
// cluster-autoscaler/utils/kubernetes/listers.go@0b1303f.
import type { Agent } from './types';
import { call, result } from './util';

export const clusterAutoscaler: Agent = {
  id: 'cluster-autoscaler',
  name: 'cluster-autoscaler',
  category: 'controller',
  summary: "One leader-elected client with reflectors on pods (scheduled and unschedulable), nodes, PDBs, DaemonSets, ReplicationControllers, Jobs, ReplicaSets, StatefulSets and the scheduler's inputs, cluster-wide; only the leader runs them.",
  sources: [
    "kubernetes/autoscaler cluster-autoscaler/FAQ.md: cluster-autoscaler runs with leader election (--leader-elect, default true)",
    "kubernetes/autoscaler cluster-autoscaler/main.go: leaderelection.RunOrDie(…, OnStartedLeading: run(…)) — the autoscaling loop and its listers start only on the leader",
    "kubernetes/autoscaler cluster-autoscaler/utils/kubernetes/listers.go@0b1303f NewListerRegistryWithDefaultListers: reflectors (NewListWatchFromClient, NamespaceAll) for unschedulable pods (spec.nodeName==\"\"), scheduled pods (spec.nodeName!=\"\"), nodes (twice: ready and all), poddisruptionbudgets, daemonsets, replicationcontrollers, jobs, replicasets, statefulsets",
  ],
  image: /cluster-autoscaler/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const leader = ctx.flags.get('leader-elect') !== 'false';
    for (const res of ['pods', 'pods', 'nodes', 'nodes', 'poddisruptionbudgets', 'daemonsets', 'replicationcontrollers', 'jobs', 'replicasets', 'statefulsets', 'services', 'persistentvolumeclaims', 'persistentvolumes', 'storageclasses', 'csinodes', 'namespaces']) {
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf', leaderOnly: leader }, at, 'cluster-autoscaler', `${res} cluster-wide${leader ? ' (elected leader)' : ''}`));
    }
    r.leaderElection = leader;
    return r;
  },
};
