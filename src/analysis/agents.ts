// Known agents: what a container does to the API server, read from its image, flags and the
// configuration it mounts. Each assumption names its source; [D1]…[D11] are the citations of
// the manifest corpus README (shared/corpus/manifests/README.md), REFERENCE.md is the project's
// reference sheet. Where no public statement was found the comment says "assumption".
import { parse as parseYaml } from 'yaml';
import type { Encoding, UsageCall } from './usage';
import type { Scope, Verb } from '../cost/model';
import { isObject } from './read';
import type { Container, Workload } from './objects';

/** A mounted configuration file: its text and where it starts. */
export interface ConfigText {
  configMap: string;
  key: string;
  text: string;
  file: string;
  /** 1-based line of the first line of the value (block scalars start one line below the key). */
  line: number;
}

export interface AgentContext {
  workload: Workload;
  container: Container;
  configs: ConfigText[];
  /** Container env, with configMapKeyRef values resolved where the ConfigMap is in the files. */
  env: Record<string, string>;
  /** Flags of command + args, `--name=value` and `--name value` forms. */
  flags: Map<string, string>;
}

/** A hint for the agent-specific rules. */
export interface AgentHint {
  rule: 'node-local-source' | 'fanout-proxy' | 'fanout-undersized';
  line: number;
  file: string;
  message: string;
  /** What to change (shown in the finding). */
  change: string;
}

export interface AgentResult {
  calls: UsageCall[];
  notes: string[];
  hints: AgentHint[];
  /** Its API usage is what the cluster's data plane needs (kube-proxy): reported, not blamed. */
  inherent?: boolean;
  leaderElection?: boolean;
  /** The agent was recognised but its configuration is not in the files: usage unknown. */
  unknown?: boolean;
  /** Where its usage was read from. */
  line: number;
  file: string;
}

export interface Agent {
  id: string;
  name: string;
  /** Does this image belong to the agent? */
  image: RegExp;
  infer(ctx: AgentContext): AgentResult;
}

/** Pods that start or change per pod per second: 0.5 % of pods per hour (the simulator's churn assumption). */
export const POD_CHURN_PER_SECOND = 0.005 / 3600;

type CallSpec = { verb: Verb; resource: string; scope: Scope; interval?: number; rv?: string; encoding?: Encoding; atStart?: number | 'podsOnNode'; perPodOnNode?: number };

function call(spec: CallSpec, ctx: { file: string; line: number }, agent: string, detail: string): UsageCall {
  const watchLike = spec.verb === 'watch' || spec.verb === 'list';
  return {
    verb: spec.verb,
    resource: spec.resource,
    scope: spec.scope,
    intervalSeconds: spec.interval ?? 0,
    resourceVersion: spec.rv,
    encoding: spec.encoding ?? 'json',
    atStart: spec.atStart ?? (watchLike ? 1 : 0),
    perPodOnNodePerSecond: spec.perPodOnNode,
    evidence: { source: 'agent', file: ctx.file, line: ctx.line, detail: `${agent}: ${detail}` },
  };
}

const result = (ctx: AgentContext, line?: number, file?: string): AgentResult => ({ calls: [], notes: [], hints: [], line: line ?? ctx.container.line, file: file ?? ctx.workload.file });

/** Line of the n-th line (0-based) inside a config text. */
const lineIn = (c: ConfigText, idx: number) => c.line + idx;

function lineIndexOf(text: string, re: RegExp): number {
  const m = re.exec(text);
  if (!m) return 0;
  let n = 0;
  for (let i = 0; i < m.index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Parsed configuration texts, by text: re-analysis on each keystroke must not parse them again. */
const yamlMemo = new Map<string, Record<string, unknown> | undefined>();

function tryYaml(text: string): Record<string, unknown> | undefined {
  if (yamlMemo.has(text)) return yamlMemo.get(text);
  let out: Record<string, unknown> | undefined;
  try {
    const v = parseYaml(text, { prettyErrors: false, uniqueKeys: false, maxAliasCount: 50, logLevel: 'silent' });
    out = isObject(v) ? v : undefined;
  } catch {
    out = undefined;
  }
  if (yamlMemo.size >= 500) yamlMemo.delete(yamlMemo.keys().next().value as string);
  yamlMemo.set(text, out);
  return out;
}

const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(on|true|yes|1)$/i.test(v.trim()));
const asObj = (v: unknown): Record<string, unknown> => (isObject(v) ? v : {});
const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Resolves ${VAR} and $(VAR) with the container env. */
function envValue(s: string, env: Record<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-?[^}]*)?\}|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, a, b) => env[a ?? b] ?? m);
}

