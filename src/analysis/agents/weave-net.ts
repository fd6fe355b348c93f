// Weave Net: the `weave` container (weave-kube: launch.sh and kube-utils) and the `weave-npc`
// network-policy controller, both on every node. Calls read from weaveworks/weave at 9a26826
// (v2.8.0+1); the project is archived (HEAD 8c84763, 2022-11) and a later fork publishes the same
// images as rajchaudhuri/weave-kube and rajchaudhuri/weave-npc. API usage is the same from the
// k8s-1.6 to the k8s-1.11 manifests; before 2.0 weave-npc read extensions/v1beta1 NetworkPolicies.
import type { Agent } from './types';
import { call, result } from './util';

export const weaveNet: Agent = {
  id: 'weave-net',
  name: 'Weave Net',
  category: 'cni',
  summary:
    'weave-npc on every node watches all pods, namespaces and NetworkPolicies of the cluster (no node filter: --node-name only filters the rules it writes); the weave container LISTs all nodes at start (unless KUBE_PEERS is set), gets and updates the shared weave-net ConfigMap (peer list), patches its Node status and watches all nodes (IP reclaim daemon).',
  sources: [
    'weaveworks/weave prog/weave-npc/main.go@9a26826 makeController: cache.NewListWatchFromClient(getter, resource, "", fields.Everything()) and cache.NewInformer(..., 0, ...) for namespaces, pods and networkpolicies',
    'weaveworks/weave prog/weave-kube/launch.sh@9a26826 l.83–137: kube-utils for the peer list when KUBE_PEERS is empty, -check-peer-new/-reclaim, -set-node-status, -run-reclaim-daemon',
    'weaveworks/weave prog/kube-utils/main.go@9a26826: getKubePeers Nodes().List(ctx, api.ListOptions{}); registerForNodeUpdates informerFactory.Core().V1().Nodes().Informer() (NewSharedInformerFactory(client, 0))',
    'weaveworks/weave prog/kube-utils/annotations.go@9a26826: ConfigMaps(ns).Get / Create / Update of weave-net (optimistic-concurrency retries); nodestatus.go: Nodes().PatchStatus',
  ],
  image: /(^|\/)(weaveworks|rajchaudhuri)\/weave-(kube|npc)(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const argv = [...ctx.container.command, ...ctx.container.args];
    if (/weave-npc/i.test(ctx.container.image)) {
      for (const res of ['pods', 'namespaces', 'networkpolicies']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'weave-npc', `every ${res === 'networkpolicies' ? 'NetworkPolicy' : res === 'pods' ? 'pod' : 'Namespace'} of the cluster (no selector; --node-name filters only the rules it writes)`));
      return r;
    }
    // The weave-init init container runs init.sh (CNI files only); the agent runs launch.sh.
    if (argv.length && !argv.some((a) => /launch\.sh$/.test(a))) {
      r.notes.push(`weave-kube running ${argv[0]}: not launch.sh, no API calls assumed`);
      return r;
    }
    if (ctx.env.KUBE_PEERS) r.notes.push('KUBE_PEERS is set: no start-up LIST of nodes');
    else r.calls.push(call({ verb: 'list', resource: 'nodes', scope: 'cluster' }, at, 'weave', 'every node at start, from etcd (kube-utils getKubePeers: Nodes().List with no resourceVersion), unless KUBE_PEERS is set'));
    r.calls.push(call({ verb: 'get', resource: 'configmaps', scope: 'namespace', atStart: 1 }, at, 'weave', 'the weave-net ConfigMap (peer list) at start'));
    r.calls.push(call({ verb: 'update', resource: 'configmaps', scope: 'namespace', atStart: 1 }, at, 'weave', 'the weave-net ConfigMap shared by every peer at start (-reclaim; conflicts retried)'));
    r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'weave', 'its Node status (NetworkUnavailable=false)'));
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, at, 'weave', 'every node (-run-reclaim-daemon: reclaims the IP space of deleted nodes)'));
    return r;
  },
};
