import type { Agent } from './types';
import { call, result } from './util';

export const calicoKubeControllers: Agent = {
  id: 'calico-kube-controllers',
  name: 'calico-kube-controllers',
  category: 'controller',
  summary: "One replica; watches the kinds of its ENABLED_CONTROLLERS cluster-wide.",
  sources: [
    "projectcalico/calico manifests/calico.yaml: calico-kube-controllers is a single-replica Deployment with ENABLED_CONTROLLERS",
  ],
  image: /calico\/kube-controllers/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const enabled = (ctx.env.ENABLED_CONTROLLERS ?? 'node,policy,namespace,serviceaccount,workloadendpoint').split(',');
    const map: Record<string, string> = { node: 'nodes', policy: 'networkpolicies', namespace: 'namespaces', serviceaccount: 'serviceaccounts', workloadendpoint: 'pods' };
    for (const e of enabled) if (map[e.trim()]) r.calls.push(call({ verb: 'watch', resource: map[e.trim()], scope: 'cluster', rv: '0' }, at, 'calico-kube-controllers', `${e.trim()} controller`));
    r.leaderElection = true;
    return r;
  },
};