// ---- fluent-bit -------------------------------------------------------------------------------

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
const fluentBit: Agent = {
  id: 'fluent-bit',
  name: 'fluent-bit',
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

// ---- Prometheus-style service discovery (promtail, Prometheus, OTel prometheus receiver) -----

/**
 * `kubernetes_sd_configs` [D4]: without `namespaces` all namespaces are used; `selectors` limit
 * discovery (a field selector spec.nodeName=… makes it node-scoped). role pod watches pods;
 * endpoints/endpointslice also watch services and pods; attach_metadata.node watches nodes.
 * Identical SD configs share one discovery (Prometheus' discovery manager starts one provider
 * per distinct config: assumption for promtail, which reuses that code). Informers: initial
 * LIST with resourceVersion=0 (client-go reflector), protobuf (assumption).
 */
function sdCalls(scrapeConfigs: unknown, at: { file: string; line: number }, agent: string, env: Record<string, string>): UsageCall[] {
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
function sdAgent(id: string, name: string, image: RegExp): Agent {
  return {
    id,
    name,
    image,
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

const promtail = sdAgent('promtail', 'promtail', /(^|\/)promtail(:|@|$)/i);
const prometheus = sdAgent('prometheus', 'Prometheus', /(^|\/)prometheus(:|@|$)/i);

// ---- OpenTelemetry collector -------------------------------------------------------------------

/**
 * OpenTelemetry collector components that talk to the API server. Only components used by a
 * pipeline (or listed in service.extensions) run.
 * - k8sattributes processor [D2]: watches pods; `filter.node_from_env_var` (or `filter.node`)
 *   restricts an agent to its own node's pods; `passthrough: true` makes no API calls.
 *   k8s.deployment.* needs ReplicaSets; namespace labels/annotations need namespaces; node
 *   labels need the node.
 * - k8s_observer extension [D3]: `node` limits discovery to one node; empty = all nodes.
 * - k8s_cluster receiver: watches most kinds cluster-wide (meant for one replica).
 * - k8sobjects receiver: `pull` LISTs every `interval` (default 1h), `watch` watches.
 * - k8s_events receiver: watches events.
 * - prometheus receiver: kubernetes_sd_configs as above.
 * Informers list with resourceVersion=0; the collector's client uses JSON (assumption).
 */
const otel: Agent = {
  id: 'otel-collector',
  name: 'OpenTelemetry collector',
  image: /opentelemetry-collector|otelcol|otel\/|splunk-otel-collector|aws-otel-collector/i,
  infer(ctx) {
    for (const c of ctx.configs) {
      if (!/receivers\s*:/.test(c.text) || !/service\s*:/.test(c.text)) continue;
      const doc = tryYaml(c.text);
      if (!doc) continue;
      const r = result(ctx, c.line, c.file);
      const service = asObj(doc.service);
      const used = new Set<string>();
      for (const p of Object.values(asObj(service.pipelines))) {
        for (const k of ['receivers', 'processors', 'exporters']) for (const n of asArr(asObj(p)[k])) used.add(String(n));
      }
      for (const n of asArr(service.extensions)) used.add(String(n));
      const at = (re: RegExp) => ({ file: c.file, line: lineIn(c, lineIndexOf(c.text, re)) });
      const base = (n: string) => n.split('/')[0];
      const nodeFromEnv = (v: unknown) => {
        const name = String(v);
        const e = ctx.workload.containers.flatMap((x) => x.env).find((x) => x.name === name);
        if (!e) r.notes.push(`k8sattributes filter.node_from_env_var names ${name}, which the container does not set`);
        else if (e.fieldPath !== 'spec.nodeName') r.notes.push(`${name} is not set from spec.nodeName`);
      };
      for (const [name, cfgRaw] of Object.entries(asObj(doc.processors))) {
        if (base(name) !== 'k8sattributes' || !used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = at(new RegExp(`^\\s*${name.replace(/[/.]/g, '\\$&')}\\s*:`, 'm'));
        if (cfg.passthrough === true) {
          r.notes.push(`${name}: passthrough (no API calls) [D2]`);
          continue;
        }
        const filter = asObj(cfg.filter);
        const nodeScoped = filter.node_from_env_var !== undefined || (typeof filter.node === 'string' && filter.node !== '');
        if (filter.node_from_env_var !== undefined) nodeFromEnv(filter.node_from_env_var);
        const nsScoped = typeof filter.namespace === 'string' && filter.namespace !== '';
        const scope: Scope = nodeScoped ? 'node' : nsScoped ? 'namespace' : 'cluster';
        r.calls.push(call({ verb: 'watch', resource: 'pods', scope, rv: '0' }, where, 'otel k8sattributes', nodeScoped ? 'pods of its own node (filter.node_from_env_var) [D2]' : 'pods of every node: no filter.node_from_env_var [D2]'));
        const extract = asObj(cfg.extract);
        const meta = asArr(extract.metadata).map(String);
        if (meta.some((m) => m.startsWith('k8s.deployment.'))) r.calls.push(call({ verb: 'watch', resource: 'replicasets', scope: nsScoped ? 'namespace' : 'cluster', rv: '0' }, where, 'otel k8sattributes', 'ReplicaSets, for k8s.deployment.* [D2]'));
        const from = [...asArr(extract.labels), ...asArr(extract.annotations)].map((x) => String(asObj(x).from ?? 'pod'));
        if (from.includes('namespace')) r.calls.push(call({ verb: 'watch', resource: 'namespaces', scope: 'cluster', rv: '0' }, where, 'otel k8sattributes', 'namespaces, for namespace labels/annotations'));
        if (from.includes('node')) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: nodeScoped ? 'node' : 'cluster', rv: '0' }, where, 'otel k8sattributes', 'nodes, for node labels'));
      }
      for (const [name, cfgRaw] of Object.entries(asObj(doc.extensions))) {
        if (base(name) !== 'k8s_observer' || !used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = at(new RegExp(`^\\s*${name.replace(/[/.]/g, '\\$&')}\\s*:`, 'm'));
        const node = typeof cfg.node === 'string' && cfg.node !== '';
        if (cfg.observe_pods !== false) r.calls.push(call({ verb: 'watch', resource: 'pods', scope: node ? 'node' : 'cluster', rv: '0' }, where, 'otel k8s_observer', node ? 'pods of its node (node set) [D3]' : 'pods of all nodes: node not set [D3]'));
        if (cfg.observe_nodes === true) r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: node ? 'node' : 'cluster', rv: '0' }, where, 'otel k8s_observer', 'nodes [D3]'));
        if (cfg.observe_services === true) r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0' }, where, 'otel k8s_observer', 'services'));
      }
      for (const [name, cfgRaw] of Object.entries(asObj(doc.receivers))) {
        if (!used.has(name)) continue;
        const cfg = asObj(cfgRaw);
        const where = at(new RegExp(`^\\s*${name.replace(/[/.]/g, '\\$&')}\\s*:`, 'm'));
        switch (base(name)) {
          case 'k8s_cluster':
            for (const res of ['pods', 'nodes', 'namespaces', 'services', 'replicasets', 'deployments', 'daemonsets', 'statefulsets', 'jobs', 'cronjobs', 'horizontalpodautoscalers', 'resourcequotas', 'replicationcontrollers']) {
              r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, where, 'otel k8s_cluster', `${res} cluster-wide`));
            }
            break;
          case 'k8sobjects':
            for (const o of asArr(cfg.objects)) {
              const x = asObj(o);
              const res = String(x.name ?? 'default');
              const nsList = asArr(x.namespaces);
              const fs = envValue(String(x.field_selector ?? ''), ctx.env);
              const scope: Scope = res === 'pods' && /spec\.nodeName\s*=/.test(fs) ? 'node' : nsList.length ? 'namespace' : 'cluster';
              const mode = String(x.mode ?? 'pull');
              const interval = typeof x.interval === 'string' ? parseIntervalSeconds(x.interval) : 3600;
              for (let i = 0; i < Math.max(1, nsList.length); i++) {
                if (mode === 'watch') r.calls.push(call({ verb: 'watch', resource: res, scope, rv: '0' }, where, 'otel k8sobjects', `watch ${res}`));
                else r.calls.push(call({ verb: 'list', resource: res, scope, interval, atStart: 1 }, where, 'otel k8sobjects', `pull ${res} every ${interval}s (LIST without resourceVersion, assumption)`));
              }
            }
            break;
          case 'k8s_events':
            r.calls.push(call({ verb: 'watch', resource: 'events', scope: asArr(cfg.namespaces).length ? 'namespace' : 'cluster', rv: '0' }, where, 'otel k8s_events', 'events'));
            break;
          case 'prometheus':
            r.calls.push(...sdCalls(asObj(cfg.config).scrape_configs, where, 'otel prometheus receiver', ctx.env));
            break;
        }
      }
      return r;
    }
    return { ...result(ctx), unknown: true, notes: ['OpenTelemetry collector: its configuration is not in these files; usage unknown'] };
  },
};

