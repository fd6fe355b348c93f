import type { Agent } from './types';
import { call, result, lineIn, lineIndexOf, tryYaml, asObj } from './util';
import { isObject } from '../read';
import type { Scope } from '../../cost/model';

/**
 * filebeat / metricbeat `add_kubernetes_metadata` [D9]: `scope` defaults to node (pods of
 * `host`'s node); node and namespace metadata and the deployment name (through ReplicaSets) are
 * added by default. The kubernetes autodiscover provider watches pods the same way.
 */
export const beats: Agent = {
  id: 'beats',
  name: 'Elastic beats',
  category: 'logs',
  summary: "`add_kubernetes_metadata` and the kubernetes autodiscover provider watch pods of `host`'s node (scope node by default), plus its node, namespaces and ReplicaSets for metadata.",
  sources: [
    "elastic/beats libbeat/processors/add_kubernetes_metadata/docs/add_kubernetes_metadata.asciidoc: `scope` \"Possible values are `node` and `cluster`. Scope is `node` by default\"; node and namespace metadata and the deployment name are added by default",
  ],
  image: /(^|\/)(filebeat|metricbeat|heartbeat|auditbeat)(:|@|$)/i,
  infer(ctx) {
    for (const c of ctx.configs) {
      if (!/add_kubernetes_metadata|type:\s*kubernetes/.test(c.text)) continue;
      const doc = tryYaml(c.text);
      if (!doc) continue;
      const r = result(ctx, c.line, c.file);
      const found: Record<string, unknown>[] = [];
      const walk = (v: unknown, depth: number) => {
        if (depth > 12) return;
        if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
        else if (isObject(v)) {
          if (isObject(v.add_kubernetes_metadata) || v.add_kubernetes_metadata === null) found.push(asObj(v.add_kubernetes_metadata));
          if (v.type === 'kubernetes' && (v.hints !== undefined || v['hints.enabled'] !== undefined || v.node !== undefined || v.scope !== undefined || v.templates !== undefined)) found.push(v);
          for (const x of Object.values(v)) walk(x, depth + 1);
        }
      };
      walk(doc, 0);
      if (!found.length) continue;
      const where = { file: c.file, line: lineIn(c, lineIndexOf(c.text, /add_kubernetes_metadata|type:\s*kubernetes/)) };
      for (const p of found.slice(0, 1)) {
        const scope: Scope = p.scope === 'cluster' ? 'cluster' : 'node';
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope, rv: '0' }, where, 'beats add_kubernetes_metadata', `pods, scope ${scope} (default node) [D9]`));
        const arm = asObj(p.add_resource_metadata);
        if (asObj(arm.node).enabled !== false) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0' }, where, 'beats add_kubernetes_metadata', 'its node, for node metadata (default on) [D9]'));
        if (asObj(arm.namespace).enabled !== false) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, where, 'beats add_kubernetes_metadata', 'namespaces, for namespace metadata (default on) [D9]'));
        if (arm.deployment !== false) r.calls.push(call({ verb: 'watch', resource: 'replicasets', scope: 'cluster', rv: '0' }, where, 'beats add_kubernetes_metadata', 'ReplicaSets of every namespace, for the deployment name (default on) [D9]'));
      }
      return r;
    }
    const r = result(ctx);
    r.notes.push('beats without add_kubernetes_metadata or kubernetes autodiscover: no API calls found');
    return ctx.configs.length ? r : { ...r, unknown: true };
  },
};
