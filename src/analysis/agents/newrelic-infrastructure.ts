import type { Agent, AgentContext } from './types';
import { parseSeconds } from '../../common/duration';
import { asObj, call, result, truthy, tryYaml } from './util';

const V2 = 'newrelic/nri-kubernetes src/kubernetes.go@e6b1461';

/**
 * New Relic Kubernetes integration (nri-kubernetes).
 *
 * v1/v2, image newrelic/infrastructure-k8s: ONE DaemonSet does everything, every 15 s (the
 * integration's interval). On every node the kube-state-metrics discovery (cached
 * DISCOVERY_CACHE_TTL, default 1h, jitter 0) LISTs pods of all namespaces (or
 * KUBE_STATE_METRICS_NAMESPACE) by label, without a resourceVersion: every pod is read from etcd
 * and filtered after. The kubelet discovery and grouper GET the node's own Node (cached
 * API_SERVER_CACHE_TTL, 5m). Only the agent on KSM's node scrapes KSM and LISTs every Service
 * each run. DISABLE_KUBE_STATE_METRICS=true drops the discovery.
 *
 * v3+, image newrelic/nri-kubernetes (chart newrelic-infrastructure): one image, three
 * components told apart by container or workload name: the kubelet DaemonSet watches every Node
 * from every node (a Node informer without a selector, since v3), pods from the kubelet unless
 * fetchPodsFromKubeService; the ksm Deployment watches Services and KSM's EndpointSlices; the
 * controlplane DaemonSet (control-plane nodes only) watches pods and secrets of the components'
 * namespaces.
 */
export const newrelicInfrastructure: Agent = {
  id: 'newrelic-infrastructure',
  name: 'New Relic Kubernetes integration',
  category: 'metrics',
  summary:
    'v2 (infrastructure-k8s): every node LISTs all pods by label from etcd once per DISCOVERY_CACHE_TTL (1h) to find kube-state-metrics and GETs its Node every 5m; v3 (nri-kubernetes): the kubelet DaemonSet watches every Node from every node, the ksm Deployment watches Services and EndpointSlices, the control-plane DaemonSet watches pods and secrets of a few namespaces.',
  sources: [
    `${V2}: DiscoveryCacheTTL default "1h", DiscoveryCacheTTLJitter default 0 ("to spead load on the API server for discovery"), APIServerCacheTTL default "5m", KubeStateMetricsNamespace "By default, all namespaces will be queried"; "we only scrape KSM when we are on the same Node as KSM"`,
    'newrelic/nri-kubernetes src/ksm/client/discovery.go@e6b1461 nodeIP() → src/client/client.go FindPodsByLabel(): Pods(namespace).List(ListOptions{LabelSelector}) (no resourceVersion); src/kubelet/client/discovery.go getNode() → Nodes().Get; src/ksm/group.go ListServices("")',
    'newrelic/nri-kubernetes src/kubelet/scraper.go@22a20cd discovery.NewNodeLister (internal/discovery/node_lister.go: a Nodes informer, no tweak); src/ksm/scraper.go NewServicesLister + internal/discovery/endpointslice_discoverer.go; src/controlplane/scraper.go NewNamespacePodListerer/NewNamespaceSecretListerer',
  ],
  image: /(^|\/)newrelic\/(infrastructure-k8s|nri-kubernetes|nri-kube-events)([:@]|$)/i,
  infer(ctx) {
    if (/nri-kube-events/.test(ctx.container.image)) {
      const r = result(ctx);
      r.calls.push(call({ verb: 'watch', resource: 'events', scope: 'cluster', rv: '0' }, { file: ctx.workload.file, line: ctx.container.line }, 'New Relic nri-kube-events', 'every Event, to forward them'));
      return r;
    }
    return /infrastructure-k8s/.test(ctx.container.image) ? v2(ctx) : v3(ctx);
  },
};