// ---- beats ------------------------------------------------------------------------------------

/**
 * filebeat / metricbeat `add_kubernetes_metadata` [D9]: `scope` defaults to node (pods of
 * `host`'s node); node and namespace metadata and the deployment name (through ReplicaSets) are
 * added by default. The kubernetes autodiscover provider watches pods the same way.
 */
const beats: Agent = {
  id: 'beats',
  name: 'Elastic beats',
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

// ---- Datadog ----------------------------------------------------------------------------------

/**
 * Datadog node agent without the Cluster Agent [D11]: "each agent would query the API server on
 * their own to get the services serving the pods on their node". Modelled as a LIST of every
 * Endpoints object every `kubernetes_metadata_tag_update_freq` (60 s; assumption for the
 * mechanism and the period), JSON, without resourceVersion. With DD_CLUSTER_AGENT_ENABLED the
 * Cluster Agent does it once for the cluster.
 */
const datadog: Agent = {
  id: 'datadog-agent',
  name: 'Datadog agent',
  image: /datadog(hq)?\/agent|datadog-agent/i,
  infer(ctx) {
    const r = result(ctx);
    if (truthy(ctx.env.DD_CLUSTER_AGENT_ENABLED)) {
      r.notes.push('Datadog agent with the Cluster Agent: metadata comes from the Cluster Agent [D11]');
      return r;
    }
    if (ctx.env.DD_KUBERNETES_COLLECT_METADATA_TAGS !== undefined && !truthy(ctx.env.DD_KUBERNETES_COLLECT_METADATA_TAGS)) return r;
    const freq = Number(ctx.env.DD_KUBERNETES_METADATA_TAG_UPDATE_FREQ) || 60;
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'list', resource: 'endpoints', scope: 'cluster', interval: freq, atStart: 1 }, at, 'Datadog agent', `every agent lists the services' endpoints itself every ${freq}s (no Cluster Agent) [D11]`));
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every Datadog node agent queries the API server itself: load grows non-linearly with nodes [D11]', change: 'deploy the Datadog Cluster Agent and set DD_CLUSTER_AGENT_ENABLED=true on the node agents: it queries the API server once for the cluster' });
    return r;
  },
};

