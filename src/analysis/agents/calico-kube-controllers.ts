// calico-kube-controllers: one active instance (replicas: 1, Recreate). Calls read from
// projectcalico/calico kube-controllers at 8b08738.
import type { Agent } from './types';
import { call, result } from './util';

/** What each controller of ENABLED_CONTROLLERS watches cluster-wide (main.go InitControllers, runconfig.go mergeEnabledControllers). */
const CONTROLLERS: Record<string, string[]> = {
  node: ['nodes', 'pods'],
  workloadendpoint: ['pods'],
  namespace: ['namespaces'],
  profile: ['namespaces'],
  policy: ['networkpolicies'],
  serviceaccount: ['serviceaccounts'],
};

export const calicoKubeControllers: Agent = {
  id: 'calico-kube-controllers',
  name: 'calico-kube-controllers',
  category: 'controller',
  summary: 'One instance ("can only have a single active instance"); watches cluster-wide what its ENABLED_CONTROLLERS need: node → Nodes and Pods (IPAM garbage collection), workloadendpoint → Pods, namespace → Namespaces, policy → NetworkPolicies, serviceaccount → ServiceAccounts. Without the env var the controllers come from the KubeControllersConfiguration resource.',
  sources: [
    'projectcalico/calico kube-controllers/cmd/kube-controllers/main.go@8b08738 InitControllers: informers.NewSharedInformerFactory(k8sClientset, 0) Pods and Nodes informers; the node controller registers both, the pod (workloadendpoint) controller the Pod informer; namespace, policy and serviceaccount controllers list/watch their kind (fields.Everything())',
    'projectcalico/calico kube-controllers/pkg/config/runconfig.go@8b08738 mergeEnabledControllers: ENABLED_CONTROLLERS workloadendpoint, profile/namespace, policy, node, serviceaccount; without it, the KubeControllersConfiguration resource decides',
    'projectcalico/calico manifests/calico.yaml: calico-kube-controllers "can only have a single active instance" (replicas: 1, strategy Recreate); the KDD manifests set ENABLED_CONTROLLERS=node',
  ],
  image: /(^|\/)calico\/kube-controllers(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const set = ctx.env.ENABLED_CONTROLLERS;
    if (set === undefined) r.notes.push('no ENABLED_CONTROLLERS: the KubeControllersConfiguration resource chooses the controllers; assumed node, policy, namespace, serviceaccount, workloadendpoint');
    const enabled = (set ?? 'node,policy,namespace,serviceaccount,workloadendpoint').split(',').map((e) => e.trim()).filter(Boolean);
    const seen = new Set<string>();
    for (const e of enabled) {
      const kinds = CONTROLLERS[e];
      if (!kinds) {
        r.unmodelled = [...(r.unmodelled ?? []), `controller ${e}`];
        continue;
      }
      for (const res of kinds) {
        if (seen.has(res)) continue;
        seen.add(res);
        r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-kube-controllers', `${res} cluster-wide (${e} controller)`));
      }
    }
    r.leaderElection = true; // a single active instance by design
    return r;
  },
};
