import type { Agent } from './types';
import { call, result, truthy } from './util';

/**
 * Datadog node agent without the Cluster Agent [D11]: "each agent would query the API server on
 * their own to get the services serving the pods on their node". Modelled as a LIST of every
 * Endpoints object every `kubernetes_metadata_tag_update_freq` (60 s; assumption for the
 * mechanism and the period), JSON, without resourceVersion. With DD_CLUSTER_AGENT_ENABLED the
 * Cluster Agent does it once for the cluster.
 */
export const datadogAgent: Agent = {
  id: 'datadog-agent',
  name: 'Datadog agent',
  category: 'metrics',
  summary: "Without the Cluster Agent every node agent queries the API server for the services of its pods; with DD_CLUSTER_AGENT_ENABLED the Cluster Agent does it once for the cluster.",
  sources: [
    "DataDog/datadog-agent docs/cluster-agent/README.md, \"Before the DCA\": \"Each agent would query the API server on their own to get the services serving the pods on their node\"; limit: \"Non linear increase of the load on the API Server and ETCD\"",
    "DataDog/documentation content/en/containers/cluster_agent/_index.md: \"By acting as a proxy between the API server and node-based Agents, the Cluster Agent helps to alleviate server load\"",
  ],
  image: /datadog(hq)?\/agent|datadog-agent/i,
  infer(ctx) {
    const r = result(ctx);
    if (truthy(ctx.env.DD_CLUSTER_AGENT_ENABLED)) {
      r.notes.push('Datadog agent with the Cluster Agent: metadata comes from the Cluster Agent [D11]');
      return r;
    }
    if (ctx.env.DD_KUBERNETES_COLLECT_METADATA_TAGS !== undefined && !truthy(ctx.env.DD_KUBERNETES_COLLECT_METADATA_TAGS)) return r;
    const freq = Number(ctx.env.DD_KUBERNETES_METADATA_TAG_UPDATE_FREQ) || 60;
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'list', resource: 'endpoints', scope: 'cluster', interval: freq, atStart: 1 }, at, 'Datadog agent', `every agent lists the services' endpoints itself every ${freq}s (no Cluster Agent) [D11]`));
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every Datadog node agent queries the API server itself: load grows non-linearly with nodes [D11]', change: 'deploy the Datadog Cluster Agent and set DD_CLUSTER_AGENT_ENABLED=true on the node agents: it queries the API server once for the cluster' });
    return r;
  },
};