// ---- node-problem-detector --------------------------------------------------------------------

/**
 * node-problem-detector [D5][D6]: writes for its own node, Node Conditions (a status PATCH) and
 * Events; a forced sync every --k8s-exporter-heartbeat-period (default 5m). ~3k of ~11k QPS in
 * a 4,000-node test were such PATCHes at an older, shorter period (npd #124, REFERENCE.md).
 */
const npd: Agent = {
  id: 'node-problem-detector',
  name: 'node-problem-detector',
  image: /node-problem-detector/i,
  infer(ctx) {
    const r = result(ctx);
    if (ctx.flags.get('enable-k8s-exporter') === 'false') return r;
    const hb = parseIntervalSeconds(ctx.flags.get('k8s-exporter-heartbeat-period') ?? '5m');
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.calls.push(call({ verb: 'get', resource: 'nodes', scope: 'node', atStart: 1 }, at, 'node-problem-detector', 'its node at start'));
    r.calls.push(call({ verb: 'patch', resource: 'nodes', scope: 'node', interval: hb }, at, 'node-problem-detector', `node conditions every ${hb}s (--k8s-exporter-heartbeat-period) [D6]`));
    return r;
  },
};

// ---- kube-state-metrics -----------------------------------------------------------------------

const KSM_DEFAULT = 'certificatesigningrequests,configmaps,cronjobs,daemonsets,deployments,endpoints,horizontalpodautoscalers,ingresses,jobs,leases,limitranges,mutatingwebhookconfigurations,namespaces,networkpolicies,nodes,persistentvolumeclaims,persistentvolumes,poddisruptionbudgets,pods,replicasets,replicationcontrollers,resourcequotas,secrets,services,statefulsets,storageclasses,validatingwebhookconfigurations,volumeattachments';

