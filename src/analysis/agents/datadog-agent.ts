import type { Agent } from './types';
import { call, imageVersion, result, truthy } from './util';

/**
 * Datadog node agent (DaemonSet). Settings are env vars: DD_ + the upper-cased config key
 * (defaults from DataDog/datadog-agent pkg/config/setup/config.go).
 *
 * Without the Cluster Agent (DD_CLUSTER_AGENT_ENABLED false, no DD_CLUSTER_AGENT_URL) every node
 * agent builds the pod→service map itself [D11]: kubemetadata.go Pull() → apiserver_kubelet.go
 * NodeMetadataMapping(), a LIST of every Endpoints object (EndpointSlices with
 * DD_KUBERNETES_USE_ENDPOINT_SLICES) every kubernetes_metadata_tag_update_freq (60 s), and it GETs
 * its own Node for node labels (hostinfo/node_labels.go). Versions: the LIST had no resourceVersion
 * (a quorum read from etcd) until PR #13906 "Use rv "0" when polling Kubernetes endpoint list"
 * (merged 2022-10-17; taken here as 6/7.41 and later, an inference from the merge date).
 * With the Cluster Agent all of this comes from the DCA over HTTP, pods from the kubelet.
 * DD_KUBERNETES_COLLECT_METADATA_TAGS=false drops the service map altogether.
 * Events: the kubernetes_apiserver check runs only with DD_LEADER_ELECTION (one elected agent
 * watches Events when DD_COLLECT_KUBERNETES_EVENTS); every candidate polls the lock.
 * The other binaries of the image (trace-agent, process-agent, system-probe, security-agent)
 * do not build the metadata map.
 */
