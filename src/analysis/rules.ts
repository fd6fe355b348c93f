// The rule registry: small self-describing units (id, title, why, remediation, severity, fix)
// that look at one workload's report and return hits. The docs (`breakglass lint --list-rules`)
// and SARIF's tool.driver.rules are generated from this list.
import { estimate, type ClusterProfile, type WorkloadUsage } from '../cost/model';
import type { Inventory, Workload } from './objects';
import type { Severity } from './read';
import { SCALING_RESOURCES, START_WINDOW_SECONDS, renderApiCallsAnnotation, startUsage, steadyUsage, type Evidence, type InferredUsage, type UsageCall } from './usage';

/** What the editor turns into a quick fix: a kind of edit, and what goes where. */
export interface FixDescription {
  kind: 'insert-annotation' | 'set-field' | 'edit-config' | 'add-objects' | 'set-flag' | 'replace-value';
  /** One line for the quick-fix menu. */
  title: string;
  /** Where the edit goes. */
  where: string;
  /** Text to insert (a template; `<…>` marks what to fill in). */
  insert?: string;
}

/** A concrete edit for one finding. Lines are 1-based; the text is inserted after `afterLine` or replaces `line`. */
export interface ConcreteFix {
  kind: FixDescription['kind'];
  title: string;
  file: string;
  /** Insert after this line (insert kinds) … */
  afterLine?: number;
  /** … or replace this line's value (replace kinds). */
  line?: number;
  text: string;
}

/** One profile's estimate, as findings and reports carry it. */
export interface ProfileEstimate {
  profile: string;
  nodes: number;
  podsPerNode: number;
  clients: number;
  requestsPerSecond: number;
  objectsPerSecond: number;
  bytesPerSecond: number;
  /** APF seats held on average. */
  seats: number;
  /** API-server CPU cores. */
  cpu: number;
  memoryBytes: number;
  priorityLevel: string;
  /** Share of the API servers' capacity (1 = saturated by this alone). */
  capacityRatio: number;
}

export type Phase = 'steady' | 'start';

export interface RuleContext {
  workload: Workload;
  usage: InferredUsage;
  profiles: ClusterProfile[];
  inventory: Inventory;
  /** Estimates of a subset of calls at each profile, in a phase. */
  estimate(calls: UsageCall[], phase: Phase, clients?: number | 'perNode' | ((p: ClusterProfile) => number)): ProfileEstimate[];
}

export interface RuleHit {
  severity: Severity;
  line: number;
  file?: string;
  message: string;
  estimates?: ProfileEstimate[];
  /** Profiles at which the rule's load threshold is crossed. */
  profiles?: string[];
  phase?: Phase;
  fix?: ConcreteFix;
  evidence?: Evidence[];
}

export interface Rule {
  id: string;
  title: string;
  /** The highest severity it reports (load-based rules report less below their thresholds). */
  severity: Severity;
  why: string;
  remediation: string;
  fix: FixDescription;
  check(ctx: RuleContext): RuleHit[];
}

/** capacityRatio at or above which a load-based rule warns, and errors. */
export const WARN_RATIO = 0.1;
export const ERROR_RATIO = 1;
/** Below this share of capacity a load-based rule says nothing. */
export const NOTE_RATIO = 0.01;

// ---- formatting ---------------------------------------------------------------------------------

export function fmtNumber(n: number): string {
  if (!Number.isFinite(n)) return '∞';
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(a >= 1e10 ? 0 : 1)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(0)}k`;
  if (a >= 100) return Math.round(n).toLocaleString('en-US');
  if (a >= 10) return n.toFixed(0);
  if (a >= 1) return n.toFixed(1);
  if (a === 0) return '0';
  return n.toPrecision(2);
}

export function fmtBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let v = n;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export function fmtRatio(r: number): string {
  if (r >= 10) return `${fmtNumber(r)}× the API servers' capacity`;
  if (r >= 1) return `${r.toFixed(1)}× the API servers' capacity`;
  if (r < 0.001) return "<0.1% of the API servers' capacity";
  return `${(r * 100).toFixed(r >= 0.1 ? 0 : 1)}% of the API servers' capacity`;
}

export function describe(e: ProfileEstimate): string {
  return `at ${e.profile} (${e.nodes.toLocaleString('en-US')} nodes): ${fmtNumber(e.requestsPerSecond)} req/s reading ${fmtNumber(e.objectsPerSecond)} objects/s, ${fmtBytes(e.bytesPerSecond)}/s — ${fmtRatio(e.capacityRatio)}`;
}

