import type { Agent } from './types';
import { call, result, lineIn, lineIndexOf, asObj, asArr, truthy } from './util';
import { isObject } from '../read';
import type { Scope } from '../../cost/model';
import { dotted, discoverNodeCall, leaseCalls, moduleCalls, providerEventerCalls, enricherWatchers, yamlAny } from './elastic-kubernetes';

const BEATS = ['filebeat', 'metricbeat', 'heartbeat', 'auditbeat', 'packetbeat'];
const PROVIDER_RESOURCE: Record<string, string> = { pod: 'pods', node: 'nodes', service: 'services' };

/**
 * filebeat / metricbeat on Kubernetes.
 * - `add_kubernetes_metadata` [D9]: `scope` defaults to node (pods of `host`'s node); node and
 *   namespace metadata and the deployment name (through ReplicaSets) are added by default.
 * - The kubernetes autodiscover provider without `unique`: an eventer on pods (or nodes/services)
 *   of its node with scope node, plus node and namespace watchers.
 * - With `unique: true` the provider only runs leader election (libbeat/autodiscover/providers/
 *   kubernetes/kubernetes.go: `if p.config.Unique { NewLeaderElectionManager } else
 *   { NewEventerManager }`): every pod GETs the Lease each `leader_retryperiod` (2s) and only the
 *   leader runs the templates, whose cluster-wide enrichers then come from one pod.
 * - `module: kubernetes`: node/system/pod/container/volume read the kubelet, state_* read
 *   kube-state-metrics; their add_metadata enrichers watch the API server (see
 *   elastic-kubernetes.ts). Other modules read their service, not the API server.
 */
