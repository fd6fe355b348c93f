// A workload's API usage, inferred from the strongest evidence available:
//   (a) its declared contract, the `breakglass.dev/api-calls` annotation: exact;
//   (b) a known agent, recognised from its image and the configuration it mounts;
//   (c) kubectl/curl calls in its command, args or mounted scripts, with their loops' sleeps;
//   (d) what its ServiceAccount's RBAC lets it do: a reach, not a usage, reported as such.
// The result is a WorkloadUsage for the shared cost model plus the evidence for each call.
import { isSeq } from 'yaml';
import { readYaml } from '../common/yaml';
import { PER_NODE_RESOURCES, PER_POD_RESOURCES, type ApiCall, type Scope, type Verb, type WorkloadUsage, type ClusterProfile } from '../cost/model';
import { parseDuration } from '../common/duration';
import { AGENTS, recogniseAgent, type AgentHint, type ConfigText } from './agents';
import { configMapData, roleKey, type Inventory, type PolicyRule, type Workload } from './objects';
import { isObject, type Note } from './read';
import { callsInScript, normaliseResource } from './shell';

/** The annotation that declares a workload's API calls. */
export const API_CALLS_ANNOTATION = 'breakglass.dev/api-calls';

export type { Encoding, EvidenceSource, Evidence, UsageCall } from './calls';
import type { Encoding, EvidenceSource, Evidence, UsageCall } from './calls';

export interface InferredUsage {
  /** The strongest evidence found. */
  source: EvidenceSource | 'none';
  calls: UsageCall[];
  /** Calls its RBAC allows (informers on what it may list/watch), when nothing better is known. */
  reach: UsageCall[];
  /** Every list/watch its RBAC grants on resources that grow with the cluster. */
  rbacGrants: { resource: string; scope: 'cluster' | 'namespace'; verbs: string[]; line: number; file: string; role: string }[];
  agents: string[];
  hints: AgentHint[];
  notes: Note[];
  inherent: boolean;
  leaderElection: boolean;
  /** Client rate-limit flags. */
  qps?: { qps?: number; burst?: number; line: number; flag: string };
  /** Loops without a sleep (back-to-back API calls). */
  hotLoops: Evidence[];
  /**
   * Signs that the workload reads only its own node: its node's name from the downward API
   * (spec.nodeName) handed to the container, the kubelet's port on the host network.
   */
  nodeHints: Evidence[];
  /** Parts of a recognised agent's configuration whose API usage is not modelled. */
  unmodelled: string[];
  /** A recognised agent whose configuration is not in the files. */
  agentUnknown: boolean;
  /** The workload declared its usage (annotation present and valid). */
  declared: boolean;
  /** Priority level its requests land in, and the FlowSchema that sends them there. */
  priorityLevel: string;
  flowSchema?: { name: string; file: string; line: number; own: boolean };
}

/** Resources whose object count grows with the cluster; a cluster-wide list of them per node is the hazard. */
export const SCALING_RESOURCES = new Set(['pods', 'nodes', 'endpoints', 'endpointslices', 'services', 'events', 'leases', 'replicasets', 'secrets', 'configmaps', 'ciliumendpointslices', 'ciliumidentities', ...PER_NODE_RESOURCES, ...PER_POD_RESOURCES]);

const VERBS: Verb[] = ['list', 'watch', 'get', 'create', 'update', 'patch', 'delete'];
const SCOPES: Scope[] = ['cluster', 'namespace', 'node'];

// ---- (a) the declared contract ---------------------------------------------------------------

/**
 * `breakglass.dev/api-calls` on the workload (or its pod template): a YAML or JSON list of
 *   {verb, resource, scope: cluster|namespace|node, interval, resourceVersion, encoding}
 * interval: a duration (30s, 5m); for a watch the time between re-lists (omit or 0 = once).
 * resourceVersion: "0" = served from the watch cache; omitted or "" = a consistent read (etcd).
 * An empty list (`[]`) declares that the workload makes no API calls.
 */