/** Severity from the worst ratio across profiles; undefined below NOTE_RATIO. */
function loadSeverity(est: ProfileEstimate[]): { severity?: Severity; profiles: string[]; worst?: ProfileEstimate } {
  let worst: ProfileEstimate | undefined;
  for (const e of est) if (!worst || e.capacityRatio > worst.capacityRatio) worst = e;
  if (!worst || worst.capacityRatio < NOTE_RATIO) return { profiles: [], worst };
  const severity: Severity = worst.capacityRatio >= ERROR_RATIO ? 'error' : worst.capacityRatio >= WARN_RATIO ? 'warning' : 'info';
  const threshold = severity === 'error' ? ERROR_RATIO : severity === 'warning' ? WARN_RATIO : NOTE_RATIO;
  return { severity, profiles: est.filter((e) => e.capacityRatio >= threshold).map((e) => e.profile), worst };
}

/** The worse of the steady and start phases for some calls. */
function worstPhase(ctx: RuleContext, calls: UsageCall[], clients?: number | 'perNode'): { phase: Phase; est: ProfileEstimate[] } {
  const steady = ctx.estimate(calls, 'steady', clients);
  const start = ctx.estimate(calls, 'start', clients);
  const max = (x: ProfileEstimate[]) => x.reduce((m, e) => Math.max(m, e.capacityRatio), 0);
  return max(start) > max(steady) ? { phase: 'start', est: start } : { phase: 'steady', est: steady };
}

const phaseText = (phase: Phase) => (phase === 'start' ? `when every agent starts within ${START_WINDOW_SECONDS / 60} minutes (a new DaemonSet, an unthrottled update, an API server restart)` : 'in steady state');
export const rank = (s: Severity) => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);
const callText = (c: UsageCall) => `${c.verb.toUpperCase()} ${c.resource}${c.scope === 'cluster' ? ' cluster-wide' : c.scope === 'namespace' ? ' in a namespace' : ' of its node'}${c.intervalSeconds > 0 ? ` every ${fmtNumber(c.intervalSeconds)}s` : c.verb === 'watch' ? ' (watch)' : ''}`;
const perNode = (w: Workload) => w.clients === 'perNode';

// ---- the rules ------------------------------------------------------------------------------------

const perNodeClusterList: Rule = {
  id: 'per-node-cluster-list',
  title: 'Per-node agent lists or watches a whole cluster',
  severity: 'error',
  why: 'A DaemonSet runs one client per node. If each one lists or watches every pod (or node, endpoint, …) of the cluster, the work grows with nodes × objects: harmless on 20 nodes, hundreds of LISTs per second of 150,000 pods on 5,000 (the 2024-12-11 incident; REFERENCE.md: a per-node LIST every 15 s is >300 LIST/s at 5,000 nodes).',
  remediation: "Restrict each agent to its own node: a field selector `spec.nodeName=$(NODE_NAME)` (downward API), the agent's node filter (OTel `filter.node_from_env_var`, kube-state-metrics `--node`, Prometheus `selectors`), or read the local kubelet instead. If the agent really needs cluster-wide data, run one Deployment that fans it out.",
  fix: {
    kind: 'set-field',
    title: 'Scope the call to the agent\'s own node',
    where: 'the list/watch call (annotation scope, kubectl --field-selector, agent config filter)',
    insert: '--field-selector spec.nodeName=$(NODE_NAME)',
  },
  check(ctx) {
    if (!perNode(ctx.workload)) return [];
    const calls = ctx.usage.calls.filter((c) => (c.verb === 'list' || c.verb === 'watch') && c.scope === 'cluster' && SCALING_RESOURCES.has(c.resource));
    if (!calls.length) return [];
    const { phase, est } = worstPhase(ctx, calls);
    const s = loadSeverity(est);
    if (!s.severity || !s.worst) return [];
    const severity = ctx.usage.inherent ? 'info' : s.severity;
    const first = calls[0];
    const fix: ConcreteFix | undefined =
      first.evidence.source === 'annotation' && first.resource === 'pods'
        ? { kind: 'replace-value', title: 'Declare (and implement) scope: node', file: first.evidence.file, line: first.evidence.line, text: 'scope: node' }
        : undefined;
    return [
      {
        severity,
        line: first.evidence.line,
        file: first.evidence.file,
        message: `every node's ${ctx.workload.name} makes ${calls.map(callText).join(', ')}; ${phaseText(phase)} ${describe(s.worst)}${ctx.usage.inherent ? ' (this cost is inherent to what it does)' : ''}`,
        estimates: est,
        profiles: severity === 'info' && !ctx.usage.inherent ? [] : s.profiles,
        phase,
        fix,
        evidence: calls.map((c) => c.evidence),
      },
    ];
  },
};

