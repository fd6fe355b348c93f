import type { Agent } from './types';
import { call, result, lineIn, lineIndexOf, tryYaml, truthy, asObj, envValue } from './util';

/** Vector's TOML: `[a.b]` tables and `key = value` lines (strings, booleans, numbers), enough to find its sources. */
function tomlTables(text: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let cur = root;
  for (const raw of text.split('\n')) {
    const t = raw.replace(/\s+#.*$/, '').trim();
    if (!t || t.startsWith('#')) continue;
    const h = /^\[([^\]]+)\]$/.exec(t);
    if (h) {
      cur = root;
      for (const k of h[1].split('.').map((x) => x.trim().replace(/^"(.*)"$/, '$1'))) {
        if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
        cur = cur[k] as Record<string, unknown>;
      }
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)\s*=\s*(.*)$/.exec(t);
    if (!kv) continue;
    const v = kv[2].trim();
    const str = /^"(.*)"$|^'(.*)'$/.exec(v);
    cur[kv[1]] = str ? (str[1] ?? str[2]) : v === 'true' ? true : v === 'false' ? false : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return root;
}

const SELF_NODE_NAME = 'VECTOR_SELF_NODE_NAME';

/**
 * Vector's `kubernetes_logs` source (vectordotdev/vector src/sources/kubernetes_logs/mod.rs
 * @68fa03d): three kube-rs watchers — pods with `spec.nodeName=<self_node_name>` (plus
 * `extra_field_selector`), every namespace (label selector only) and its own Node
 * (`metadata.name=`). `use_apiserver_cache` (default false) picks ListSemantic::Any
 * (resourceVersion 0) over MostRecent (a consistent read from etcd). `self_node_name` defaults
 * to $VECTOR_SELF_NODE_NAME; the source fails to start without it.
 */
export const vector: Agent = {
  id: 'vector',
  name: 'Vector',
  category: 'logs',
  summary:
    "The kubernetes_logs source watches the pods of its own node (self_node_name / VECTOR_SELF_NODE_NAME), every namespace and its Node; without `use_apiserver_cache: true` (default false) each LIST is a consistent read from etcd, which reads every pod even for one node's selector.",
  sources: [
    'vectordotdev/vector src/sources/kubernetes_logs/mod.rs@68fa03d Source::run: pod watcher with field_selector prepare_field_selector ("spec.nodeName={self_node_name}"), namespace watcher with a label selector only, node watcher "metadata.name={self_node_name}"; `list_semantic = if use_apiserver_cache { ListSemantic::Any } else { ListSemantic::MostRecent }`',
    'vectordotdev/vector src/sources/kubernetes_logs/mod.rs@68fa03d Source::new: "self_node_name config value or VECTOR_SELF_NODE_NAME env var is not set"; `use_apiserver_cache`: "Determines if requests to the kube-apiserver can be served by a cache" (default false)',
    'vectordotdev/vector changelog.d (kube-rs #1743 fix): with paging, `resourceVersion=0` was dropped, "the apiserver will list pods from ETCD instead of in memory cache"',
  ],
  image: /^((docker\.io\/)?timberio\/vector|(docker\.io\/)?vectordotdev\/vector|ghcr\.io\/vectordotdev\/vector)(:|@)/i,
  infer(ctx) {
    for (const c of ctx.configs) {
      if (!/kubernetes_logs/.test(c.text)) continue;
      const doc = /^\s*\[/m.test(c.text) && !/^\s*sources\s*:/m.test(c.text) ? tomlTables(c.text) : tryYaml(c.text);
      if (!doc) continue;
      const r = result(ctx, lineIn(c, lineIndexOf(c.text, /kubernetes_logs/)), c.file);
      for (const [id, srcRaw] of Object.entries(asObj(doc.sources))) {
        const src = asObj(srcRaw);
        if (src.type !== 'kubernetes_logs') continue;
        const at = { file: c.file, line: lineIn(c, lineIndexOf(c.text, new RegExp(`(^|\\[sources\\.)\\s*${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'm'))) };
        const configured = typeof src.self_node_name === 'string' ? src.self_node_name : `\${${SELF_NODE_NAME}}`;
        const node = envValue(configured, ctx.env);
        const agent = `Vector kubernetes_logs "${id}"`;
        if (node === '' || /\$\{/.test(node)) {
          r.notes.push(`${agent}: self_node_name resolves to nothing (${configured}): the source does not start ("self_node_name config value or ${SELF_NODE_NAME} env var is not set"); set ${SELF_NODE_NAME} from spec.nodeName`);
          continue;
        }
        const cache = truthy(src.use_apiserver_cache);
        const rv = cache ? '0' : undefined;
        const how = cache ? 'use_apiserver_cache: resourceVersion 0' : 'use_apiserver_cache false (default): each LIST is a consistent read from etcd';
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope: 'node', rv }, at, agent, `pods of its node (spec.nodeName=${node}); ${how}`));
        r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv }, at, agent, 'every namespace (label selector only), for namespace metadata'));
        r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv }, at, agent, `its Node (metadata.name=${node})`));
      }
      return r;
    }
    const r = result(ctx);
    if (ctx.configs.length) r.notes.push('Vector without a kubernetes_logs source: no API calls');
    else r.notes.push('Vector: its configuration is not in these files; usage unknown');
    return ctx.configs.length ? r : { ...r, unknown: true };
  },
};
