import type { Agent } from './types';
import { call, result } from './util';

/** kube-proxy [D10]: every instance watches all Services and EndpointSlices; its own Node. Protobuf, watch cache. */
export const kubeProxy: Agent = {
  id: 'kube-proxy',
  name: 'kube-proxy',
  category: 'service-proxy',
  summary: "Every instance watches all Services and EndpointSlices, and its own Node: inherent to the data plane, run on every node of Kubernetes' 5,000-node scalability tests.",
  sources: [
    "kubernetes/website content/en/docs/reference/networking/virtual-ips.md: \"Each instance of kube-proxy watches the Kubernetes control plane for the addition and removal of Service and EndpointSlice objects\"",
    'kubeadm (cmd/kubeadm/app/phases/addons/proxy): DaemonSet kube-proxy, image registry.k8s.io/kube-proxy, --config=/var/lib/kube-proxy/config.conf from the kube-proxy ConfigMap, --hostname-override=$(NODE_NAME) (the object as kubeadm creates it; no vendor manifest of it is published)',
  ],
  // registry.k8s.io/kube-proxy (kubeadm), <registry>/kube-proxy-amd64 (the old add-on), sigwindowstools/kube-proxy
  // (Windows HostProcess). Old manifests running `hyperkube proxy` are not recognised.
  image: /(^|\/)kube-proxy(-amd64|-arm64)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.inherent = true;
    r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'all Services [D10]'));
    r.calls.push(call({ verb: 'watch', resource: 'endpointslices', scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'all EndpointSlices [D10]'));
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'its own Node'));
    if (Object.keys(ctx.workload.nodeSelector).length) r.notes.push(`runs only on nodes matching ${JSON.stringify(ctx.workload.nodeSelector)}; estimates assume every node`);
    return r;
  },
};