const listFromEtcd: Rule = {
  id: 'list-from-etcd',
  title: 'Polling LIST without resourceVersion="0" (served from etcd)',
  severity: 'error',
  why: 'A LIST without resourceVersion is a consistent read from etcd: the API server reads every object of the resource from etcd even with a field selector, decodes it and holds ~5× the response in memory (KEP-2340, KEP-3157). resourceVersion="0" serves it from the watch cache, which has an index for pods by spec.nodeName. Consistent reads from the cache are GA only in 1.34.',
  remediation: 'Use an informer (one LIST, then a WATCH), or pass resourceVersion=0 on the LIST (`kubectl get --raw "/api/v1/pods?resourceVersion=0&fieldSelector=spec.nodeName=$NODE_NAME"`; kube-state-metrics: `--use-apiserver-cache`), and poll as rarely as the data needs.',
  fix: { kind: 'set-field', title: 'List from the watch cache (resourceVersion "0")', where: 'the polling call', insert: 'resourceVersion: "0"' },
  check(ctx) {
    // Polling LISTs, and the initial LIST of watches, without resourceVersion=0.
    const calls = ctx.usage.calls.filter((c) => (c.verb === 'list' || c.verb === 'watch') && c.resourceVersion !== '0' && SCALING_RESOURCES.has(c.resource));
    if (!calls.length) return [];
    const { phase, est } = worstPhase(ctx, calls);
    const s = loadSeverity(est);
    if (!s.severity || !s.worst) return [];
    const first = calls[0];
    const fix: ConcreteFix | undefined =
      first.evidence.source === 'annotation' ? { kind: 'set-field', title: 'List from the watch cache', file: first.evidence.file, line: first.evidence.line, text: 'resourceVersion: "0"' } : undefined;
    const selector = calls.some((c) => c.scope === 'node') ? ' (a spec.nodeName field selector does not avoid reading every object from etcd)' : '';
    return [
      {
        severity: ctx.usage.inherent ? 'info' : s.severity,
        line: first.evidence.line,
        file: first.evidence.file,
        message: `${calls.map(callText).join(', ')} without resourceVersion="0": ${phase === 'start' ? 'each initial LIST' : 'each LIST'} is read from etcd${selector}; ${phaseText(phase)} ${describe(s.worst)}`,
        estimates: est,
        profiles: s.profiles,
        phase,
        fix,
        evidence: calls.map((c) => c.evidence),
      },
    ];
  },
};

/** Pods an update restarts at once: maxUnavailable (+ maxSurge) of the nodes. */
function simultaneous(w: Workload, nodes: number): number {
  const us = w.updateStrategy;
  if (!us || us.type === 'OnDelete') return us?.type === 'OnDelete' ? 0 : 1;
  const of = (v: string | number | undefined, def: number) => {
    if (v === undefined) return def;
    if (typeof v === 'number') return v;
    const m = /^(\d+(?:\.\d+)?)%$/.exec(v.trim());
    if (m) return Math.ceil((Number(m[1]) / 100) * nodes);
    const n = Number(v);
    return Number.isFinite(n) ? n : def;
  };
  return Math.min(nodes, of(us.maxUnavailable, 1) + of(us.maxSurge, 0));
}

