import type { Agent } from './types';
import { call, result } from './util';

export const coredns: Agent = {
  id: 'coredns',
  name: 'CoreDNS',
  category: 'dns',
  summary: "Each replica watches Services, EndpointSlices and Namespaces cluster-wide (kubernetes plugin).",
  sources: [
    "coredns/coredns plugin/kubernetes/README.md: the plugin watches the Kubernetes API for Services and Endpoints(Slices)",
  ],
  image: /(^|\/)coredns(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.inherent = true;
    for (const res of ['services', 'endpointslices', 'namespaces']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'CoreDNS', `${res} cluster-wide (kubernetes plugin)`));
    return r;
  },
};
