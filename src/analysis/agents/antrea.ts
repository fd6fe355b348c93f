// Antrea: antrea-agent (DaemonSet) and antrea-controller (one replica), one image for both, told
// apart by their command. Calls read from antrea-io/antrea at 4a7b5fe (2019-11, the corpus
// manifest) and at fc70f2b (2026-08).
import type { Agent, AgentContext } from './types';
import { asObj, call, imageVersion, olderThan, result, tryYaml } from './util';

/** The agent's configuration, and whether it comes from a release that knows AntreaProxy (v0.8+). */
function agentConf(ctx: AgentContext): { conf: Record<string, unknown>; proxyEra: boolean; file?: string; line?: number } {
  const c = ctx.configs.find((x) => x.key === 'antrea-agent.conf');
  const conf = c ? asObj(tryYaml(c.text)) : {};
  const v = imageVersion(ctx.container.image);
  // Untagged images (latest): a configuration that does not mention AntreaProxy, not even in a comment, predates it.
  const proxyEra = v ? !olderThan(ctx.container.image, [0, 8]) : !!c && /antreaProxy|AntreaProxy/.test(c.text);
  return { conf, proxyEra, file: c?.file, line: c?.line };
}

/** AntreaProxy: featureGates.AntreaProxy (v0.8–v1.x) or antreaProxy.enable (v1.14+); default on from v0.11. */
function antreaProxy(ctx: AgentContext, conf: Record<string, unknown>, proxyEra: boolean): boolean {
  const gate = asObj(conf.featureGates).AntreaProxy;
  const enable = asObj(conf.antreaProxy).enable;
  if (gate === false || enable === false) return false;
  if (gate === true || enable === true) return true;
  const v = imageVersion(ctx.container.image);
  return proxyEra && (!v || !olderThan(ctx.container.image, [0, 11]));
}

export const antrea: Agent = {
  id: 'antrea',
  name: 'Antrea',
  category: 'cni',
  summary:
    "antrea-agent on every node watches every Node (routes and tunnels to each other node's pod CIDR) and, with AntreaProxy (default on from v0.11), every Service and EndpointSlice like kube-proxy; its own pods only (one LIST at start, later an informer on spec.nodeName), and its policies from antrea-controller, not the API server. antrea-controller, one replica, watches pods, namespaces and NetworkPolicies cluster-wide and fans the computed groups out to the agents.",
  sources: [
    'antrea-io/antrea cmd/antrea-agent/agent.go@4a7b5fe: informers.NewSharedInformerFactory(k8sClient, 30s); pkg/agent/controller/noderoute/node_route_controller.go: the Nodes informer, no selector',
    'antrea-io/antrea pkg/agent/cniserver/server.go@4a7b5fe reconcile: Pods().List with FieldSelector "spec.nodeName="+node, once at start',
    'antrea-io/antrea pkg/agent/client.go@4a7b5fe inClusterConfig: ANTREA_SERVICE_HOST/ANTREA_SERVICE_PORT (the controller), and networkpolicy_controller.go nodeScopedListOptions: policies come from antrea-controller',
    'antrea-io/antrea pkg/monitor/monitor.go@4a7b5fe: AntreaAgentInfo get/create at start, update every 60 s (time.Sleep(60 * time.Second))',
    'antrea-io/antrea pkg/controller/networkpolicy/networkpolicy_controller.go@4a7b5fe: Pod, Namespace and NetworkPolicy informers (antrea-controller, replicas: 1)',
    'antrea-io/antrea cmd/antrea-agent/agent.go@fc70f2b: Nodes, Services, EndpointSlices, Namespaces informers (trimmed), proxyServer.Initialize(serviceInformer, endpointSliceInformer); a local pod informer with FieldSelector spec.nodeName; docs/feature-gates.md: AntreaProxy alpha v0.8, beta (default true) v0.11, GA v1.14',
  ],
  image: /(^|\/)antrea\/antrea-(ubuntu|agent-ubuntu|controller-ubuntu)(-arm64|-amd64)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const argv = [...ctx.container.command, ...ctx.container.args];
    const role = argv.find((a) => /(^|\/)antrea-(agent|controller)$/.test(a))?.replace(/^.*\//, '') ?? (/controller/.test(ctx.container.image) ? 'antrea-controller' : /agent/.test(ctx.container.image) ? 'antrea-agent' : undefined);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    if (role === 'antrea-controller') {
      for (const res of ['pods', 'namespaces', 'networkpolicies']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'antrea-controller', `every ${res === 'pods' ? 'pod' : res === 'namespaces' ? 'Namespace' : 'NetworkPolicy'} (computes each node's policy span, served to the agents)`));
      if (agentConf(ctx).proxyEra) r.unmodelled = ['the Antrea-native policy, group and node informers of later releases'];
      r.leaderElection = true; // one instance by design (replicas: 1, Recreate)
      return r;
    }
    if (role !== 'antrea-agent') {
      r.notes.push(`antrea image running ${argv[0] ?? 'its entrypoint'}: OVS or CNI set-up, no API calls`);
      return r;
    }
    const { conf, proxyEra, file, line } = agentConf(ctx);
    const cfgAt = file && line ? { file, line } : at;
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'cluster', rv: '0' }, at, 'antrea-agent', "every Node (NodeRouteController: routes and tunnels to each other node's pod CIDR)"));
    if (proxyEra) r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'node', rv: '0' }, at, 'antrea-agent', 'the pods of its node (local pod informer, spec.nodeName)'));
    else r.calls.push(call({ verb: 'list', resource: 'pods', scope: 'node' }, at, 'antrea-agent', 'the pods of its node, once at start (CNI server reconcile, spec.nodeName)'));
    if (antreaProxy(ctx, conf, proxyEra)) {
      r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0', inherent: true }, cfgAt, 'antrea-agent', 'every Service (AntreaProxy, as kube-proxy)'));
      r.calls.push(call({ verb: 'watch', resource: 'endpointslices', scope: 'cluster', rv: '0', inherent: true }, cfgAt, 'antrea-agent', 'every EndpointSlice (AntreaProxy, as kube-proxy)'));
    }
    r.calls.push(call({ verb: 'update', resource: 'antreaagentinfos', scope: 'node', interval: 60 }, at, 'antrea-agent', 'its AntreaAgentInfo every 60 s (monitor)'));
    if (proxyEra) r.unmodelled = ['the Namespace, Egress, BGP and Multicluster informers of later releases'];
    r.notes.push('network policies come from antrea-controller (node-scoped watches of its own API), not from the API server');
    return r;
  },
};