const rolloutUnthrottled: Rule = {
  id: 'daemonset-rollout-unthrottled',
  title: 'DaemonSet update restarts most agents at once',
  severity: 'warning',
  why: "A DaemonSet update with maxUnavailable 100% (or a large maxSurge) restarts every agent together; each starts with its initial LISTs (an informer's LIST, per-pod metadata GETs), so the API servers see the whole fleet's start-up burst at once. The 2024-12-11 telemetry rollout reached every node in minutes; the planned fix was phased rollouts gated on control-plane health.",
  remediation: 'Roll agents gradually: `maxUnavailable: 1` or a small percentage, and watch API-server health between steps.',
  fix: { kind: 'set-field', title: 'Roll one agent at a time', where: 'spec.updateStrategy.rollingUpdate of the DaemonSet', insert: 'maxUnavailable: 1' },
  check(ctx) {
    const w = ctx.workload;
    if (w.kind !== 'DaemonSet' || !w.updateStrategy) return [];
    const calls = ctx.usage.calls.length ? ctx.usage.calls : ctx.usage.reach;
    const startCalls = calls.filter((c) => c.atStart === 'podsOnNode' || c.atStart > 0);
    const frac = (p: ClusterProfile) => simultaneous(w, p.nodes) / p.nodes;
    const wide = ctx.profiles.filter((p) => frac(p) >= 0.25);
    if (!wide.length) return [];
    const largest = ctx.profiles.reduce((a, b) => (b.nodes > a.nodes ? b : a));
    const n = simultaneous(w, largest.nodes);
    const base = `an update restarts up to ${n.toLocaleString('en-US')} of ${largest.nodes.toLocaleString('en-US')} agents at once at ${largest.name}`;
    if (!startCalls.length) {
      return [{ severity: 'info', line: w.updateStrategy.line, message: `${base}; it makes no API calls at start that we know of` }];
    }
    const est = ctx.estimate(startCalls, 'start', (p) => simultaneous(w, p.nodes));
    const s = loadSeverity(est);
    const severity: Severity = s.severity && rank(s.severity) >= 2 ? 'warning' : 'info';
    return [
      {
        severity,
        line: w.updateStrategy.line,
        message: `${base}; their start-up requests (${startCalls.map((c) => callText({ ...c, intervalSeconds: 0 })).join(', ')}) ${s.worst ? describe(s.worst) : ''}`.trim(),
        estimates: est,
        profiles: severity === 'warning' ? s.profiles : [],
        phase: 'start',
        fix: { kind: 'set-field', title: 'Roll one agent at a time', file: w.file, line: w.updateStrategy.line, text: 'maxUnavailable: 1' },
      },
    ];
  },
};

const noOwnFlowSchema: Rule = {
  id: 'no-own-flowschema',
  title: 'Heavy API user without a FlowSchema of its own',
  severity: 'warning',
  why: 'With API Priority and Fairness every ServiceAccount lands in workload-low (kube-system ones in workload-high) beside every other controller. A heavy client there queues and starves everyone in the level; a FlowSchema of its own puts it in a level with its own seats, so when it misbehaves it hurts itself first.',
  remediation: 'Add a FlowSchema that matches its ServiceAccount and a PriorityLevelConfiguration with a bounded share (and queuing), so its load is isolated.',
  fix: {
    kind: 'add-objects',
    title: 'Add a FlowSchema and PriorityLevelConfiguration for this ServiceAccount',
    where: 'a new document in the same file',
    insert: `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata:
  name: <name>
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 10
    lendablePercent: 0
    limitResponse:
      type: Queue
      queuing: {queues: 16, handSize: 4, queueLengthLimit: 50}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata:
  name: <name>
spec:
  priorityLevelConfiguration:
    name: <name>
  matchingPrecedence: 1000
  distinguisherMethod:
    type: ByUser
  rules:
    - subjects:
        - kind: ServiceAccount
          serviceAccount: {name: <serviceAccount>, namespace: <namespace>}
      resourceRules:
        - verbs: ["*"]
          apiGroups: ["*"]
          resources: ["*"]
          clusterScope: true
          namespaces: ["*"]`,
  },
  check(ctx) {
    if (ctx.usage.flowSchema || !ctx.usage.calls.length || ctx.usage.inherent) return [];
    const { phase, est } = worstPhase(ctx, ctx.usage.calls);
    const s = loadSeverity(est);
    if (!s.severity || rank(s.severity) < 2 || !s.worst) return [];
    const w = ctx.workload;
    const text = (noOwnFlowSchema.fix.insert ?? '').replace(/<name>/g, w.name).replace(/<serviceAccount>/g, w.serviceAccount).replace(/<namespace>/g, w.namespace);
    return [
      {
        severity: 'warning',
        line: w.serviceAccountLine,
        message: `${w.namespace}/${w.serviceAccount} has no FlowSchema of its own: its requests land in ${ctx.usage.priorityLevel} with everyone else's; ${phaseText(phase)} ${describe(s.worst)}`,
        estimates: est,
        profiles: s.profiles,
        phase,
        fix: { kind: 'add-objects', title: 'Add a FlowSchema and PriorityLevelConfiguration', file: w.file, afterLine: Number.MAX_SAFE_INTEGER, text: `---\n${text}\n` },
      },
    ];
  },
};