export const datadogAgent: Agent = {
  id: 'datadog-agent',
  name: 'Datadog agent',
  category: 'metrics',
  summary:
    'Without the Cluster Agent every node agent LISTs every Endpoints object each 60 s (DD_KUBERNETES_METADATA_TAG_UPDATE_FREQ; from etcd before 7.41) and GETs its Node; with DD_CLUSTER_AGENT_ENABLED it asks the Cluster Agent instead; DD_KUBERNETES_COLLECT_METADATA_TAGS=false drops the map; DD_LEADER_ELECTION elects one agent to watch Events.',
  sources: [
    "DataDog/datadog-agent docs/cluster-agent/README.md@048a5f6, \"Before the DCA\": \"Each agent would query the API server on their own to get the services serving the pods on their node\"; limit: \"Non linear increase of the load on the API Server and ETCD\"",
    'DataDog/datadog-agent pkg/util/kubernetes/apiserver/apiserver_kubelet.go@893cfca NodeMetadataMapping(): Endpoints("").List with ResourceVersion "0"; older versions list without a resourceVersion; PR #13906 (2022-10-17) "Use rv "0" when polling Kubernetes endpoint list": "When the resource version is unset, the api-server needs to fetch all endpoints from etcd"',
    'DataDog/datadog-agent comp/core/workloadmeta/collectors/internal/kubemetadata/kubemetadata.go@0471678: the API client is created only if the Cluster Agent is disabled; pod metadata from the DCA (GetPodsMetadataForNode) otherwise',
    'DataDog/datadog-agent pkg/util/kubernetes/hostinfo/node_labels.go@0bffc75 GetNodeLabels(): from the DCA when cluster_agent.enabled, else the API server (own Node)',
    'DataDog/datadog-agent pkg/config/setup/config.go: kubernetes_collect_metadata_tags true, kubernetes_metadata_tag_update_freq 60, leader_election false, leader_lease_duration 60, collect_kubernetes_events false, cluster_agent.enabled false',
    "DataDog/documentation content/en/containers/cluster_agent/_index.md: \"By acting as a proxy between the API server and node-based Agents, the Cluster Agent helps to alleviate server load\"",
  ],
  image: /(^|\/)(datadog|datadoghq)\/agent([:@]|$)|^(public\.ecr\.aws\/datadog|datadoghq\.azurecr\.io|registry\.datadoghq\.com)\/agent([:@]|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const env = ctx.env;
    const bin = (ctx.container.command[0] ?? '').split('/').pop() ?? '';
    if (/^(trace-agent|process-agent|system-probe|security-agent)$/.test(bin)) {
      r.notes.push(`Datadog ${bin}: does not build the Kubernetes metadata map (the core agent of the pod does)`);
      return r;
    }
    if (truthy(env.DD_CLC_RUNNER_ENABLED)) r.unmodelled = ['cluster checks dispatched by the Cluster Agent (DD_CLC_RUNNER_ENABLED)'];
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const leader = truthy(env.DD_LEADER_ELECTION);
    if (leader) {
      r.leaderElection = true;
      // The lock is polled by every candidate; the period is not established here (assumption: a quarter of the lease duration).
      const lease = Number(env.DD_LEADER_LEASE_DURATION) || 60;
      r.calls.push(call({ verb: 'get', resource: (env.DD_LEADER_ELECTION_DEFAULT_RESOURCE ?? 'configmap').startsWith('lease') ? 'leases' : 'configmaps', scope: 'namespace', interval: lease / 4 }, at, 'Datadog agent', `leader lock ${env.DD_LEADER_LEASE_NAME ?? 'datadog-leader-election'} (DD_LEADER_ELECTION; period assumed ${lease / 4}s)`));
      if (truthy(env.DD_COLLECT_KUBERNETES_EVENTS)) r.calls.push(call({ verb: 'watch', resource: 'events', scope: 'cluster', rv: '0', leaderOnly: true }, at, 'Datadog agent', 'the elected agent watches Events (DD_COLLECT_KUBERNETES_EVENTS, kubernetes_apiserver check)'));
    } else if (truthy(env.DD_COLLECT_KUBERNETES_EVENTS)) r.notes.push('DD_COLLECT_KUBERNETES_EVENTS without DD_LEADER_ELECTION: the kubernetes_apiserver check needs leader election');
    if (truthy(env.DD_CLUSTER_AGENT_ENABLED) || env.DD_CLUSTER_AGENT_URL) {
      r.notes.push('Datadog agent with the Cluster Agent: pod-to-service metadata and node labels come from the Cluster Agent, pods from the kubelet [D11]');
      return r;
    }
    if (env.DD_KUBERNETES_COLLECT_METADATA_TAGS !== undefined && !truthy(env.DD_KUBERNETES_COLLECT_METADATA_TAGS)) {
      r.notes.push('DD_KUBERNETES_COLLECT_METADATA_TAGS=false: no pod-to-service map, no Endpoints LIST');
      return r;
    }
    const freq = Number(env.DD_KUBERNETES_METADATA_TAG_UPDATE_FREQ) || 60;
    const slices = truthy(env.DD_KUBERNETES_USE_ENDPOINT_SLICES);
    const v = imageVersion(ctx.container.image);
    const fromEtcd = v !== undefined && (v[0] < 6 || ((v[0] === 6 || v[0] === 7) && v[1] < 41));
    const res = slices ? 'endpointslices' : 'endpoints';
    r.calls.push(
      call(
        { verb: 'list', resource: res, scope: 'cluster', interval: freq, atStart: 1, rv: fromEtcd ? undefined : '0' },
        at,
        'Datadog agent',
        `every agent lists every ${slices ? 'EndpointSlice' : 'Endpoints object'} itself every ${freq}s (no Cluster Agent) [D11]${fromEtcd ? '; this version sends no resourceVersion: read from etcd (rv "0" since PR #13906)' : ''}`,
      ),
    );
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'Datadog agent', 'its own Node, for node labels as host tags (no Cluster Agent)'));
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every Datadog node agent queries the API server itself: load grows non-linearly with nodes [D11]', change: 'deploy the Datadog Cluster Agent and set DD_CLUSTER_AGENT_ENABLED=true on the node agents: it queries the API server once for the cluster' });
    return r;
  },
};