export const beats: Agent = {
  id: 'beats',
  name: 'Elastic beats',
  category: 'logs',
  summary:
    "`add_kubernetes_metadata` and the kubernetes autodiscover provider watch pods of `host`'s node (scope node by default), its node and namespaces; a provider with `unique: true` only polls a Lease (every 2 s) and its templates run in the one leader; the kubernetes module's kubelet/kube-state-metrics metricsets reach the API server only through their add_metadata watchers (from 8.1 to 8.13 one resource/node/namespace set per metricset, shared since).",
  sources: [
    "elastic/beats libbeat/processors/add_kubernetes_metadata/docs/add_kubernetes_metadata.asciidoc: `scope` \"Possible values are `node` and `cluster`. Scope is `node` by default\"; node and namespace metadata and the deployment name are added by default",
    'elastic/beats libbeat/autodiscover/providers/kubernetes/kubernetes.go@00b1bfe AutodiscoverBuilder: `if p.config.Unique` a leader-election manager (client-go LeaseLock `<beat>-cluster-leader`), else an eventer manager',
    'elastic/beats docs configuration-autodiscover: `unique` "enable the provided templates only when it will gain the leader lease"; "When `unique` is enabled, `resource` and `add_resource_metadata` settings are not taken into account"; leader_leaseduration 15s, leader_renewdeadline 10s, leader_retryperiod "Defaults to `2s`"',
    'elastic/beats metricbeat/module/kubernetes/util/kubernetes.go (before PR #37332) getResourceMetadataWatchers: per metricset a resource watcher and a node watcher with options.Node, and a namespace watcher without it; validatedConfig AddMetadata: true; issue #37243 tables the watchers per metricset (node, pod, container: all three; event: its resource; proxy, scheduler, controllermanager, apiserver, state_resourcequota: none)',
    'elastic/beats PR #37332 "Share watchers between metricsets" (2024), enrichers.md: enrichment for the state_* metricsets, pod, container and node',
    'elastic/elastic-agent-autodiscover kubernetes/informer.go@74ef16a: pods `spec.nodeName=` + opt.Node, nodes `metadata.name=`',
  ],
  image: /(^|\/)(filebeat|metricbeat|heartbeat|auditbeat)(-oss)?(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const beat = /(filebeat|metricbeat|heartbeat|auditbeat)/i.exec(ctx.container.image)?.[1].toLowerCase() ?? 'beat';
    const name = beat;
    const watchers = enricherWatchers(ctx.container.image);
    const unmodelled: string[] = [];
    let found = false;
    let anchored = false;
    const anchor = (at: { file: string; line: number }) => {
      if (anchored) return;
      anchored = true;
      r.file = at.file;
      r.line = at.line;
    };
    for (const c of ctx.configs) {
      const doc = yamlAny(c.text);
      const at = (re: RegExp) => ({ file: c.file, line: lineIn(c, lineIndexOf(c.text, re)) });
      // modules.d/*.yml: a list of module configurations.
      if (Array.isArray(doc)) {
        for (const m of doc.filter(isObject)) {
          if (m.module === undefined || m.enabled === false) continue;
          found = true;
          const where = at(new RegExp(`module:\\s*${String(m.module)}`));
          if (m.module === 'kubernetes') anchor(where);
          r.calls.push(...moduleCalls(m, { leaderOnly: false, watchers }, where, name, unmodelled, r.notes));
        }
        continue;
      }
      if (!isObject(doc)) continue;
      // add_kubernetes_metadata processors, anywhere in the file.
      const procs: Record<string, unknown>[] = [];
      const walk = (v: unknown, depth: number) => {
        if (depth > 12) return;
        if (Array.isArray(v)) v.forEach((x) => walk(x, depth + 1));
        else if (isObject(v)) {
          if (isObject(v.add_kubernetes_metadata) || v.add_kubernetes_metadata === null) procs.push(asObj(v.add_kubernetes_metadata));
          for (const x of Object.values(v)) walk(x, depth + 1);
        }
      };
      walk(doc, 0);
      for (const p of procs.slice(0, 1)) {
        found = true;
        const where = at(/add_kubernetes_metadata/);
        anchor(where);
        const scope: Scope = p.scope === 'cluster' ? 'cluster' : 'node';
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope, rv: '0' }, where, 'beats add_kubernetes_metadata', `pods, scope ${scope} (default node) [D9]`));
        const arm = asObj(p.add_resource_metadata);
        if (asObj(arm.node).enabled !== false) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0' }, where, 'beats add_kubernetes_metadata', 'its node, for node metadata (default on) [D9]'));
        if (asObj(arm.namespace).enabled !== false) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, where, 'beats add_kubernetes_metadata', 'namespaces, for namespace metadata (default on) [D9]'));
        if (arm.deployment !== false) r.calls.push(call({ verb: 'watch', resource: 'replicasets', scope: 'cluster', rv: '0' }, where, 'beats add_kubernetes_metadata', 'ReplicaSets of every namespace, for the deployment name (default on) [D9]'));
      }
      // Autodiscover providers.
      const providers = BEATS.map((b) => dotted(doc, `${b}.autodiscover.providers`)).find(Array.isArray) ?? [];
      for (const pRaw of providers) {
        const p = asObj(pRaw);
        const type = String(p.type ?? '');
        found = true;
        const where = at(new RegExp(`type:\\s*${type}`));
        if (type === 'docker') {
          r.notes.push(`${name}: docker autodiscover reads the local Docker daemon, not the API server`);
          continue;
        }
        if (type !== 'kubernetes') {
          unmodelled.push(`autodiscover provider ${type || '(no type)'}`);
          continue;
        }
        anchor(where);
        const templates = asArr(p.templates).flatMap((t) => asArr(asObj(t).config)).filter(isObject);
        if (truthy(p.unique)) {
          r.leaderElection = true;
          r.calls.push(...leaseCalls(p.leader_retryperiod, where, name, String(p.leader_lease ?? `${beat}-cluster-leader`)));
          r.notes.push(`${name}: autodiscover provider with unique: true runs no pod eventer; its templates run only in the Lease holder`);
          for (const m of templates) r.calls.push(...moduleCalls(m, { leaderOnly: true, watchers }, where, name, unmodelled, r.notes));
          continue;
        }
        const resource = PROVIDER_RESOURCE[String(p.resource ?? 'pod')] ?? 'pods';
        r.calls.push(...providerEventerCalls(p, where, name, [resource]));
        r.calls.push(...discoverNodeCall(p.node ?? p.host, where, name));
        for (const m of templates) r.calls.push(...moduleCalls(m, { leaderOnly: false, watchers }, where, name, unmodelled, r.notes));
        if (truthy(p['hints.enabled']) || truthy(asObj(p.hints).enabled)) r.notes.push(`${name}: hints-based autodiscover starts the modules named in pod annotations (not in these files)`);
      }
      // metricbeat.modules in the main file.
      for (const m of asArr(dotted(doc, `${beat}.modules`)).filter(isObject)) {
        if (m.module === undefined || m.enabled === false) continue;
        found = true;
        const where = at(new RegExp(`module:\\s*${String(m.module)}`));
        r.calls.push(...moduleCalls(m, { leaderOnly: false, watchers }, where, name, unmodelled, r.notes));
      }
    }
    if (unmodelled.length) r.unmodelled = [...new Set(unmodelled)];
    if (found) return r;
    r.notes.push('beats without add_kubernetes_metadata, kubernetes autodiscover or modules: no API calls found');
    return ctx.configs.length ? r : { ...r, unknown: true };
  },
};
