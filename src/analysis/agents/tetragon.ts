// Tetragon agent (cilium/tetragon DaemonSet). Settings are files of a --config-dir (the ConfigMap
// tetragon-config, one key per option) or flags. Its pod informer has been node-scoped since the
// start; v0.11.0–v1.0.x also watched every Service from every node.
import type { Agent, AgentContext } from './types';
import { call, imageVersion, olderThan, result } from './util';

/** An option of a cilium-style agent: the flag, else the key of its config-dir ConfigMap. */
export function configDirOption(ctx: AgentContext, key: string): { value?: string; file: string; line: number } {
  const flag = ctx.flags.get(key);
  if (flag !== undefined) return { value: flag, file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
  const c = ctx.configs.find((x) => x.key === key);
  return c ? { value: c.text.trim(), file: c.file, line: c.line } : { file: ctx.workload.file, line: ctx.container.line };
}

export const tetragon: Agent = {
  id: 'tetragon',
  name: 'Tetragon',
  category: 'security',
  summary: 'With enable-k8s-api (chart default true, binary default false) each agent watches the pods of its own node (spec.nodeName) and the TracingPolicy CRDs; v0.11.0–v1.0.x also watched every Service cluster-wide from every node (removed in v1.1.0).',
  sources: [
    'cilium/tetragon pkg/option/flags.go@v1.0.0: enable-k8s-api default false, "Access Kubernetes API to associate Tetragon events with Kubernetes pods"; install/kubernetes/values.yaml@v1.0.0 tetragon.enableK8sAPI: true, rendered as the enable-k8s-api key of the tetragon-config ConfigMap (--config-dir)',
    'cilium/tetragon pkg/watcher/watcher.go@v1.0.0 NewK8sWatcherWithTetragonClient: pod informer with FieldSelector "spec.nodeName=" + NODE_NAME; a second factory with no filter for Services ("can\'t share the same informer factory as pods because the pod informer filters by spec.nodeName field")',
    'cilium/tetragon commits e2d8359 "Watch k8s services" (first tag v0.11.0) and efbbaa5 "watcher: Don\'t create service and podInfo informers … They are unused" (first tag v1.1.0)',
    'cilium/tetragon pkg/manager/manager.go@4fbfe2d: controller-runtime cache ByObject Pod → spec.nodeName=<node>, Node → metadata.name=<node>',
  ],
  image: /(^|\/)cilium\/tetragon(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const k8s = configDirOption(ctx, 'enable-k8s-api');
    if (k8s.value === undefined && !ctx.flags.has('config-dir')) r.notes.push('Tetragon: enable-k8s-api not set (binary default false): no API calls');
    if (k8s.value === undefined && ctx.flags.has('config-dir') && !ctx.configs.length) return { ...r, unknown: true, notes: ['Tetragon: its --config-dir ConfigMap is not in these files; usage unknown'] };
    if (k8s.value !== 'true') return r;
    const at = { file: k8s.file, line: k8s.line };
    const version = imageVersion(ctx.container.image);
    r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'node', rv: '0' }, at, 'Tetragon', 'pods of its own node (field selector spec.nodeName)'));
    if (!olderThan(ctx.container.image, [1, 1, 0])) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0' }, at, 'Tetragon', 'its own Node (metadata.name, v1.1.0+)'));
    // The TracingPolicy CRDs hold a handful of objects; the cost model would price an unknown
    // resource at five objects per namespace, so they are named here rather than counted.
    r.notes.push('Tetragon: also watches TracingPolicy and TracingPolicyNamespaced (a handful of objects; not counted)');
    if (version && !olderThan(ctx.container.image, [0, 11, 0]) && olderThan(ctx.container.image, [1, 1, 0])) {
      r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0' }, { file: ctx.workload.file, line: ctx.container.line }, 'Tetragon', `every Service of the cluster (v${version.join('.')}: unfiltered services informer, v0.11.0–v1.0.x; gone in v1.1.0)`));
    }
    if (!ctx.container.env.some((e) => e.name === 'NODE_NAME')) r.notes.push('Tetragon: NODE_NAME is not set, so its pod filter names no node');
    return r;
  },
};
