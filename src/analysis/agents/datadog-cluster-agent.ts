import type { Agent } from './types';
import { asArr, asObj, call, lineIn, lineIndexOf, result, truthy, tryYaml } from './util';

/**
 * Datadog Cluster Agent (DCA): the cluster-level proxy between the API server and the node agents
 * (node agents with DD_CLUSTER_AGENT_ENABLED ask it over HTTP). Its informers come from
 * pkg/util/kubernetes/apiserver/controllers/controllers.go@13316c4 controllerCatalog:
 * - metadata controller (kubernetes_collect_metadata_tags, default true): Endpoints informer
 *   cluster-wide (EndpointSlices with DD_KUBERNETES_USE_ENDPOINT_SLICES, Cluster Agent 7.62+);
 * - cluster checks (DD_CLUSTER_CHECKS_ENABLED): Services and Endpoints informers (same factory:
 *   one watch per kind);
 * - autoscalers (DD_EXTERNAL_METRICS_PROVIDER_ENABLED): HPA informer;
 * - leader-only work gated by DD_LEADER_ELECTION: the kubernetes_apiserver check (Events, with
 *   DD_COLLECT_KUBERNETES_EVENTS), the orchestrator explorer.
 * Checks in its confd (the chart's kubernetes_state_core.yaml.default) run in it too: the
 * kube-state-metrics library, one informer per collector, resourceVersion "0" only with
 * `use_apiserver_cache: true` (PR #26371, 2024-06).
 * Clients = replicas (1 by default, 3 advised above 1,000 nodes): it does not grow with nodes.
 */
export const datadogClusterAgent: Agent = {
  id: 'datadog-cluster-agent',
  name: 'Datadog Cluster Agent',
  category: 'metrics',
  summary:
    'One Deployment (clients = replicas) that serves the node agents: it watches Endpoints (EndpointSlices with DD_KUBERNETES_USE_ENDPOINT_SLICES), Services with cluster checks, HPAs with the external metrics provider, Events from the leader (DD_LEADER_ELECTION + DD_COLLECT_KUBERNETES_EVENTS), and one informer per collector of a kubernetes_state_core check in its confd.',
  sources: [
    'DataDog/datadog-agent pkg/util/kubernetes/apiserver/controllers/controllers.go@13316c4 controllerCatalog: metadata controller newMetadataController(InformerFactory.Core().V1().Endpoints()) when kubernetes_collect_metadata_tags; services/endpoints informers when cluster_checks.enabled; autoscalers when external_metrics_provider.enabled; IsLeaderFunc gates leader-only work',
    "DataDog/datadog-agent docs/cluster-agent/README.md@048a5f6: the DCA \"acts as a proxy between the API server and the node agent\"; \"the DCA should only be receiving calls from up to 5K nodes\"",
    'DataDog/helm-charts charts/datadog/values.yaml@f29a262: kubernetesUseEndpointSlices "Requires Cluster Agent 7.62.0+"; clusterAgent.replicas 1',
    'DataDog/datadog-agent PR #26371 (2024-06) "[KSM] Add option `use_apiserver_cache` to reduce pressure on etcd"',
  ],
  image: /(^|\/)(datadog|datadoghq)\/cluster-agent([:@]|$)|^(public\.ecr\.aws\/datadog|datadoghq\.azurecr\.io|registry\.datadoghq\.com)\/cluster-agent([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const env = ctx.env;
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const seen = new Set<string>();
    const watch = (resource: string, detail: string, where = at, extra: { etcd?: boolean; leaderOnly?: boolean } = {}) => {
      const key = `${resource}|${extra.etcd ? 1 : 0}|${extra.leaderOnly ? 1 : 0}`;
      if (seen.has(key)) return;
      seen.add(key);
      r.calls.push(call({ verb: 'watch', resource, scope: 'cluster', rv: extra.etcd ? undefined : '0', leaderOnly: extra.leaderOnly }, where, 'Datadog Cluster Agent', detail));
    };
    const leader = truthy(env.DD_LEADER_ELECTION);
    if (leader) r.leaderElection = true;
    const eps = truthy(env.DD_KUBERNETES_USE_ENDPOINT_SLICES) ? 'endpointslices' : 'endpoints';
    if (env.DD_KUBERNETES_COLLECT_METADATA_TAGS === undefined || truthy(env.DD_KUBERNETES_COLLECT_METADATA_TAGS)) watch(eps, `${eps} of every service, for the node agents' pod-to-service tags (metadata controller)`);
    if (truthy(env.DD_CLUSTER_CHECKS_ENABLED)) {
      watch('services', 'Services, for cluster checks (DD_CLUSTER_CHECKS_ENABLED)');
      watch(eps, `${eps}, for endpoints checks (DD_CLUSTER_CHECKS_ENABLED)`);
    }
    if (truthy(env.DD_EXTERNAL_METRICS_PROVIDER_ENABLED)) watch('horizontalpodautoscalers', 'HPAs (DD_EXTERNAL_METRICS_PROVIDER_ENABLED)');
    if (truthy(env.DD_COLLECT_KUBERNETES_EVENTS)) {
      if (leader) watch('events', 'Events, from the elected replica (kubernetes_apiserver check)', at, { leaderOnly: true });
      else watch('events', 'Events (DD_COLLECT_KUBERNETES_EVENTS without DD_LEADER_ELECTION: every replica)');
    }
    if (truthy(env.DD_ORCHESTRATOR_EXPLORER_ENABLED)) r.unmodelled = ['orchestrator explorer (informers on pods, workloads, nodes… in the leader; the list is not modelled)'];
    for (const c of ctx.configs) {
      if (!/^kubernetes_state_core\.yaml/.test(c.key)) continue;
      const doc = tryYaml(c.text);
      const where = { file: c.file, line: lineIn(c, lineIndexOf(c.text, /collectors\s*:/)) };
      for (const inst of asArr(doc?.instances)) {
        const i = asObj(inst);
        const etcd = !truthy(i.use_apiserver_cache);
        for (const col of asArr(i.collectors).map(String)) watch(col, `kubernetes_state_core collector ${col}${etcd ? ' (no use_apiserver_cache: LIST from etcd)' : ''}`, where, { etcd });
      }
    }
    if (truthy(env.DD_ADMISSION_CONTROLLER_ENABLED)) r.notes.push('Datadog admission controller: the API server calls it on pod creation (not a list/watch)');
    r.notes.push(`Datadog Cluster Agent: ${r.calls.length} informers from ${typeof ctx.workload.clients === 'number' ? ctx.workload.clients : 'each'} replica(s), whatever the node count`);
    return r;
  },
};
