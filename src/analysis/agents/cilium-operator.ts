// cilium-operator: cluster-wide bookkeeping for the agents, from the elected instance only.
import type { Agent } from './types';
import { ciliumConfigMissing, ciliumSetting } from './cilium';
import { call, result } from './util';

export const ciliumOperator: Agent = {
  id: 'cilium-operator',
  name: 'Cilium operator',
  category: 'cni',
  summary:
    'Leader-elected on a Lease (HA replicas, one active): the active instance watches pods (unmanaged-pod GC), Services and EndpointSlices, CiliumEndpoints, CiliumNodes (cluster-pool IPAM) and CiliumIdentities (GC) cluster-wide, and with enable-cilium-endpoint-slice batches CiliumEndpoints into CiliumEndpointSlices: one client whatever the node count.',
  sources: [
    'cilium/cilium install/kubernetes/quick-install.yaml@17aabf4 (operator ClusterRole): "Cilium operator running in HA mode requires the use of ResourceLock for Leader Election between mulitple running instances"; replicas: 2 (the v1.6.0 file @004c8cd: 1 replica, no Lease)',
    'docs.cilium.io network/kubernetes/ciliumendpointslice (1.11+): the operator groups CiliumEndpoints into CiliumEndpointSlices',
  ],
  image: /(^|\/)cilium\/operator(-generic|-aws|-azure|-alibabacloud)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    if (ciliumConfigMissing(ctx)) {
      r.unknown = true;
      r.notes.push('cilium-operator without its cilium-config in these files');
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const w = (resource: string, why: string) => r.calls.push(call({ verb: 'watch', resource, scope: 'cluster', rv: '0', leaderOnly: true }, at, 'Cilium operator', why));
    w('pods', 'every pod (restarts pods Cilium does not manage)');
    w('services', 'every Service');
    w('endpointslices', 'every EndpointSlice');
    w('ciliumendpoints', 'every CiliumEndpoint (garbage collection)');
    w('ciliumnodes', 'every CiliumNode (IPAM, garbage collection)');
    w('ciliumidentities', 'every CiliumIdentity (garbage collection)');
    if (/^(true|1)$/i.test(ciliumSetting(ctx, 'enable-cilium-endpoint-slice') ?? '')) r.notes.push('enable-cilium-endpoint-slice: the operator also writes CiliumEndpointSlices (not counted)');
    r.leaderElection = true;
    return r;
  },
};