/**
 * kube-state-metrics: one informer per resource in --resources. `--node` makes the pod
 * informer node-scoped with a spec.nodeName field selector [D7]; `--track-unscheduled-pods`
 * watches pods with spec.nodeName="" (modelled as node-scoped). Lists from the watch cache
 * only with --use-apiserver-cache (otherwise a consistent read).
 */
const ksm: Agent = {
  id: 'kube-state-metrics',
  name: 'kube-state-metrics',
  image: /kube-state-metrics/i,
  infer(ctx) {
    const r = result(ctx);
    const resources = (ctx.flags.get('resources') ?? KSM_DEFAULT).split(',').map((s) => s.trim()).filter(Boolean);
    const node = ctx.flags.get('node');
    const unscheduled = ctx.flags.has('track-unscheduled-pods') && ctx.flags.get('track-unscheduled-pods') !== 'false';
    const ns = ctx.flags.get('namespaces');
    const nsCount = ns ? ns.split(',').filter(Boolean).length : 0;
    const rv = ctx.flags.has('use-apiserver-cache') && ctx.flags.get('use-apiserver-cache') !== 'false' ? '0' : undefined;
    const at = { file: ctx.workload.file, line: ctx.container.argLines[0] ?? ctx.container.line };
    for (const res of resources) {
      const clusterScoped = ['nodes', 'namespaces', 'persistentvolumes', 'storageclasses', 'certificatesigningrequests', 'volumeattachments', 'mutatingwebhookconfigurations', 'validatingwebhookconfigurations'].includes(res);
      const scope: Scope = res === 'pods' && (node || unscheduled) ? 'node' : nsCount && !clusterScoped ? 'namespace' : 'cluster';
      const copies = scope === 'namespace' ? nsCount : 1;
      for (let i = 0; i < copies; i++) r.calls.push(call({ verb: 'watch', resource: res, scope, rv }, at, 'kube-state-metrics', res === 'pods' && node ? 'pods of its node (--node, FieldSelector spec.nodeName) [D7]' : `${res}${scope === 'cluster' ? ' cluster-wide' : ''}`));
    }
    return r;
  },
};

// ---- Calico -----------------------------------------------------------------------------------

const CALICO_RESOURCES = ['pods', 'nodes', 'namespaces', 'serviceaccounts', 'networkpolicies', 'services', 'endpointslices', 'globalnetworkpolicies', 'ippools', 'hostendpoints', 'felixconfigurations', 'bgpconfigurations', 'bgppeers', 'profiles', 'clusterinformations'];

/**
 * calico-node (Felix) with the Kubernetes datastore: through Typha when FELIX_TYPHAK8SSERVICENAME
 * names a Typha service — "Typha sits in between Felix and the API server, reducing Calico's
 * load on the API server"; recommended above 50 nodes, essential above 100, one replica per
 * 100–200 nodes [D8]. Without Typha every Felix watches the datastore itself.
 */
const calicoNode: Agent = {
  id: 'calico-node',
  name: 'calico-node',
  image: /calico\/node(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const typha = ctx.env.FELIX_TYPHAK8SSERVICENAME;
    const datastore = (ctx.env.DATASTORE_TYPE ?? 'kubernetes').toLowerCase();
    if (datastore !== 'kubernetes') {
      r.notes.push(`calico-node with datastore ${datastore}: not the Kubernetes API`);
      return r;
    }
    const at = { file: ctx.workload.file, line: ctx.container.line };
    if (typha && typha !== 'none' && !typha.includes('$(')) {
      r.notes.push(`calico-node reads the datastore through Typha (FELIX_TYPHAK8SSERVICENAME=${typha}) [D8]`);
      return r;
    }
    for (const res of CALICO_RESOURCES) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-node', `Felix watches ${res} itself (no Typha) [D8]`));
    r.hints.push({ rule: 'fanout-proxy', file: at.file, line: at.line, message: 'every calico-node (Felix) watches the datastore itself', change: 'deploy calico-typha (one replica per 100–200 nodes) and set FELIX_TYPHAK8SSERVICENAME on calico-node [D8]' });
    return r;
  },
};

const calicoTypha: Agent = {
  id: 'calico-typha',
  name: 'calico-typha',
  image: /calico\/typha(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    for (const res of CALICO_RESOURCES) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0' }, at, 'calico-typha', `${res}, fanned out to Felix [D8]`));
    r.leaderElection = true; // every replica serves a share of the Felix connections: replicas are intended
    r.hints.push({ rule: 'fanout-undersized', file: ctx.workload.file, line: ctx.workload.line, message: 'calico-typha replicas', change: 'one Typha replica per 100–200 nodes [D8]' });
    return r;
  },
};