export function parseApiCallsAnnotation(value: string, line: number, file: string): { calls: UsageCall[]; notes: Note[] } {
  const notes: Note[] = [];
  const calls: UsageCall[] = [];
  const { doc, errors, lineAt } = readYaml(value);
  // A block scalar starts one line below its key.
  const at = (off: number | undefined) => line + (value.includes('\n') ? lineAt(off ?? 0) : 0);
  const bad = (off: number | undefined, message: string) => notes.push({ file, line: at(off), severity: 'error', code: 'annotation', message: `${API_CALLS_ANNOTATION}: ${message}` });
  if (errors.length) {
    bad(errors[0].offset, `not YAML/JSON: ${errors[0].message}`);
    return { calls, notes };
  }
  const root = doc.contents;
  if (root === null) return { calls, notes };
  if (!isSeq(root)) {
    bad(undefined, 'must be a list of {verb, resource, scope, interval, resourceVersion}');
    return { calls, notes };
  }
  let all: unknown;
  try {
    all = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    bad(undefined, (e as Error).message);
    return { calls, notes };
  }
  root.items.forEach((item, i) => {
    const off = (item as { range?: [number, number, number] } | null)?.range?.[0];
    const js = Array.isArray(all) ? all[i] : undefined;
    if (!isObject(js)) {
      bad(off, `item ${i + 1} must be a mapping`);
      return;
    }
    const unknown = Object.keys(js).filter((k) => !['verb', 'resource', 'scope', 'interval', 'resourceVersion', 'encoding'].includes(k));
    if (unknown.length) bad(off, `item ${i + 1}: unknown field(s) ${unknown.join(', ')} (known: verb, resource, scope, interval, resourceVersion, encoding)`);
    const verb = String(js.verb ?? '').toLowerCase() as Verb;
    if (!VERBS.includes(verb)) {
      bad(off, `item ${i + 1}: verb must be one of ${VERBS.join(', ')}`);
      return;
    }
    if (typeof js.resource !== 'string' || !js.resource) {
      bad(off, `item ${i + 1}: resource must be a resource name such as pods`);
      return;
    }
    const scope = (js.scope ?? 'cluster') as Scope;
    if (!SCOPES.includes(scope)) {
      bad(off, `item ${i + 1}: scope must be cluster, namespace or node`);
      return;
    }
    let interval = 0;
    if (js.interval !== undefined && js.interval !== null && js.interval !== 0 && js.interval !== '0' && js.interval !== 'once') {
      const ms = typeof js.interval === 'number' || typeof js.interval === 'string' ? parseDuration(js.interval) : undefined;
      if (ms === undefined || ms <= 0) {
        bad(off, `item ${i + 1}: interval must be a duration such as 30s or 5m`);
        return;
      }
      interval = ms / 1000;
    } else if (verb !== 'watch' && verb !== 'list' && verb !== 'get') {
      bad(off, `item ${i + 1}: a ${verb} needs an interval`);
    }
    const rv = js.resourceVersion;
    if (rv !== undefined && rv !== '0' && rv !== 0 && rv !== '') {
      bad(off, `item ${i + 1}: resourceVersion must be "0" (watch cache) or "" (etcd)`);
      return;
    }
    const enc = js.encoding;
    if (enc !== undefined && enc !== 'json' && enc !== 'protobuf') {
      bad(off, `item ${i + 1}: encoding must be json or protobuf`);
      return;
    }
    calls.push({
      verb,
      resource: normaliseResource(js.resource),
      scope,
      intervalSeconds: interval,
      resourceVersion: rv === undefined ? undefined : String(rv),
      encoding: (enc as Encoding | undefined) ?? 'json',
      atStart: verb === 'list' || verb === 'watch' ? 1 : 0,
      evidence: { source: 'annotation', file, line: at(off), detail: `declared: ${verb} ${js.resource} (${scope})${interval ? ` every ${interval}s` : ''}` },
    });
  });
  return { calls, notes };
}

/** The annotation text for a set of calls (used by fixes: declare what was inferred). */
export function renderApiCallsAnnotation(calls: ApiCall[], indent = '      '): string {
  const lines = calls.map((c) => {
    const parts = [`verb: ${c.verb}`, `resource: ${c.resource}`, `scope: ${c.scope}`];
    if (c.intervalSeconds > 0) parts.push(`interval: ${formatInterval(c.intervalSeconds)}`);
    if (c.resourceVersion !== undefined) parts.push(`resourceVersion: "${c.resourceVersion}"`);
    return `${indent}- {${parts.join(', ')}}`;
  });
  return `${API_CALLS_ANNOTATION}: |\n${lines.join('\n')}`;
}

