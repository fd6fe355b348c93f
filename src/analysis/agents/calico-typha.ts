import type { Agent } from './types';
import { CALICO_RESOURCES } from './calico-node';
import { call, result } from './util';

export const calicoTypha: Agent = {
  id: 'calico-typha',
  name: 'calico-typha',
  category: 'cni',
  summary: "Watches the Calico datastore cluster-wide once per replica and serves every Felix from it.",
  sources: [
    "projectcalico/calico manifests/calico-typha.yaml (comments): \"Typha sits in between Felix and the API server\"; \"Use one replica for every 100-200 nodes\"",
  ],
  image: /calico\/typha(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    for (const res of CALICO_RESOURCES) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-typha', `${res}, fanned out to Felix [D8]`));
    r.leaderElection = true; // every replica serves a share of the Felix connections: replicas are intended
    r.hints.push({ rule: 'fanout-undersized', file: ctx.workload.file, line: ctx.workload.line, message: 'calico-typha replicas', change: 'one Typha replica per 100–200 nodes [D8]' });
    return r;
  },
};