const calicoControllers: Agent = {
  id: 'calico-kube-controllers',
  name: 'calico-kube-controllers',
  image: /calico\/kube-controllers/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    const enabled = (ctx.env.ENABLED_CONTROLLERS ?? 'node,policy,namespace,serviceaccount,workloadendpoint').split(',');
    const map: Record<string, string> = { node: 'nodes', policy: 'networkpolicies', namespace: 'namespaces', serviceaccount: 'serviceaccounts', workloadendpoint: 'pods' };
    for (const e of enabled) if (map[e.trim()]) r.calls.push(call({ verb: 'watch', resource: map[e.trim()], scope: 'cluster', rv: '0' }, at, 'calico-kube-controllers', `${e.trim()} controller`));
    r.leaderElection = true;
    return r;
  },
};

// ---- kube-proxy, cluster-autoscaler, CoreDNS, exporters -----------------------------------------

/** kube-proxy [D10]: every instance watches all Services and EndpointSlices; its own Node. Protobuf, watch cache. */
const kubeProxy: Agent = {
  id: 'kube-proxy',
  name: 'kube-proxy',
  image: /kube-proxy/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.inherent = true;
    r.calls.push(call({ verb: 'watch', resource: 'services', scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'all Services [D10]'));
    r.calls.push(call({ verb: 'watch', resource: 'endpointslices', scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'all EndpointSlices [D10]'));
    r.calls.push(call({ verb: 'watch', resource: 'nodes', scope: 'node', rv: '0', encoding: 'protobuf' }, at, 'kube-proxy', 'its own Node'));
    if (Object.keys(ctx.workload.nodeSelector).length) r.notes.push(`runs only on nodes matching ${JSON.stringify(ctx.workload.nodeSelector)}; estimates assume every node`);
    return r;
  },
};

/** cluster-autoscaler: informers on pods, nodes and scheduling inputs, cluster-wide, from one leader-elected client. */
const clusterAutoscaler: Agent = {
  id: 'cluster-autoscaler',
  name: 'cluster-autoscaler',
  image: /cluster-autoscaler/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    for (const res of ['pods', 'nodes', 'services', 'replicasets', 'statefulsets', 'poddisruptionbudgets', 'persistentvolumeclaims', 'persistentvolumes', 'storageclasses', 'csinodes', 'namespaces']) {
      r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'cluster-autoscaler', `${res} cluster-wide`));
    }
    r.leaderElection = ctx.flags.get('leader-elect') !== 'false';
    return r;
  },
};

const coredns: Agent = {
  id: 'coredns',
  name: 'CoreDNS',
  image: /(^|\/)coredns(:|@|$)/i,
  infer(ctx) {
    const r = result(ctx);
    const at = { file: ctx.workload.file, line: ctx.container.line };
    r.inherent = true;
    for (const res of ['services', 'endpointslices', 'namespaces']) r.calls.push(call({ verb: 'watch', resource: res, scope: 'cluster', rv: '0', encoding: 'protobuf' }, at, 'CoreDNS', `${res} cluster-wide (kubernetes plugin)`));
    return r;
  },
};

/** Exporters that read the host only: node-exporter itself makes no API calls; kube-rbac-proxy authenticates scrapes. */
const noApi: Agent = {
  id: 'no-api',
  name: 'host-only exporter',
  image: /node-exporter|kube-rbac-proxy|dcgm-exporter|process-exporter/i,
  infer(ctx) {
    const r = result(ctx);
    r.notes.push(`${ctx.container.image}: reads the host, no list/watch${/kube-rbac-proxy/.test(ctx.container.image) ? ' (TokenReview/SubjectAccessReview per scrape, not counted)' : ''}`);
    return r;
  },
};

export const AGENTS: Agent[] = [fluentBit, promtail, otel, beats, datadog, npd, ksm, calicoNode, calicoTypha, calicoControllers, kubeProxy, clusterAutoscaler, coredns, noApi, prometheus];

export function recogniseAgent(image: string): Agent | undefined {
  return AGENTS.find((a) => a.image.test(image));
}

export function parseIntervalSeconds(s: string): number {
  const t = s.trim();
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    return n * ({ ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? 's'] ?? 1);
  }
  let total = 0;
  for (const p of t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) total += Number(p[1]) * ({ ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[p[2]] ?? 1);
  return total || 0;
}
