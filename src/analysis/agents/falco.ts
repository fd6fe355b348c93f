// Falco: the runtime-security DaemonSet. Before 0.37.0 its libsinsp had a built-in Kubernetes
// client, switched on by -k/--k8s-api (or FALCO_K8S_API), one per node; 0.37.0 removed it for the
// k8smeta plugin, which reads from the k8s-metacollector Deployment over gRPC.
import type { Agent } from './types';
import { argLine, asArr, call, imageVersion, olderThan, result, tryYaml } from './util';

/** Plugins that do not call the API server: k8smeta talks gRPC to k8s-metacollector; the others read sockets, webhooks or cloud logs. */
const NO_API_PLUGINS = /^(k8smeta|container|k8saudit(-\w+)?|cloudtrail|json|gcpaudit|okta|github|dummy(_c)?|syslogsrv|kafka)$/;

export const falco: Agent = {
  id: 'falco',
  name: 'Falco',
  category: 'security',
  summary: "Before 0.37.0, -k/--k8s-api starts a client per node that watches pods, nodes, namespaces, services and replication controllers cluster-wide, reading each state from etcd first (--k8s-node, 0.30.0+, scopes pods only); 0.37.0+ has no such client (the k8smeta plugin reads from k8s-metacollector over gRPC).",
  sources: [
    'falcosecurity/falco userspace/falco/app/options.cpp@0.36.2: "-k, --k8s-api <URL> Enable Kubernetes metadata support by connecting to the given API server … can also be specified via the environment variable FALCO_K8S_API"; "--k8s-node … used as a filter when requesting metadata of pods to the API server … No filter is set if empty, which may have a performance penalty on large clusters"',
    'falcosecurity/falco userspace/falco/app/actions/init_clients.cpp@0.36.2: the client starts only when -k or FALCO_K8S_API is set (init_k8s_client)',
    'falcosecurity/libs userspace/libsinsp/k8s.cpp@a75b361 k8s::k8s(): components nodes, namespaces, pods, replicationcontrollers, services; k8s_pod_handler.cpp: state GET of /api/v1/pods?fieldSelector=status.phase!=Failed,… without resourceVersion, then the /watch path; libs e132c4e (2021-06) adds spec.nodeName=<node> to the pod selector only',
    'falcosecurity/falco CHANGELOG.md: 0.30.0 "add `--k8s-node` command-line options … [#1671]"; 0.37.0 "Remove `-K/-k` options from Falco in favor of the new `k8smeta` plugin"',
    'falcosecurity/plugins plugins/k8smeta/README.md@d339402: "there may be multiple `k8smeta` plugins (one per node), but there is only one collector" (gRPC, port 45000)',
    'falcosecurity/falco issue #2346: 350-node cluster, "Kubernetes API Server gets lots of `/api/v1/watch` requests from `falcosecurity-libs` UserAgent"',
  ],
  image: /(^|\/)(falcosecurity|sysdig)\/falco(-no-driver|-distroless)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const version = imageVersion(ctx.container.image);
    const api = ctx.flags.get('k') ?? ctx.flags.get('k8s-api') ?? ctx.env.FALCO_K8S_API;
    const plugins = loadedPlugins(ctx.configs);
    for (const p of plugins) {
      if (!NO_API_PLUGINS.test(p)) r.unmodelled = [...(r.unmodelled ?? []), `plugin ${p}`];
      else if (p === 'k8smeta') r.notes.push('Falco k8smeta plugin: metadata from k8s-metacollector over gRPC, no API-server calls from the node');
    }
    if (!api) {
      r.notes.push('Falco without -k/--k8s-api: no built-in Kubernetes client (pod names come from the container runtime)');
      return r;
    }
    if (version && !olderThan(ctx.container.image, [0, 37, 0])) {
      r.notes.push(`Falco ${version.join('.')}: -k/-K were removed in 0.37.0 (the k8smeta plugin and k8s-metacollector replace them); no built-in client`);
      return r;
    }
    const at = argLine(ctx, ctx.flags.has('k') ? '-k' : '--k8s-api');
    const node = ctx.flags.get('k8s-node');
    const nodeFilter = !!node && node !== 'true' && !olderThan(ctx.container.image, [0, 30, 0]);
    if (node && !nodeFilter) r.notes.push(`Falco ${version?.join('.') ?? ''}: --k8s-node arrived in 0.30.0`);
    const why = 'libsinsp client: a state read without resourceVersion (etcd), then a watch';
    r.calls.push(call({ verb: 'watch', resource: 'pods', scope: nodeFilter ? 'node' : 'cluster' }, nodeFilter ? argLine(ctx, '--k8s-node') : at, 'Falco', nodeFilter ? `pods of its node (--k8s-node); ${why}` : `pods of every node (no --k8s-node); ${why}`));
    for (const res of ['nodes', 'namespaces', 'services', 'replicationcontrollers']) {
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster' }, at, 'Falco', `${res} cluster-wide (${nodeFilter ? '--k8s-node filters pods only; ' : ''}${why})`));
    }
    r.notes.push('Falco -k: events are watched too when a rule uses k8s events, and daemonsets/deployments/replicasets only on API servers that still serve extensions/v1beta1');
    return r;
  },
};

/** load_plugins of a mounted falco.yaml. */
function loadedPlugins(configs: { key: string; text: string }[]): string[] {
  const cfg = configs.find((c) => c.key === 'falco.yaml');
  return cfg ? asArr(tryYaml(cfg.text)?.load_plugins).map(String) : [];
}