const replicasNoLeader: Rule = {
  id: 'replicas-without-leader-election',
  title: 'Replicated controller lists without leader election',
  severity: 'warning',
  why: 'Every replica of a controller that lists or watches cluster-wide does the same reads; without leader election N replicas cost N times as much (and act N times). Controllers such as cluster-autoscaler run one active replica behind a Lease.',
  remediation: 'Enable leader election (`--leader-elect`, a coordination.k8s.io Lease) so one replica does the work, or run one replica.',
  fix: { kind: 'set-flag', title: 'Enable leader election', where: 'the container args', insert: '--leader-elect=true' },
  check(ctx) {
    const w = ctx.workload;
    if (typeof w.clients !== 'number' || w.clients <= 1 || ctx.usage.leaderElection) return [];
    const calls = ctx.usage.calls.filter((c) => (c.verb === 'list' || c.verb === 'watch') && c.scope === 'cluster');
    if (!calls.length) return [];
    const { phase, est } = worstPhase(ctx, calls);
    const s = loadSeverity(est);
    return [
      {
        severity: s.severity === 'error' ? 'error' : 'warning',
        line: w.line,
        message: `${w.clients} replicas each make ${calls.map(callText).join(', ')} and nothing shows leader election${s.worst ? `; ${phaseText(phase)} ${describe(s.worst)}` : ''}`,
        estimates: est,
        profiles: s.profiles,
        phase,
      },
    ];
  },
};

const clientQpsHigh: Rule = {
  id: 'client-qps-high',
  title: 'Client QPS/burst raised high',
  severity: 'warning',
  why: 'client-go limits each client to QPS 5, burst 10 by default (kubelet: 50/100). Raising it removes the brake that keeps a misbehaving client from flooding the API server; on a DaemonSet the ceiling is multiplied by the node count.',
  remediation: 'Keep client QPS near the defaults for per-node agents; if a controller needs more, give it its own FlowSchema and priority level.',
  fix: { kind: 'replace-value', title: 'Lower the client QPS', where: 'the QPS/burst flag', insert: '--kube-api-qps=5' },
  check(ctx) {
    const q = ctx.usage.qps;
    if (!q) return [];
    const w = ctx.workload;
    const qps = q.qps ?? 0;
    const burst = q.burst ?? 0;
    const high = perNode(w) ? qps > 20 || burst > 40 : qps > 100 || burst > 200;
    if (!high) return [];
    const largest = ctx.profiles.reduce((a, b) => (b.nodes > a.nodes ? b : a));
    const clients = perNode(w) ? largest.nodes : (w.clients as number);
    return [
      {
        severity: 'warning',
        line: q.line,
        message: `${q.flag}${q.qps !== undefined ? ` QPS ${q.qps}` : ''}${q.burst !== undefined ? ` burst ${q.burst}` : ''}: up to ${fmtNumber(clients * Math.max(qps, 1))} req/s from ${clients.toLocaleString('en-US')} clients at ${largest.name} (client-go default QPS 5, burst 10)`,
      },
    ];
  },
};