function formatInterval(s: number): string {
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${+s.toFixed(3)}s`;
}

// ---- inference -------------------------------------------------------------------------------

/** Mounted ConfigMaps of a workload, with the line where each value starts. */
function mountedConfigs(w: Workload, inv: Inventory): { configs: ConfigText[]; notes: Note[] } {
  const configs: ConfigText[] = [];
  const notes: Note[] = [];
  const seen = new Set<string>();
  for (const ref of w.configMaps) {
    if (ref.via !== 'volume' || seen.has(ref.name)) continue;
    seen.add(ref.name);
    const cm = (inv.configMaps.get(ref.name) ?? []).find((c) => c.namespace === w.namespace) ?? (inv.configMaps.get(ref.name) ?? [])[0];
    if (!cm) continue;
    const body = cm.obj.body();
    const data = isObject(body?.data) ? body.data : {};
    for (const [key, text] of Object.entries(configMapData(cm))) {
      const keyLine = cm.obj.lineOf(data, key);
      configs.push({ configMap: cm.name, key, text, file: cm.obj.file, line: text.includes('\n') ? keyLine + 1 : keyLine });
    }
  }
  return { configs, notes };
}

/** Env of a container: literal values, fieldRefs as $(FIELD) markers, configMapKeyRefs resolved. */
function containerEnv(w: Workload, idx: number, inv: Inventory): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of w.containers[idx].env) {
    if (e.value !== undefined) env[e.name] = e.value;
    else if (e.fieldPath) env[e.name] = `$(${e.fieldPath})`;
    else if (e.configMapKeyRef) {
      const cm = (inv.configMaps.get(e.configMapKeyRef.name) ?? []).find((c) => c.namespace === w.namespace);
      const v = cm ? configMapData(cm)[e.configMapKeyRef.key] : undefined;
      if (v !== undefined) env[e.name] = v;
    }
  }
  return env;
}

function flagsOf(argv: string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const f = /^--?([A-Za-z0-9][A-Za-z0-9._-]*)(?:=(.*))?$/.exec(a);
    if (!f) continue;
    if (f[2] !== undefined) m.set(f[1], f[2]);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('-')) m.set(f[1], argv[++i]);
    else m.set(f[1], 'true');
  }
  return m;
}

const SHELLS = /(^|\/)(sh|bash|ash|dash|zsh)$/;

/** The script a container runs: `sh -c "<script>"`, or its argv as one command line. */
function scriptsOf(command: string[], args: string[]): { text: string; argIndex: number; fromArgs: boolean }[] {
  const argv = [...command, ...args];
  if (!argv.length) return [];
  if (SHELLS.test(argv[0])) {
    const c = argv.indexOf('-c');
    const ci = c < 0 ? argv.findIndex((a, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(a)) : c;
    if (ci >= 0 && ci + 1 < argv.length) return [{ text: argv.slice(ci + 1).join('\n'), argIndex: ci + 1, fromArgs: ci + 1 >= command.length }];
  }
  return [{ text: argv.map((a) => (/\s/.test(a) ? `'${a.replace(/'/g, '')}'` : a)).join(' '), argIndex: 0, fromArgs: false }];
}

const QPS_FLAGS = /^(kube-api-qps|kube-qps|client-qps|api-qps|qps|k8s-api-qps|kubernetes-qps)$/;
const BURST_FLAGS = /^(kube-api-burst|kube-burst|client-burst|api-burst|burst|k8s-api-burst|kubernetes-burst)$/;
const LEADER_FLAGS = /^(leader-elect|leader-election|enable-leader-election|leader-elect-enabled|election|enable-leader-elect)$/;