function v2(ctx: AgentContext) {
  const r = result(ctx);
  const env = ctx.env;
  const at = { file: ctx.workload.file, line: ctx.container.line };
  const dur = (v: string | undefined, def: number) => (v ? parseSeconds(v) || def : def);
  const ttl = dur(env.DISCOVERY_CACHE_TTL, 3600);
  const nodeTtl = dur(env.API_SERVER_CACHE_TTL, 300);
  // The integration runs every 15 s (nri-kubernetes-definition.yml `interval: 15`).
  const runEvery = 15;
  r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', interval: nodeTtl, atStart: 1 }, at, 'New Relic nri-kubernetes v2', `its own Node (kubelet discovery and grouper), cached ${nodeTtl}s (API_SERVER_CACHE_TTL)`));
  if (truthy(env.DISABLE_KUBE_STATE_METRICS)) {
    r.notes.push('DISABLE_KUBE_STATE_METRICS: no kube-state-metrics discovery, no pod LIST');
    return r;
  }
  const ns = env.KUBE_STATE_METRICS_NAMESPACE;
  if (env.DISCOVERY_CACHE_TTL_JITTER) r.notes.push(`DISCOVERY_CACHE_TTL_JITTER=${env.DISCOVERY_CACHE_TTL_JITTER}: the hourly LISTs are spread, not fewer`);
  if (truthy(env.DISTRIBUTED_KUBE_STATE_METRICS)) r.unmodelled = ['DISTRIBUTED_KUBE_STATE_METRICS (every node scrapes the KSM shard of its node)'];
  r.calls.push(
    call(
      { verb: 'list', resource: 'pods', scope: ns ? 'namespace' : 'cluster', interval: ttl, atStart: 1 },
      at,
      'New Relic nri-kubernetes v2',
      `pods of ${ns ? `namespace ${ns}` : 'all namespaces'} by label (app/k8s-app=kube-state-metrics) every ${ttl}s (DISCOVERY_CACHE_TTL), no resourceVersion: every pod read from etcd, filtered after${env.KUBE_STATE_METRICS_URL ? ' (KUBE_STATE_METRICS_URL skips the Service lookup, not this LIST)' : ''}`,
    ),
  );
  r.calls.push(call({ verb: 'list', resource: 'services', scope: 'cluster', interval: runEvery, atStart: 1, leaderOnly: true }, at, 'New Relic nri-kubernetes v2', `every Service each run (${runEvery}s), only from the agent on kube-state-metrics' node`));
  return r;
}

function v3(ctx: AgentContext) {
  const r = result(ctx);
  const at = { file: ctx.workload.file, line: ctx.container.line };
  const names = `${ctx.container.name} ${ctx.workload.name}`;
  const component = /controlplane|control-plane/.test(names) ? 'controlplane' : /\bksm\b|-ksm\b/.test(names) ? 'ksm' : /kubelet/.test(names) ? 'kubelet' : undefined;
  const cfgText = ctx.configs.find((c) => c.key === 'nri-kubernetes.yml');
  const cfg = asObj(cfgText ? tryYaml(cfgText.text) : undefined);
  const where = cfgText ? { file: cfgText.file, line: cfgText.line } : at;
  const tag = 'New Relic nri-kubernetes v3';
  if (Object.keys(asObj(cfg.namespaceSelector)).length) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, where, tag, 'namespaces, for namespaceSelector'));
  switch (component) {
    case 'kubelet':
      r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, at, tag, 'every Node from every node (kubelet scraper NewNodeLister: an informer without a selector)'));
      if (truthy(asObj(cfg.kubelet).fetchPodsFromKubeService) || truthy(cfg.fetchPodsFromKubeService)) r.calls.push(call({ verb: 'list', resource: 'pods', scope: 'node', interval: parseSeconds(String(cfg.interval ?? '15s')) || 15, atStart: 1 }, where, tag, 'pods of its node from the API server (fetchPodsFromKubeService), each run'));
      else r.notes.push('nri-kubernetes kubelet scraper: pods from the kubelet');
      break;
    case 'ksm':
      r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0' }, at, tag, 'every Service (ksm scraper)'));
      r.calls.push(call({ verb: 'watch', resource: 'endpointslices', scope: 'namespace', rv: '0' }, at, tag, "kube-state-metrics' EndpointSlices, by label (ksm scraper discovery)"));
      break;
    case 'controlplane':
      r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'namespace', rv: '0' }, at, tag, 'pods of the control-plane components\' namespace (kube-system by default)'));
      r.calls.push(call({ verb: 'watch', resource: 'secrets', scope: 'namespace', rv: '0' }, at, tag, 'secrets of the same namespaces (component TLS)'));
      break;
    default:
      r.unknown = true;
      r.notes.push('nri-kubernetes: neither the kubelet, ksm nor controlplane component (by container or workload name): usage unknown');
  }
  return r;
}
