import type { Agent } from './types';
import { isObject } from '../read';
import { call, result, lineIn, lineIndexOf, tryYaml, truthy, asObj, asArr, POD_CHURN_PER_SECOND } from './util';

interface FbSection {
  type: string;
  props: Record<string, string>;
  lineIndex: number;
}

/** fluent-bit's classic format: [SECTION] headers and `Key Value` lines. */
function fluentBitSections(text: string): FbSection[] {
  const out: FbSection[] = [];
  let cur: FbSection | undefined;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const t = lines[i].trim();
    if (!t || t.startsWith('#') || t.startsWith('@')) continue;
    const h = /^\[([A-Za-z_ ]+)\]$/.exec(t);
    if (h) {
      cur = { type: h[1].trim().toUpperCase(), props: {}, lineIndex: i };
      out.push(cur);
      continue;
    }
    const kv = /^(\S+)\s+(.*)$/.exec(t);
    if (cur && kv) cur.props[kv[1].toLowerCase()] = kv[2].trim();
  }
  return out;
}

/** fluent-bit's YAML format: pipeline.filters[] with name: kubernetes. */
function fluentBitYamlFilters(text: string): FbSection[] {
  if (!/pipeline\s*:/.test(text)) return [];
  const doc = tryYaml(text);
  const filters = asArr(asObj(doc?.pipeline).filters);
  return filters.filter(isObject).map((f) => {
    const props: Record<string, string> = {};
    for (const [k, v] of Object.entries(f)) props[k.toLowerCase()] = String(v);
    return { type: 'FILTER', props, lineIndex: lineIndexOf(text, /name\s*:\s*kubernetes/) };
  });
}

/**
 * fluent-bit `kubernetes` filter [D1]: without `Use_Kubelet` (default Off) each node's fluent-bit
 * asks `Kube_URL` (the API server) for a pod's metadata on a cache miss: one GET per pod on its
 * node when it starts, and again per new pod. `Kube_Meta_Cache_TTL` (default 0, never expires)
 * makes every entry expire and be fetched again. With `Use_Kubelet On` pod metadata comes from
 * the local kubelet's /pods (PR #3025, fluent-bit #1948); namespace labels/annotations, when
 * enabled, still come from the API server [D1]. Small Buffer_Size caused retries and >2,000
 * req/s (fluent-bit #11134, REFERENCE.md).
 */
export const fluentBit: Agent = {
  id: 'fluent-bit',
  name: 'fluent-bit',
  category: 'logs',
  summary: "Its `kubernetes` filter GETs each pod's metadata from the API server on a cache miss (one GET per pod on its node at start), unless `Use_Kubelet On` reads the local kubelet's /pods.",
  sources: [
    "fluent/fluent-bit-docs pipeline/filters/kubernetes.md: `Use_Kubelet` default Off, \"get metadata information from Kubelet instead of calling Kube Server API\"; `Kube_Meta_Cache_TTL` default 0; namespace labels/annotations still come from Kube_URL",
    "fluent/fluent-bit PR #3025 (Use_Kubelet), issue #1948 (API-server load on large clusters), issue #11134 (>2,000 req/s with a small Buffer_Size)",
  ],
  image: /(^|[/-])fluent-?bit(:|@|$|-)|aws-for-fluent-bit|fluent\/fluent-bit/i,
  infer(ctx) {
    for (const c of ctx.configs) {
      const sections = [...fluentBitSections(c.text), ...fluentBitYamlFilters(c.text)];
      const k8s = sections.filter((s) => s.type === 'FILTER' && (s.props.name ?? '').toLowerCase() === 'kubernetes');
      if (!k8s.length) continue;
      const f = k8s[0];
      const at = { file: c.file, line: lineIn(c, f.lineIndex) };
      const r = result(ctx, at.line, at.file);
      const nsMeta = truthy(f.props.namespace_labels) || truthy(f.props.namespace_annotations);
      if (truthy(f.props.use_kubelet)) {
        r.notes.push('fluent-bit kubernetes filter with Use_Kubelet On: pod metadata from the local kubelet, not the API server [D1]');
        if (nsMeta) r.calls.push(call({ verb: 'get', resource: 'namespaces', scope: 'cluster', atStart: 'podsOnNode', perPodOnNode: POD_CHURN_PER_SECOND }, at, 'fluent-bit', 'namespace labels/annotations from Kube_URL on a cache miss [D1]'));
        return r;
      }
      const ttl = f.props.kube_meta_cache_ttl ? (parseFloat(f.props.kube_meta_cache_ttl) || 0) * (/m$/i.test(f.props.kube_meta_cache_ttl) ? 60 : /h$/i.test(f.props.kube_meta_cache_ttl) ? 3600 : 1) : 0;
      const perPod = ttl > 0 ? 1 / ttl : POD_CHURN_PER_SECOND;
      r.calls.push(
        call(
          { verb: 'get', resource: 'pods', scope: 'namespace', atStart: 'podsOnNode', perPodOnNode: perPod },
          at,
          'fluent-bit',
          `kubernetes filter without Use_Kubelet: a GET to Kube_URL per pod on its node at start and on each cache miss${ttl > 0 ? `, again every ${ttl}s (Kube_Meta_Cache_TTL)` : ''} [D1]`,
        ),
      );
      if (nsMeta) r.calls.push(call({ verb: 'get', resource: 'namespaces', scope: 'cluster', atStart: 'podsOnNode', perPodOnNode: perPod }, at, 'fluent-bit', 'namespace labels/annotations from Kube_URL [D1]'));
      r.hints.push({
        rule: 'node-local-source',
        file: at.file,
        line: at.line,
        message: "fluent-bit's kubernetes filter asks the API server for pod metadata from every node",
        change: 'set `Use_Kubelet On` (with `Kubelet_Port 10250`, `hostNetwork: true` and RBAC on nodes/proxy) in the [FILTER] kubernetes section: metadata then comes from the local kubelet (fluent-bit PR #3025)',
      });
      return r;
    }
    const r = result(ctx);
    if (ctx.configs.length) r.notes.push('fluent-bit without a kubernetes filter: no API calls');
    else r.notes.push('fluent-bit: its configuration is not in these files; usage unknown');
    return ctx.configs.length ? r : { ...r, unknown: true };
  },
};
