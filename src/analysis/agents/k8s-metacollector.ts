// k8s-metacollector: the single Deployment that reads the API server for every Falco k8smeta
// plugin and pushes each node only what concerns it (Falco 0.37+).
import type { Agent } from './types';
import { call, result } from './util';

export const k8sMetacollector: Agent = {
  id: 'k8s-metacollector',
  name: 'Falco k8s-metacollector',
  category: 'security',
  summary: 'One client (replicas: 1, no leader election) with cluster-wide informers on pods, services, endpointslices, namespaces, replication controllers, deployments, replicasets and daemonsets; each Falco node gets its share over gRPC.',
  sources: [
    'falcosecurity/k8s-metacollector main.go@0aa6023 (cmd/collector/run/run.go@244a3a2): one controller-runtime manager with caches for Pod, Service, Namespace, ReplicationController, Deployment, ReplicaSet, DaemonSet, EndpointSlice, no namespace or field restriction',
    'falcosecurity/k8s-metacollector README.md: "Having a centralized component that connects to the API server and pushes metadata to the Falco instances reduces the load on the Kubernetes API server"; "A given Falco instance running in a given node will receive metadata only for the resources that are related to that node"',
  ],
  image: /(^|\/)k8s-meta-?collector(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    for (const res of ['pods', 'services', 'endpointslices', 'namespaces', 'replicationcontrollers', 'deployments', 'replicasets', 'daemonsets']) {
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'k8s-metacollector', `${res} cluster-wide (controller-runtime cache)`));
    }
    r.notes.push('k8s-metacollector: --node-name does not filter what it reads; it fans metadata out to the Falco nodes over gRPC (port 45000)');
    return r;
  },
};
