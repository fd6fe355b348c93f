import type { Agent } from './types';
import { asObj, call, lineIn, lineIndexOf, olderThan, result, truthy, tryYaml } from './util';

/** What the delegated agents read cluster-wide (they produce the KubeState metrics): assumed from the agent's ClusterRole, the calls themselves are not public. */
const DELEGATED_KINDS = ['pods', 'nodes', 'namespaces', 'services', 'endpoints', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'replicationcontrollers', 'resourcequotas'];

/**
 * Sysdig agent (DaemonSet, config `dragent.yaml` in ConfigMap sysdig-agent). The agent's source
 * is not public: the model follows Sysdig's docs and the chart.
 * - `cointerface_enabled: false` (the chart's DaemonSet config when delegatedAgentDeployment is
 *   on): the agent does not talk to the API server; a small Deployment does.
 * - Delegation: "two agents are marked as delegated in each cluster" (`k8s_delegated_nodes`,
 *   default 2); they read the cluster ("Getting pods for all nodes."), every other agent reads the
 *   pods of its node ("Getting pods only for node"). Delegation and cold-start leases are automatic
 *   from agent 12.0.0 (before: `k8s_delegation_election` / `k8s_coldstart`, needs 11.3.0+); the ten
 *   cold-start leases stagger the agents' start-up.
 * - Older agents without `new_k8s`: not established (left to the RBAC reach).
 */
export const sysdigAgent: Agent = {
  id: 'sysdig-agent',
  name: 'Sysdig agent',
  category: 'security',
  summary:
    "Two delegated agents (k8s_delegated_nodes) watch the cluster, every other agent only its node's pods; delegation and cold-start leases are automatic from 12.0.0 (k8s_delegation_election before); cointerface_enabled: false (a separate delegated Deployment) makes the DaemonSet API-free.",
  sources: [
    'docs.sysdig.com "Use Node Leases": "During boot up, the Sysdig agent connects to the Kubernetes API server to retrieve Kubernetes metadata and build a cache. The cold-start leases control the number of agents that build up this cache at any given time"; "two agents are marked as delegated in each cluster. The delegated agents are the designated agents to request more data from the API server and produce KubeState metrics"; "Kubernetes node leases are automatically created for agent version 12.0.0 and above"',
    'sysdiglabs/charts charts/agent/values.yaml@1e57ebb delegatedAgentDeployment: "The DaemonSet Agents will not be configured to communicate with the Kubernetes API Server, but the smaller set of Agents deployed in the Deployment will"; templates/configmap.yaml: cointerface_enabled: false on the DaemonSet; leaderelection.enable → k8s_delegation_election: true, k8s_coldstart',
  ],
  image: /(^|\/)sysdig\/(agent|agent-slim)([:@]|$)/i,
  infer(ctx) {
    const c = ctx.configs.find((x) => x.key === 'dragent.yaml');
    if (!c) return { ...result(ctx), unknown: true, notes: ['Sysdig agent: dragent.yaml is not in these files; usage unknown'] };
    const r = result(ctx, c.line, c.file);
    const doc = asObj(tryYaml(c.text));
    const where = (re: RegExp) => ({ file: c.file, line: lineIn(c, lineIndexOf(c.text, re)) });
    if (doc.cointerface_enabled === false || doc.cointerface_enabled === 'false') {
      r.notes.push('Sysdig agent with cointerface_enabled: false: no Kubernetes API calls (a delegated Deployment reads the cluster)');
      return r;
    }
    const img = ctx.container.image;
    const elected = truthy(doc.k8s_delegation_election) || truthy(asObj(doc.k8s_coldstart).enabled) || !olderThan(img, [12, 0]);
    if (!elected && olderThan(img, [11, 3]) && !truthy(doc.new_k8s)) {
      r.unknown = true;
      r.notes.push('Sysdig agent before 11.3 without new_k8s: how each agent reads the API server is not established');
      return r;
    }
    const delegated = Number(doc.k8s_delegated_nodes ?? 2);
    const at = where(/k8s_delegat|k8s_coldstart|new_k8s/);
    if (ctx.workload.clients !== 'perNode' || delegated < 0) {
      for (const res of DELEGATED_KINDS) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'Sysdig agent', `${res} cluster-wide (delegated agent; kinds assumed from its ClusterRole)`));
      return r;
    }
    r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'node', rv: '0' }, at, 'Sysdig agent', '"Getting pods only for node" (every non-delegated agent)'));
    for (const res of DELEGATED_KINDS) r.calls.push({ ...call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'Sysdig agent', `${res} cluster-wide from the ${delegated} delegated agents only ("Getting pods for all nodes."; kinds assumed from its ClusterRole)`), clients: delegated });
    r.unmodelled = ['the cluster-scoped kinds a non-delegated agent reads for its tags'];
    if (elected) r.notes.push('Sysdig agent: delegation and cold-start leases (10 agents build their cache at a time)');
    return r;
  },
};