const rbacUndeclared: Rule = {
  id: 'rbac-undeclared',
  title: 'May list/watch cluster-wide, usage not declared',
  severity: 'warning',
  why: "Its ServiceAccount may list or watch pods, nodes or endpoints across the cluster, and nothing in the manifest says how it uses that (no annotation, no known agent, no command). On a DaemonSet that reach is multiplied by the node count; the reviewer cannot tell a node-scoped agent from the 2024-12-11 telemetry service.",
  remediation: 'Declare what it does with the `breakglass.dev/api-calls` annotation (`[]` if it makes no such calls), or narrow its RBAC.',
  fix: {
    kind: 'insert-annotation',
    title: 'Declare its API calls',
    where: 'metadata.annotations of the workload',
    insert: 'breakglass.dev/api-calls: |\n  - {verb: watch, resource: pods, scope: node}',
  },
  check(ctx) {
    const u = ctx.usage;
    if (u.calls.length || u.declared || u.source === 'agent' || u.source === 'annotation' || u.source === 'command') return [];
    const wide = u.reach.filter((c) => c.scope === 'cluster');
    if (!wide.length) return [];
    const w = ctx.workload;
    const est = ctx.estimate(wide, 'start');
    const s = loadSeverity(est);
    const text = renderApiCallsAnnotation(wide.map((c) => ({ ...c, scope: c.resource === 'pods' ? 'node' : c.scope })), '  ');
    return [
      {
        severity: perNode(w) ? 'warning' : 'info',
        line: w.serviceAccountLine,
        message: `${w.namespace}/${w.serviceAccount} may ${[...new Set(wide.map((c) => c.resource))].join(', ')} cluster-wide and its usage is not declared${perNode(w) ? ' (one client per node)' : ''}; if each ${perNode(w) ? 'agent' : 'replica'} watched all of it: ${s.worst ? describe(s.worst) : 'negligible'}. Declare it with the breakglass.dev/api-calls annotation.`,
        estimates: est,
        profiles: perNode(w) ? s.profiles : [],
        phase: 'start',
        fix: { kind: 'insert-annotation', title: 'Declare its API calls (edit to what it really does)', file: w.file, afterLine: w.annotationsLine, text },
        evidence: wide.map((c) => c.evidence),
      },
    ];
  },
};

const rbacBroader: Rule = {
  id: 'rbac-broader-than-usage',
  title: 'RBAC allows cluster-wide reads the agent does not use',
  severity: 'info',
  why: 'Its known configuration reads no more than its own node (or nothing) from the API server, but its ServiceAccount may list/watch cluster-wide. A configuration change (or a new version) could use that reach on every node without anything in review changing.',
  remediation: 'Drop list/watch on resources it does not read, or declare the intended usage with the `breakglass.dev/api-calls` annotation.',
  fix: { kind: 'edit-config', title: 'Narrow the ClusterRole', where: 'the ClusterRole rules bound to its ServiceAccount' },
  check(ctx) {
    const u = ctx.usage;
    if (!perNode(ctx.workload) || u.source === 'rbac' || u.source === 'none') return [];
    const used = new Set(u.calls.filter((c) => c.scope === 'cluster' && (c.verb === 'list' || c.verb === 'watch')).map((c) => c.resource));
    const extra = u.rbacGrants.filter((g) => g.scope === 'cluster' && ['pods', 'nodes', 'endpoints', 'endpointslices', 'services'].includes(g.resource) && !used.has(g.resource));
    if (!extra.length) return [];
    return [
      {
        severity: 'info',
        line: extra[0].line,
        file: extra[0].file,
        message: `${extra[0].role} lets every ${ctx.workload.name} agent list/watch ${[...new Set(extra.map((g) => g.resource))].join(', ')} cluster-wide; its configuration does not${u.source === 'agent' ? ` (${u.agents.join(', ')})` : ''}`,
      },
    ];
  },
};

const nodeLocalSource: Rule = {
  id: 'node-local-source',
  title: 'Per-node agent asks the API server for what its kubelet knows',
  severity: 'warning',
  why: "Pod metadata of a node's own pods is available from the local kubelet. An agent that asks the API server instead sends nodes × pods requests at every restart (150,000 GETs for a 5,000-node fleet) and more on cache misses; fluent-bit added Use_Kubelet for large clusters for this reason (fluent-bit #1948, PR #3025; >2,000 req/s in #11134).",
  remediation: "Switch the agent to its kubelet mode (fluent-bit: `Use_Kubelet On`, `Kubelet_Port 10250`, hostNetwork and RBAC on nodes/proxy).",
  fix: { kind: 'edit-config', title: 'Read pod metadata from the kubelet', where: 'the agent configuration (fluent-bit [FILTER] kubernetes)', insert: 'Use_Kubelet         On\nKubelet_Port        10250' },
  check(ctx) {
    return ctx.usage.hints
      .filter((h) => h.rule === 'node-local-source')
      .map((h) => {
        const calls = ctx.usage.calls.filter((c) => c.evidence.line === h.line && c.evidence.file === h.file);
        const est = ctx.estimate(calls, 'start');
        const largest = est.reduce<ProfileEstimate | undefined>((a, b) => (!a || b.nodes > a.nodes ? b : a), undefined);
        const burst = largest ? Math.round(largest.requestsPerSecond * START_WINDOW_SECONDS) : 0;
        return {
          severity: 'warning' as Severity,
          line: h.line,
          file: h.file,
          message: `${h.message}: ${largest ? `${burst.toLocaleString('en-US')} requests when the fleet restarts at ${largest.profile}; ` : ''}${h.change}`,
          estimates: est,
          profiles: est.map((e) => e.profile),
          phase: 'start' as Phase,
          fix: { kind: 'edit-config' as const, title: 'Read pod metadata from the kubelet', file: h.file, afterLine: h.line, text: '    Use_Kubelet         On\n    Kubelet_Port        10250' },
        };
      });
  },
};

