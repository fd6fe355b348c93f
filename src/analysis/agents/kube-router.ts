// kube-router: routing, network policy and IPVS service proxy in one DaemonSet. Calls read from
// cloudnativelabs/kube-router pkg/cmd/kube-router.go@f3c41d6 (v2.1.1).
import type { Agent } from './types';
import { call, olderThan, result } from './util';

export const kubeRouter: Agent = {
  id: 'kube-router',
  name: 'kube-router',
  category: 'cni',
  summary: 'Every instance starts cluster-wide informers on pods, nodes, services, endpoints, EndpointSlices (v2.0+), namespaces and network policies, whichever of --run-router/--run-firewall/--run-service-proxy are on; only the --run-loadbalancer leader writes services/status.',
  sources: [
    'cloudnativelabs/kube-router pkg/cmd/kube-router.go@f3c41d6 l.99–107: informers.NewSharedInformerFactory(client, 0), no namespace or selector; .Informer() for services, endpoints, endpointslices, pods, nodes, namespaces, networkpolicies before informerFactory.Start',
    'cloudnativelabs/kube-router pkg/options/options.go@f3c41d6: --run-router, --run-firewall, --run-service-proxy default true; --run-loadbalancer default false',
    'cloudnativelabs/kube-router commit da73dea "use EndpointSlice instead of Endpoints" (v2.0.0)',
  ],
  image: /(^|\/)cloudnativelabs\/kube-router(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    // The install-cni init container runs the same image with a shell command: not the agent.
    if (ctx.container.command.length && !ctx.container.command.some((c) => /kube-router$/.test(c))) {
      r.notes.push('kube-router image running another command: no API calls');
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
    // EndpointSlices from v2.0.0 (da73dea); v1.x had the same factory without them.
    const kinds = ['pods', 'nodes', 'services', 'endpoints', 'endpointslices', 'namespaces', 'networkpolicies'].filter((k) => k !== 'endpointslices' || !olderThan(ctx.container.image, [2, 0]));
    for (const res of kinds) {
      // Its service proxy replaces kube-proxy: Services and their endpoints are what kube-proxy watches too.
      const inherent = res === 'services' || res === 'endpoints' || res === 'endpointslices';
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', inherent }, at, 'kube-router', `${res} cluster-wide (shared informer factory, no selector)`));
    }
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'kube-router', 'its own Node at start'));
    if (ctx.flags.get('run-loadbalancer') === 'true') r.leaderElection = true;
    return r;
  },
};
