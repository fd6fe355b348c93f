import type { Agent, ConfigText } from './types';
import { call, result, lineIn, truthy, POD_CHURN_PER_SECOND } from './util';

const DAEMONSET_IMAGE = /(^|\/)fluent\/fluentd-kubernetes-daemonset(:|@|$)/i;

interface Filter {
  params: Record<string, string>;
  lineIndex: number;
}

/** `"#{ENV['X'] || 'd'}"` as fluentd's embedded Ruby would evaluate it, with the container env. */
function rubyEnv(v: string, env: Record<string, string>): string {
  const s = v.trim().replace(/^"(.*)"$/, '$1');
  return s.replace(/#\{ENV\[['"]([A-Za-z_][A-Za-z0-9_]*)['"]\](?:\s*\|\|\s*['"]([^'"]*)['"])?\}/g, (_m, n: string, d?: string) => env[n] ?? d ?? '');
}

/** The first `<filter …> @type kubernetes_metadata … </filter>` of a fluentd config. */
function kubernetesMetadataFilter(text: string, env: Record<string, string>): Filter | undefined {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*<filter\b/.test(lines[i])) continue;
    const params: Record<string, string> = {};
    let j = i + 1;
    let depth = 0;
    for (; j < lines.length; j++) {
      const t = lines[j].trim();
      if (/^<\/filter>/.test(t) && depth === 0) break;
      if (/^<\//.test(t)) depth--;
      else if (/^</.test(t)) depth++;
      else if (depth === 0) {
        const kv = /^@?(\w+)\s+(.*)$/.exec(t);
        if (kv && !t.startsWith('#')) params[kv[1]] = rubyEnv(kv[2], env);
      }
    }
    if (params.type === 'kubernetes_metadata') return { params, lineIndex: i };
    i = j;
  }
  return undefined;
}

/**
 * fluentd with fluent-plugin-kubernetes_metadata_filter (fabric8io, read at v3.7.1 @c5047ca).
 * With `watch` (default true) it lists pods with resourceVersion 0 and watches them, limited to
 * `spec.nodeName=$K8S_NODE_NAME` when that env var is set (since v2.4.0, a87ffaf; before it pods
 * were listed cluster-wide without resourceVersion), and lists/watches every namespace unless
 * `skip_namespace_metadata`. With `watch false` it GETs each pod (and its namespace) on a cache
 * miss (`cache_ttl` 3600 s). The fluent/fluentd-kubernetes-daemonset image enables the filter
 * for kubernetes.** from env (FLUENT_KUBERNETES_WATCH, …); its manifests set K8S_NODE_NAME since
 * ce5b9135 (2022-08), older copies do not.
 */