const fanoutProxy: Rule = {
  id: 'fanout-proxy',
  title: "Per-node agent bypasses its project's cluster-level proxy",
  severity: 'warning',
  why: 'Some agents come with a cluster-level component that reads the API server once and serves every node (Datadog Cluster Agent, Calico Typha). Without it every node queries the API server itself: "non linear increase of the load on the API Server and ETCD" (Datadog), Typha "essential" above 100 nodes (Calico).',
  remediation: 'Deploy the cluster-level component and point the node agents at it (Datadog: DD_CLUSTER_AGENT_ENABLED=true; Calico: calico-typha + FELIX_TYPHAK8SSERVICENAME).',
  fix: { kind: 'set-field', title: 'Point the agents at the cluster-level proxy', where: 'the node agent env', insert: '- name: DD_CLUSTER_AGENT_ENABLED\n  value: "true"' },
  check(ctx) {
    return ctx.usage.hints
      .filter((h) => h.rule === 'fanout-proxy')
      .map((h) => {
        const { phase, est } = worstPhase(ctx, ctx.usage.calls);
        const s = loadSeverity(est);
        return { severity: 'warning' as Severity, line: h.line, file: h.file, message: `${h.message}; ${h.change}${s.worst ? `; ${phaseText(phase)} ${describe(s.worst)}` : ''}`, estimates: est, profiles: s.profiles, phase };
      });
  },
};

const fanoutUndersized: Rule = {
  id: 'fanout-undersized',
  title: 'Fan-out proxy has too few replicas for the largest cluster',
  severity: 'info',
  why: 'Calico recommends one Typha replica per 100–200 nodes; a single replica serving thousands of Felix agents is a bottleneck and, when it restarts, every agent resyncs through the remaining ones.',
  remediation: 'Scale calico-typha with the cluster (one replica per 100–200 nodes, at least 3 in production).',
  fix: { kind: 'set-field', title: 'Raise replicas', where: 'spec.replicas of the Deployment', insert: 'replicas: 3' },
  check(ctx) {
    const w = ctx.workload;
    const replicas = w.clients;
    if (!ctx.usage.hints.some((h) => h.rule === 'fanout-undersized') || typeof replicas !== 'number') return [];
    const short = ctx.profiles.filter((p) => replicas < Math.ceil(p.nodes / 200));
    if (!short.length) return [];
    const p = short.reduce((a, b) => (b.nodes > a.nodes ? b : a));
    return [{ severity: 'info', line: w.line, message: `${w.name} has ${w.clients} replica(s); ${p.name} (${p.nodes.toLocaleString('en-US')} nodes) needs ${Math.ceil(p.nodes / 200)}–${Math.ceil(p.nodes / 100)} (one per 100–200 nodes)`, profiles: short.map((x) => x.name) }];
  },
};

const hotLoop: Rule = {
  id: 'loop-without-sleep',
  title: 'API calls in a loop without a sleep',
  severity: 'error',
  why: 'A shell loop that calls kubectl or the API without sleeping sends requests back to back, as fast as the API server answers; kubectl also retries 429s about ten times.',
  remediation: 'Sleep between iterations (and make the interval as long as the data allows), or use `kubectl get -w` / an informer.',
  fix: { kind: 'edit-config', title: 'Sleep between iterations', where: 'the loop body', insert: 'sleep 60' },
  check(ctx) {
    return ctx.usage.hotLoops.map((e) => ({ severity: 'error' as Severity, line: e.line, file: e.file, message: `loop makes API calls with no sleep (estimated as one per second per client): ${e.detail}`, evidence: [e] }));
  },
};