/** Infers a workload's usage. */
export function inferUsage(w: Workload, inv: Inventory): InferredUsage {
  const notes: Note[] = [];
  const u: InferredUsage = {
    source: 'none',
    calls: [],
    reach: [],
    rbacGrants: [],
    agents: [],
    hints: [],
    notes,
    inherent: false,
    leaderElection: false,
    hotLoops: [],
    nodeHints: [],
    unmodelled: [],
    agentUnknown: false,
    declared: false,
    priorityLevel: 'workload-low',
  };
  // (a) the annotation: the workload's own wins over the template's.
  const ann = w.annotations.find((a) => a.key === API_CALLS_ANNOTATION && a.on === 'workload') ?? w.annotations.find((a) => a.key === API_CALLS_ANNOTATION);
  if (ann) {
    const { calls, notes: n } = parseApiCallsAnnotation(ann.value, ann.line, w.file);
    notes.push(...n);
    if (!n.some((x) => x.severity === 'error')) {
      u.source = 'annotation';
      u.declared = true;
      u.calls = calls;
    }
  }
  const { configs } = mountedConfigs(w, inv);
  let unknownAgent = false;
  w.containers.forEach((c, idx) => {
    const env = containerEnv(w, idx, inv);
    const argv = [...c.command, ...c.args].map((a) => a.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, n: string) => env[n] ?? m));
    const flags = flagsOf(argv);
    for (const [k, v] of flags) {
      const n = Number(v);
      if (QPS_FLAGS.test(k) && Number.isFinite(n)) u.qps = { ...u.qps, qps: n, line: flagLine(c, k), flag: `--${k}` };
      if (BURST_FLAGS.test(k) && Number.isFinite(n)) u.qps = { ...(u.qps ?? { line: flagLine(c, k), flag: `--${k}` }), burst: n };
      if (LEADER_FLAGS.test(k) && v !== 'false') u.leaderElection = true;
    }
    if (u.declared) return;
    // (b) known agents (an init container runs once before the agent: not the agent)
    const agent = c.init ? undefined : recogniseAgent(c.image);
    if (agent) {
      const r = agent.infer({ workload: w, container: c, configs, env, flags });
      u.agents.push(agent.name);
      if (r.unknown) unknownAgent = true;
      if (r.unmodelled?.length) u.unmodelled.push(...r.unmodelled.map((x) => `${agent.name}: ${x}`));
      u.calls.push(...r.calls);
      u.hints.push(...r.hints);
      for (const m of r.notes) notes.push({ file: r.file, line: r.line, severity: 'info', code: 'assumption', message: m });
      if (r.inherent) u.inherent = true;
      if (r.leaderElection) u.leaderElection = true;
      if (!r.unknown && u.source === 'none') u.source = 'agent';
      if (!r.unknown && u.source === 'command') u.source = 'agent';
      return;
    }
    // (c) commands and scripts
    for (const s of scriptsOf(c.command, c.args)) {
      const found = callsInScript(s.text, env);
      for (const f of found) {
        const lines = s.fromArgs ? c.argLines : [...c.commandLines, ...c.argLines];
        const base = lines[Math.min(lines.length - 1, s.fromArgs ? s.argIndex - c.command.length : s.argIndex)] ?? c.commandLine;
        // A multi-line script is a block scalar (`- |`), whose text starts one line below the item.
        const line = base + (s.text.includes('\n') ? f.lineIndex + 1 : 0);
        const ev: Evidence = { source: 'command', file: w.file, line, detail: `${f.text.length > 120 ? f.text.slice(0, 117) + '…' : f.text}${f.intervalSeconds ? ` (every ${f.intervalSeconds}s)` : ''}` };
        u.calls.push({
          verb: f.verb,
          resource: f.resource,
          scope: f.scope,
          // An init container runs to completion once, before the others.
          intervalSeconds: c.init ? 0 : f.intervalSeconds,
          resourceVersion: f.resourceVersion,
          encoding: 'json',
          atStart: f.verb === 'list' || f.verb === 'watch' || f.intervalSeconds === 0 || c.init ? 1 : 0,
          evidence: ev,
        });
        if (f.hotLoop) u.hotLoops.push(ev);
        if (f.intervalUnknown) notes.push({ file: w.file, line, severity: 'info', code: 'assumption', message: 'loop sleep not readable: assumed 60 s between iterations' });
      }
      if (found.length && u.source === 'none') u.source = 'command';
    }
  });
  // Mounted scripts (ConfigMap values that are shell scripts) run by a container.
  if (!u.declared) {
    for (const cfg of configs) {
      if (!/\.sh$/.test(cfg.key) && !/^#!.*\b(sh|bash)\b/.test(cfg.text)) continue;
      const runs = w.containers.some((c) => [...c.command, ...c.args].some((a) => a.includes(cfg.key)));
      if (!runs) continue;
      for (const f of callsInScript(cfg.text, containerEnv(w, 0, inv))) {
        const ev: Evidence = { source: 'command', file: cfg.file, line: cfg.line + f.lineIndex, detail: `${cfg.configMap}/${cfg.key}: ${f.text.slice(0, 117)}` };
        u.calls.push({ verb: f.verb, resource: f.resource, scope: f.scope, intervalSeconds: f.intervalSeconds, resourceVersion: f.resourceVersion, encoding: 'json', atStart: f.verb === 'list' || f.verb === 'watch' || f.intervalSeconds === 0 ? 1 : 0, evidence: ev });
        if (f.hotLoop) u.hotLoops.push(ev);
        if (u.source === 'none') u.source = 'command';
      }
    }
  }
  u.nodeHints = nodeHints(w, configs);
  // (d) RBAC reach.
  rbacReach(w, inv, u);
  if (u.source === 'none' && u.reach.length) u.source = 'rbac';
  u.agentUnknown = unknownAgent;
  if (unknownAgent && u.source === 'none') notes.push({ file: w.file, line: w.line, severity: 'info', code: 'reference', message: `${u.agents.join(', ')}: its configuration is not in these files, so its API usage is unknown` });
  // Priority level: a FlowSchema in the files that names its ServiceAccount, else the defaults.
  const fs = flowSchemaFor(w, inv);
  if (fs) {
    u.priorityLevel = fs.priorityLevel;
    u.flowSchema = { name: fs.name, file: fs.obj.file, line: fs.obj.line, own: true };
  } else u.priorityLevel = w.namespace === 'kube-system' ? 'workload-high' : 'workload-low';
  return u;
}

