// CoreDNS: the kubernetes plugin is its only API client. Read from its Corefile when mounted.
import type { Agent } from './types';
import { call, lineIndexOf, result } from './util';

export const coredns: Agent = {
  id: 'coredns',
  name: 'CoreDNS',
  category: 'dns',
  summary: "With the kubernetes plugin each replica watches Services, EndpointSlices and Namespaces cluster-wide (protobuf); `pods verified` or autopath adds a watch of every pod; a Corefile without the kubernetes plugin makes no API calls.",
  sources: [
    'coredns/coredns plugin/kubernetes/README.md: the plugin watches the Kubernetes API for Services and Endpoints(Slices); `pods verified`: "This option requires substantially more memory than in insecure mode, since it will maintain a watch on all pods"',
    'coredns/coredns plugin/autopath/README.md: "Enabling autopath requires more memory, since it needs to maintain a watch on all pods. If autopath and `pods verified` mode are both enabled, they will share the same watch"',
  ],
  image: /(^|\/)coredns(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    r.inherent = true;
    const corefile = ctx.configs.find((c) => c.key === 'Corefile');
    const text = corefile?.text.replace(/#.*$/gm, '') ?? '';
    if (corefile && !/^\s*kubernetes\b/m.test(text)) {
      r.notes.push('the Corefile has no kubernetes plugin: no API calls');
      return r;
    }
    if (!corefile) r.notes.push('no Corefile in these files: the kubernetes plugin assumed, as in the cluster DNS add-on');
    const at = corefile ? { file: corefile.file, line: corefile.line + lineIndexOf(corefile.text, /^\s*kubernetes\b/m) } : { file: ctx.workload.file, line: ctx.container.line };
    for (const res of ['services', 'endpointslices', 'namespaces']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'CoreDNS', `${res} cluster-wide (kubernetes plugin)`));
    if (/^\s*pods\s+verified\b/m.test(text) || /^\s*autopath\b/m.test(text)) {
      r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'CoreDNS', 'every pod (`pods verified` or autopath)'));
    }
    return r;
  },
};