export const RULES: Rule[] = [perNodeClusterList, listFromEtcd, rolloutUnthrottled, noOwnFlowSchema, replicasNoLeader, clientQpsHigh, rbacUndeclared, rbacBroader, nodeLocalSource, fanoutProxy, fanoutUndersized, hotLoop];

/** Findings that come from reading, not from a rule's check (listed for docs and SARIF). */
export const ANNOTATION_RULE: Omit<Rule, 'check'> = {
  id: 'annotation-invalid',
  title: 'breakglass.dev/api-calls annotation is not valid',
  severity: 'error',
  why: 'The declared contract is the most trusted evidence; a malformed one is ignored, and the workload is judged from weaker evidence.',
  remediation: 'Write it as a YAML list of {verb, resource, scope: cluster|namespace|node, interval, resourceVersion}.',
  fix: { kind: 'replace-value', title: 'Fix the annotation', where: 'metadata.annotations["breakglass.dev/api-calls"]', insert: '- {verb: list, resource: pods, scope: node, interval: 60s, resourceVersion: "0"}' },
};

export function ruleById(id: string): Omit<Rule, 'check'> | undefined {
  return RULES.find((r) => r.id === id) ?? (id === ANNOTATION_RULE.id ? ANNOTATION_RULE : undefined);
}

export function allRules(): Omit<Rule, 'check'>[] {
  return [...RULES, ANNOTATION_RULE];
}

/** The rules as markdown (the generated docs). */
export function renderRulesMarkdown(): string {
  const out: string[] = ['# Breakglass lint rules', '', 'Generated from the rule registry (`src/analysis/rules.ts`). Load-based rules report `info` from ' + `${NOTE_RATIO * 100}%, \`warning\` from ${WARN_RATIO * 100}% and \`error\` from ${ERROR_RATIO * 100}% of the API servers' capacity (the shared cost model's capacityRatio) at any cluster profile.`, '', '| id | severity | title |', '| --- | --- | --- |'];
  for (const r of allRules()) out.push(`| [\`${r.id}\`](#${r.id}) | ${r.severity} | ${r.title} |`);
  out.push(
    '',
    '## Declaring a workload\'s API calls',
    '',
    'The strongest evidence is the workload\'s own contract, the `breakglass.dev/api-calls` annotation (on the workload or its pod template): a YAML or JSON list of calls. `scope` is `cluster` (every object), `namespace` or `node` (filtered to the client\'s own node); `interval` is a duration (for a watch, the time between re-lists; omit it for a watch that lists once); `resourceVersion: "0"` means served from the watch cache, omitted means a consistent read from etcd; `encoding` is `json` (default) or `protobuf`. `[]` declares that it makes no API calls. Without it the analyzer recognises known agents from their image and mounted configuration, reads kubectl/curl calls in commands and scripts, and finally reports what the ServiceAccount\'s RBAC would allow.',
    '',
    '```yaml',
    'metadata:',
    '  annotations:',
    '    breakglass.dev/api-calls: |',
    '      - {verb: list, resource: pods, scope: node, interval: 30s, resourceVersion: "0"}',
    '      - {verb: watch, resource: nodes, scope: node}',
    '```',
    '',
  );
  for (const r of allRules()) {
    out.push(`## ${r.id}`, '', `**${r.title}** (up to ${r.severity})`, '', `*Why.* ${r.why}`, '', `*Remediation.* ${r.remediation}`, '', `*Quick fix* (${r.fix.kind}): ${r.fix.title} — in ${r.fix.where}.`);
    if (r.fix.insert) out.push('', '```yaml', r.fix.insert, '```');
    out.push('');
  }
  return out.join('\n');
}

/** Estimates helper used by analyze: one profile's numbers from the shared cost model. */
export function profileEstimate(usage: WorkloadUsage, p: ClusterProfile): ProfileEstimate {
  const e = estimate(usage, p);
  return {
    profile: p.name,
    nodes: p.nodes,
    podsPerNode: p.podsPerNode,
    clients: e.clients,
    requestsPerSecond: e.requestsPerSecond,
    objectsPerSecond: e.objectsPerSecond,
    bytesPerSecond: e.bytesPerSecond,
    seats: e.seatsInUse,
    cpu: e.apiServerCores,
    memoryBytes: e.memoryBytes,
    priorityLevel: e.priorityLevel,
    capacityRatio: e.capacityRatio,
  };
}

export { steadyUsage, startUsage };