/** The kubelet's ports: a container that names one on the host network reads its node's kubelet. */
const KUBELET_PORT = /(?:^|[^0-9])(10250|10255)(?:[^0-9]|$)/;

function nodeHints(w: Workload, configs: ConfigText[]): Evidence[] {
  const out: Evidence[] = [];
  for (const c of w.containers) {
    if (c.init) continue;
    for (const e of c.env) {
      if (e.fieldPath === 'spec.nodeName') out.push({ source: 'hint', file: w.file, line: e.line, detail: `${c.name} is given its node's name (${e.name} from spec.nodeName)` });
    }
    if (w.hostNetwork && [...c.command, ...c.args, ...c.env.map((e) => e.value ?? '')].some((a) => KUBELET_PORT.test(a) && /kubelet|:1025[05]|port/i.test(a))) {
      out.push({ source: 'hint', file: w.file, line: c.line, detail: `${c.name} is on the host network and names the kubelet's port` });
    }
  }
  if (w.hostNetwork) {
    const cfg = configs.find((x) => /kubelet/i.test(x.text) && KUBELET_PORT.test(x.text));
    if (cfg) out.push({ source: 'hint', file: cfg.file, line: cfg.line, detail: `${cfg.configMap}/${cfg.key} reads the kubelet on the host network` });
  }
  return out;
}

function flagLine(c: { argLines: number[]; commandLines: number[]; args: string[]; command: string[]; line: number }, flag: string): number {
  const i = c.args.findIndex((a) => a.includes(flag));
  if (i >= 0) return c.argLines[i] ?? c.line;
  const j = c.command.findIndex((a) => a.includes(flag));
  return j >= 0 ? (c.commandLines[j] ?? c.line) : c.line;
}