export const fluentd: Agent = {
  id: 'fluentd',
  name: 'fluentd (kubernetes_metadata filter)',
  category: 'logs',
  summary:
    'The kubernetes_metadata filter watches pods — of its own node only when the container has K8S_NODE_NAME (plugin v2.4.0+), else of every node — and every namespace; with `watch false` it GETs each pod on a cache miss. fluentd-kubernetes-daemonset manifests set K8S_NODE_NAME since 2022-08 (ce5b9135).',
  sources: [
    "fabric8io/fluent-plugin-kubernetes_metadata_filter lib/fluent/plugin/kubernetes_metadata_watch_pods.rb@c5047ca get_pods_and_start_watcher: `options[:field_selector] = \"spec.nodeName=#{ENV['K8S_NODE_NAME']}\" if ENV['K8S_NODE_NAME']`, resource_version '0' \"Fetch from API server cache instead of etcd quorum read\"",
    'fabric8io/fluent-plugin-kubernetes_metadata_filter kubernetes_metadata_watch_namespaces.rb@c5047ca: get_namespaces(resource_version: "0") then watch_namespaces, no selector; filter_kubernetes_metadata.rb: `config_param :watch, :bool, default: true`, cache_ttl 3600',
    'fabric8io/fluent-plugin-kubernetes_metadata_filter a87ffaf (v2.4.0, #189): "Restrict get_pods and watch_pods requests to the current host, if provided with the K8S_NODE_NAME environment variable"',
    'fluent/fluentd-kubernetes-daemonset templates/conf/kubernetes.conf.erb@849b9e1: `watch "#{ENV[\'FLUENT_KUBERNETES_WATCH\'] || \'true\'}"`; commit ce5b9135 "Feed fluent-kubernetes-metadata-plugin with the node name"',
  ],
  image: /(^|[/-])fluentd([\w.-]*)(:|@|$)/i,
  infer(ctx) {
    let filter: Filter | undefined;
    let cfg: ConfigText | undefined;
    for (const c of ctx.configs) {
      if (!/kubernetes_metadata/.test(c.text)) continue;
      filter = kubernetesMetadataFilter(c.text, ctx.env);
      if (filter) {
        cfg = c;
        break;
      }
    }
    const r = result(ctx);
    const daemonsetImage = DAEMONSET_IMAGE.test(ctx.container.image);
    if (!filter) {
      // The daemonset image's own kubernetes.conf, unless a mounted config replaces it.
      const replaced = ctx.configs.some((c) => c.key === 'kubernetes.conf' || (c.key === 'fluent.conf' && !/@include\s+(kubernetes\.conf|\*\.conf|conf\.d)/.test(c.text)));
      if (!daemonsetImage || replaced) {
        r.notes.push(ctx.configs.length ? 'fluentd without the kubernetes_metadata filter: no API calls' : 'fluentd: its configuration is not in these files; usage unknown');
        return ctx.configs.length ? r : { ...r, unknown: true };
      }
      filter = {
        params: {
          type: 'kubernetes_metadata',
          watch: ctx.env.FLUENT_KUBERNETES_WATCH ?? 'true',
          skip_namespace_metadata: ctx.env.FLUENT_KUBERNETES_METADATA_SKIP_NAMESPACE_METADATA ?? 'false',
        },
        lineIndex: 0,
      };
      r.notes.push('fluentd-kubernetes-daemonset: the image enables the kubernetes_metadata filter for kubernetes.** (templates/conf/kubernetes.conf.erb), set from FLUENT_KUBERNETES_* env');
    }
    const at = cfg ? { file: cfg.file, line: lineIn(cfg, filter.lineIndex) } : { file: ctx.workload.file, line: ctx.container.line };
    r.file = at.file;
    r.line = at.line;
    const p = filter.params;
    const nodeName = ctx.env.K8S_NODE_NAME;
    const skipNs = truthy(p.skip_namespace_metadata);
    const agent = 'fluentd kubernetes_metadata';
    if (p.watch === undefined || truthy(p.watch)) {
      if (nodeName) r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'node', rv: '0' }, at, agent, `pods of its node (K8S_NODE_NAME=${nodeName}: field selector spec.nodeName), LIST with resourceVersion 0`));
      else {
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'cluster', rv: '0' }, at, agent, 'pods of every node: the container has no K8S_NODE_NAME, so the plugin lists and watches all pods'));
        r.notes.push(`${agent}: set K8S_NODE_NAME from spec.nodeName (downward API) on the fluentd container to limit its pod watch to its node (plugin v2.4.0+)`);
      }
      if (!skipNs) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, at, agent, 'namespaces (no selector), for namespace metadata'));
      return r;
    }
    const ttl = Number(p.cache_ttl ?? 3600);
    const perPod = ttl > 0 ? 1 / ttl + POD_CHURN_PER_SECOND : POD_CHURN_PER_SECOND;
    r.calls.push(call({ verb: 'get', resource: 'pods', scope: 'namespace', rv: '0', atStart: 'podsOnNode', perPodOnNode: perPod }, at, agent, `watch false: a GET per pod of its node on a cache miss (cache_ttl ${ttl}s)`));
    if (!skipNs) r.calls.push(call({ verb: 'get', resource: 'namespaces', scope: 'cluster', rv: '0', atStart: 'podsOnNode', perPodOnNode: perPod }, at, agent, 'watch false: a GET of the pod\'s namespace on a cache miss'));
    return r;
  },
};
