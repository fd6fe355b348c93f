import type { Agent } from './types';
import { call, result, lineIn, lineIndexOf, tryYaml, truthy, asObj, asArr, envValue } from './util';
import type { Scope } from '../../cost/model';
import type { UsageCall } from '../calls';

/**
 * `kubernetes_sd_configs` [D4]: without `namespaces` all namespaces are used; `selectors` limit
 * discovery (a field selector spec.nodeName=… makes it node-scoped). role pod watches pods;
 * endpoints/endpointslice also watch services and pods; attach_metadata.node watches nodes.
 * Identical SD configs share one discovery (Prometheus' discovery manager starts one provider
 * per distinct config: assumption for promtail, which reuses that code). Informers: initial
 * LIST with resourceVersion=0 (client-go reflector), protobuf (assumption).
 */
const SD_SOURCE = 'prometheus/prometheus docs/configuration/configuration.md, kubernetes_sd_config: "Optional namespace discovery. If omitted, all namespaces are used"; `selectors` are "Optional label and field selectors to limit the discovery process to a subset of available resources"';

export function sdCalls(scrapeConfigs: unknown, at: { file: string; line: number }, agent: string, env: Record<string, string>): UsageCall[] {
  const seen = new Set<string>();
  const out: UsageCall[] = [];
  for (const sc of asArr(scrapeConfigs)) {
    for (const sd of asArr(asObj(sc).kubernetes_sd_configs)) {
      const key = JSON.stringify(sd);
      if (seen.has(key)) continue;
      seen.add(key);
      const o = asObj(sd);
      const role = String(o.role ?? 'pod');
      const ns = asObj(o.namespaces);
      const names = asArr(ns.names);
      const nsScoped = names.length > 0 || ns.own_namespace === true;
      const nodeSel = asArr(o.selectors).some((s) => /spec\.nodeName\s*=/.test(envValue(String(asObj(s).field ?? ''), env)));
      const scopeFor = (resource: string): Scope => (resource === 'nodes' ? 'cluster' : resource === 'pods' && nodeSel ? 'node' : nsScoped ? 'namespace' : 'cluster');
      const resources = role === 'pod' ? ['pods'] : role === 'endpoints' ? ['endpoints', 'services', 'pods'] : role === 'endpointslice' ? ['endpointslices', 'services', 'pods'] : role === 'service' ? ['services'] : role === 'node' ? ['nodes'] : role === 'ingress' ? ['ingresses'] : [];
      if (truthy(asObj(o.attach_metadata).node)) resources.push('nodes');
      const copies = Math.max(1, names.length);
      for (const r of resources) {
        for (let i = 0; i < (scopeFor(r) === 'namespace' ? copies : 1); i++) {
          out.push(call({ verb: 'watch', resource: r, scope: scopeFor(r), rv: '0', encoding: 'protobuf' }, at, agent, `kubernetes_sd_configs role ${role}${nodeSel ? ' with a spec.nodeName field selector' : nsScoped ? ` in ${copies} namespace(s)` : ' with no namespaces or selectors: all namespaces'} [D4]`));
        }
      }
    }
  }
  return out;
}

/** Agents that discover targets with Prometheus's `kubernetes_sd_configs` (promtail, Prometheus). */
export function sdAgent(id: string, name: string, image: RegExp, summary: string, sources: string[]): Agent {
  return {
    id,
    name,
    category: 'logs',
    image,
    summary,
    sources: [SD_SOURCE, ...sources],
    infer(ctx) {
      for (const c of ctx.configs) {
        if (!/kubernetes_sd_configs/.test(c.text)) continue;
        const doc = tryYaml(c.text);
        if (!doc) continue;
        const at = { file: c.file, line: lineIn(c, lineIndexOf(c.text, /kubernetes_sd_configs/)) };
        const r = result(ctx, at.line, at.file);
        r.calls.push(...sdCalls(doc.scrape_configs, at, name, ctx.env));
        return r;
      }
      return { ...result(ctx), unknown: ctx.configs.length === 0 };
    },
  };
}

