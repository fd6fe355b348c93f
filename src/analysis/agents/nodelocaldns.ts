// NodeLocal DNSCache (node-cache): a CoreDNS build without the kubernetes plugin.
import type { Agent } from './types';
import { result } from './util';

export const nodeLocalDns: Agent = {
  id: 'nodelocaldns',
  name: 'NodeLocal DNSCache',
  category: 'dns',
  summary: 'No API calls at any size: node-cache is CoreDNS built without the kubernetes plugin; it forwards to kube-dns/CoreDNS, takes the upstream Service IP from its env and the kube-dns ConfigMap from a mounted volume. Its load is DNS traffic, not API-server traffic.',
  sources: [
    'kubernetes/dns cmd/node-cache/main.go@9aa70b8: the CoreDNS plugins compiled in are bind, bufsize, cache, debug, dns64, errors, forward, health, hosts, loadbalance, log, loop, metrics, pprof, reload, rewrite, template, timeouts, trace, whoami (no kubernetes); cmd/node-cache imports no client-go',
    'kubernetes/dns cmd/node-cache/app/cache_app.go@9aa70b8 toSvcEnv: the -upstreamsvc cluster IP from $<SVC>_SERVICE_HOST ("exposed in every pod"); the kube-dns ConfigMap read from the mounted -kubednscm path',
  ],
  image: /(^|\/)(dns\/)?k8s-dns-node-cache(-amd64|-arm64)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    r.notes.push('node-cache makes no API calls (no kubernetes plugin compiled in); a Corefile naming `kubernetes` would not load');
    return r;
  },
};
