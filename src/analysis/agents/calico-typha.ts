// calico-typha: the fan-out cache between the Kubernetes datastore and every calico-node.
import type { Agent } from './types';
import { CALICO_RESOURCES, calicoIpam } from './calico-node';
import { call, result } from './util';

export const calicoTypha: Agent = {
  id: 'calico-typha',
  name: 'calico-typha',
  category: 'cni',
  summary: "Each replica watches the Calico datastore cluster-wide once (the resources of Felix's and confd's syncers, IPAM blocks and affinities unless USE_POD_CIDR) and serves every calico-node from it over TCP 5473: clients = replicas, not nodes; size it at one replica per 100–200 nodes.",
  sources: [
    "projectcalico/calico manifests/calico-typha.yaml (comments): \"Typha sits in between Felix and the API server\"; \"Use one replica for every 100-200 nodes\"",
    'projectcalico/calico typha/pkg/daemon/daemon.go@8b08738: one syncer per client type (felix, bgp, tunnel-ip-allocation, node-status), each a libcalico-go watchersyncer against the datastore',
  ],
  image: /(^|\/)calico\/typha(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const ipam = calicoIpam(ctx.env);
    for (const res of CALICO_RESOURCES) {
      if (!ipam && (res === 'ipamblocks' || res === 'blockaffinities')) continue;
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-typha', `${res}, fanned out to every calico-node [D8]`));
    }
    r.leaderElection = true; // every replica serves a share of the Felix connections: replicas are intended
    r.hints.push({ rule: 'fanout-undersized', file: ctx.workload.file, line: ctx.workload.line, message: 'calico-typha replicas', change: 'one Typha replica per 100–200 nodes [D8]' });
    return r;
  },
};
