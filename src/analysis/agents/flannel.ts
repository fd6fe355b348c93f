// flanneld with the Kubernetes subnet manager. Calls read from flannel-io/flannel
// pkg/subnet/kube/kube.go@bc353a9 (v0.25.0), same shape at HEAD (cdf7605).
import type { Agent } from './types';
import { call, result, tryYaml, asObj, olderThan } from './util';

export const flannel: Agent = {
  id: 'flannel',
  name: 'flannel',
  category: 'cni',
  summary: 'With --kube-subnet-mgr every flanneld lists and watches all Node objects (it builds routes from the other nodes\' annotations) and patches its own Node; the `alloc` backend (v0.20.0+) drops the node informer; without --kube-subnet-mgr it uses etcd, not the API server.',
  sources: [
    'flannel-io/flannel pkg/subnet/kube/kube.go@bc353a9 newKubeSubnetManager: cache.NewIndexerInformer on Nodes().List/Watch with no field selector (resync 5m, local only); NewSubnetManager GETs its own pod (POD_NAME/POD_NAMESPACE) unless NODE_NAME is set; AcquireLease patches its Node status',
    'flannel-io/flannel main.go: --kube-subnet-mgr "contact the Kubernetes API for subnet assignment instead of etcd"',
    'flannel-io/flannel commit 1506bb0 "disable node informers for alloc" (v0.20.0, issue #1617)',
  ],
  image: /(^|\/)(coreos\/flannel|flannel\/flannel|flannel-io\/flannel|mirrored-flannelcni-flannel)(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const kube = ctx.flags.get('kube-subnet-mgr');
    if (kube === undefined || kube === 'false') {
      r.notes.push('flanneld without --kube-subnet-mgr: its datastore is etcd, not the Kubernetes API');
      return r;
    }
    const netConf = ctx.configs.find((c) => c.key === 'net-conf.json');
    const backend = netConf ? String(asObj(asObj(tryYaml(netConf.text)).Backend).Type ?? 'vxlan').toLowerCase() : 'vxlan';
    if (!ctx.env.NODE_NAME) r.calls.push(call({ verb: 'get', resource: 'pods', scope: 'namespace', atStart: 1 }, at, 'flannel', 'its own pod at start, to learn its node (POD_NAME)'));
    // Before v0.20.0 the alloc backend kept the node informer too.
    if (backend === 'alloc' && !olderThan(ctx.container.image, [0, 20])) {
      r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1, rv: '0' }, at, 'flannel', 'its own Node (alloc backend: no node informer, v0.20.0+)'));
    } else {
      r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, netConf ? { file: netConf.file, line: netConf.line } : at, 'flannel', `every Node, to route to the other nodes' subnets (backend ${backend}, kube-subnet-mgr)`));
    }
    r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'flannel', 'its Node status (subnet lease annotations) at start'));
    return r;
  },
};