/** Known content of built-in ClusterRoles that manifests bind to without defining. */
const BUILTIN_ROLES: Record<string, PolicyRule[]> = {
  'cluster-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'], resourceNames: [], nonResourceURLs: [] }],
  admin: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], resourceNames: [], nonResourceURLs: [] }],
  edit: [{ apiGroups: ['*'], resources: ['pods', 'services', 'endpoints', 'configmaps', 'secrets', 'events', 'replicasets', 'deployments'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'], resourceNames: [], nonResourceURLs: [] }],
  view: [{ apiGroups: ['*'], resources: ['pods', 'services', 'endpoints', 'configmaps', 'events', 'replicasets', 'deployments', 'namespaces'], verbs: ['get', 'list', 'watch'], resourceNames: [], nonResourceURLs: [] }],
  'system:node-problem-detector': [
    { apiGroups: [''], resources: ['nodes'], verbs: ['get'], resourceNames: [], nonResourceURLs: [] },
    { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch'], resourceNames: [], nonResourceURLs: [] },
    { apiGroups: [''], resources: ['events'], verbs: ['create', 'patch', 'update'], resourceNames: [], nonResourceURLs: [] },
  ],
};

function rbacReach(w: Workload, inv: Inventory, u: InferredUsage): void {
  const seen = new Set<string>();
  for (const b of inv.bindingIndex.forWorkload(w.namespace, w.serviceAccount)) {
    const refCluster = b.roleRef.kind !== 'Role';
    const role = inv.roles.get(roleKey(refCluster, b.roleRef.name, b.namespace));
    let rules: PolicyRule[] | undefined = role?.rules;
    if (!role) {
      rules = refCluster ? BUILTIN_ROLES[b.roleRef.name] : undefined;
      u.notes.push({ file: b.obj.file, line: b.obj.line, severity: 'info', code: 'reference', message: `${b.obj.kind} ${b.name} binds ${w.serviceAccount} to ${b.roleRef.kind} ${b.roleRef.name}, which is not in these files${rules ? ' (its built-in rules are assumed)' : ''}` });
    } else if (role.aggregated) u.notes.push({ file: role.obj.file, line: role.obj.line, severity: 'info', code: 'reference', message: `ClusterRole ${role.name} is aggregated: its rules are not known here` });
    const scope: 'cluster' | 'namespace' = b.cluster ? 'cluster' : 'namespace';
    for (const r of rules ?? []) {
      if (r.resourceNames.length) {
        if (r.resources.includes('leases') && r.verbs.some((v) => v === 'update' || v === '*')) u.leaderElection = true;
        continue;
      }
      if (r.resources.some((x) => x === 'leases' || x === '*') && r.verbs.some((v) => v === 'create' || v === 'update' || v === '*')) {
        if (r.apiGroups.some((g) => g === 'coordination.k8s.io' || g === '*')) u.leaderElection = true;
      }
      const verbs = r.verbs.filter((v) => v === 'list' || v === 'watch' || v === '*');
      if (!verbs.length) continue;
      const resources = r.resources.includes('*') ? [...SCALING_RESOURCES] : r.resources.filter((x) => SCALING_RESOURCES.has(x));
      for (const res of resources) {
        const k = `${res}|${scope}`;
        if (seen.has(k)) continue;
        seen.add(k);
        const file = role?.obj.file ?? b.obj.file;
        const line = role ? role.obj.lineOf(undefined) : b.obj.line;
        u.rbacGrants.push({ resource: res, scope, verbs, line, file, role: `${b.roleRef.kind} ${b.roleRef.name}` });
      }
    }
  }
  // Reach: an informer on each granted resource (cluster-wide ones only matter per node).
  for (const g of u.rbacGrants) {
    if (g.resource === 'secrets' || g.resource === 'configmaps' || g.resource === 'leases') continue;
    u.reach.push({
      verb: 'watch',
      resource: g.resource,
      scope: g.scope,
      intervalSeconds: 0,
      resourceVersion: '0',
      encoding: 'json',
      atStart: 1,
      evidence: { source: 'rbac', file: g.file, line: g.line, detail: `${g.role} grants ${g.verbs.join('/')} on ${g.resource} ${g.scope === 'cluster' ? 'cluster-wide' : `in ${w.namespace}`}` },
    });
  }
}

function flowSchemaFor(w: Workload, inv: Inventory) {
  return inv.flowSchemaIndex.forWorkload(w.namespace, w.serviceAccount);
}

// ---- to the cost model --------------------------------------------------------------------------

/** Seconds in which every client of a new DaemonSet starts (the simulator's default rollout). */
export const START_WINDOW_SECONDS = 120;

/**
 * Steady-state usage at a profile: periodic calls, per-pod cache misses, and open watches
 * (interval 0 = a long-running watch), which the cost model prices by the events they are sent.
 */
export function steadyUsage(name: string, clients: number | 'perNode', calls: UsageCall[], p: ClusterProfile, priorityLevel: string): WorkloadUsage {
  const out: ApiCall[] = [];
  for (const c of calls) {
    let interval = c.intervalSeconds;
    if (c.perPodOnNodePerSecond !== undefined && c.perPodOnNodePerSecond > 0) interval = 1 / (c.perPodOnNodePerSecond * p.podsPerNode);
    if (interval <= 0 && c.verb !== 'watch') continue;
    out.push(toApiCall(c, interval));
  }
  return { name, clients, calls: out, priorityLevel };
}

/** Start-up usage: every client makes its initial requests within `window` seconds. */
export function startUsage(name: string, clients: number | 'perNode', calls: UsageCall[], p: ClusterProfile, priorityLevel: string, window = START_WINDOW_SECONDS): WorkloadUsage {
  const out: ApiCall[] = [];
  for (const c of calls) {
    const n = c.atStart === 'podsOnNode' ? p.podsPerNode : c.atStart;
    if (!(n > 0)) continue;
    // A watch starts with a LIST; the cost model prices both alike.
    out.push(toApiCall({ ...c, verb: c.verb === 'watch' ? 'list' : c.verb }, window / n));
  }
  return { name, clients, calls: out, priorityLevel };
}

function toApiCall(c: UsageCall, interval: number): ApiCall {
  return { verb: c.verb, resource: c.resource, scope: c.scope, intervalSeconds: interval, resourceVersion: c.resourceVersion, encoding: c.encoding, clients: c.clients };
}

export { AGENTS };
