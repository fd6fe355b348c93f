import { findContainer, nodeNameEnv, blank, indentOf, insertAfterLine, pad, type Lines } from '../edit';
import { describe } from '../format';
import { callText, changeText, evidenceText, loadSeverity, perNode, phaseText, worstPhase } from '../load';
import { planFromFix, planOf } from '../plan';
import type { ConcreteFix, FixInput, FixPlan, Rule, TextEdit } from '../types';
import { SCALING_RESOURCES } from '../usage';

export const perNodeClusterList: Rule = {
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
    // What only an elected leader does is one client, not one per node.
    const all = ctx.usage.calls.filter((c) => (c.verb === 'list' || c.verb === 'watch') && c.scope === 'cluster' && SCALING_RESOURCES.has(c.resource) && c.clients === undefined);
    // A service proxy's Services and EndpointSlices are what kube-proxy watches on every node:
    // judged only when nothing else is (then as inherent, like kube-proxy itself).
    const blamed = all.filter((c) => !c.inherent);
    const calls = blamed.length ? blamed : all;
    if (!calls.length) return [];
    const inherent = ctx.usage.inherent || !blamed.length;
    const { phase, est } = worstPhase(ctx, calls);
    const s = loadSeverity(est);
    if (!s.severity || !s.worst) return [];
    const severity = inherent ? 'info' : s.severity;
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
        message: `every node's ${ctx.workload.name} makes ${calls.map(callText).join(', ')} (${evidenceText(calls)}); ${phaseText(phase)} ${describe(s.worst)}${inherent ? ' (this cost is inherent to what it does)' : `. Scoping each agent to its own node (a spec.nodeName field selector, its node filter) or reading the kubelet would clear this${changeText(calls)}`}`,
        estimates: est,
        profiles: severity === 'info' && !inherent ? [] : s.profiles,
        phase,
        fix,
        evidence: calls.map((c) => c.evidence),
      },
    ];
  },
  planFixes(input) {
    // The declared scope, on every declared call of pods and nodes it is about; then node scoping
    // for the calls read from commands and agent configurations.
    return [...planFromFix(input, { alsoOn: (ev, key) => key === 'scope' && /\b(pods|nodes)\b \(cluster\)/.test(ev.detail) }), ...kubectlFieldSelector(input), ...k8sattributesFilter(input)];
  },
};

/** kubectl get pods/nodes in a container's command: a field selector with the node's name from the downward API. */
function kubectlFieldSelector(input: FixInput): FixPlan[] {
  const { lines: L, path, finding: f, report } = input;
  const cmd = f.evidence.filter((ev) => ev.source === 'command' && ev.file === path);
  if (!report || !cmd.length) return [];
  const edits: (TextEdit | undefined)[] = [];
  // Each container running such a command needs the env var itself.
  const envs = new Map<number, ReturnType<typeof nodeNameEnv>>();
  for (const ev of cmd) {
    const line = ev.line - 1;
    const s = L.line(line);
    const m = /\bkubectl\b[^;|&\n]*?\bget\s+(pods?|po|nodes?|no)\b/.exec(s);
    if (!m || /--field-selector/.test(s.slice(m.index))) continue;
    const c = findContainer(L, report.line - 1, { line });
    if (!c) {
      edits.push(undefined);
      break;
    }
    let env = envs.get(c.nameLine);
    if (!env) {
      env = nodeNameEnv(L, c, 'NODE_NAME');
      envs.set(c.nameLine, env);
      if (env.edit) edits.push(env.edit);
    }
    const field = /^(po|pod|pods)$/.test(m[1]) ? 'spec.nodeName' : 'metadata.name';
    const at = L.starts[line] + m.index + m[0].length;
    edits.push({ start: at, end: at, newText: ` --field-selector ${field}=\${${env.name}}` });
  }
  const names = [...new Set([...envs.values()].map((x) => x.name))];
  return names.length ? planOf(input, `Only its own node: --field-selector with ${names.join(', ')} from the downward API`, edits) : [];
}

/** OpenTelemetry's k8sattributes processor: `filter: node_from_env_var`, and the env var it names. */
function k8sattributesFilter(input: FixInput): FixPlan[] {
  const { lines: L, path, finding: f, report } = input;
  const k8sattr = f.evidence.find((ev) => ev.source === 'agent' && ev.file === path && /^otel k8sattributes: pods of every node/.test(ev.detail));
  if (!report || !k8sattr) return [];
  const c = findContainer(L, report.line - 1, { image: /opentelemetry-collector|otelcol|otel\/|splunk-otel-collector|aws-otel-collector/i });
  if (!c) return [];
  const env = nodeNameEnv(L, c, 'K8S_NODE_NAME');
  return planOf(input, `k8sattributes: only the pods of its own node (filter.node_from_env_var: ${env.name})`, [k8sNodeFilter(L, k8sattr.line - 1, env.name), env.edit].filter((x, i) => i === 0 || x !== undefined));
}

/** `filter: node_from_env_var: <VAR>` under the processor's key. */
function k8sNodeFilter(L: Lines, line: number, envName: string): TextEdit | undefined {
  const s = L.line(line);
  if (!/^\s*[^\s:#][^:#]*:\s*(#.*)?$/.test(s)) return undefined;
  const ind = indentOf(s);
  let next = line + 1;
  while (next < L.count && blank(L.line(next))) next++;
  const child = next < L.count && indentOf(L.line(next)) > ind ? indentOf(L.line(next)) : ind + 2;
  for (let i = line + 1; i < L.count; i++) {
    const t = L.line(i);
    if (blank(t)) continue;
    if (indentOf(t) <= ind) break;
    if (indentOf(t) !== child || !/^\s*filter\s*:/.test(t)) continue;
    if (!/^\s*filter\s*:\s*(#.*)?$/.test(t)) return undefined;
    let n = i + 1;
    while (n < L.count && blank(L.line(n))) n++;
    const grand = n < L.count && indentOf(L.line(n)) > child ? indentOf(L.line(n)) : child + 2;
    return insertAfterLine(L, i, [`${pad(grand)}node_from_env_var: ${envName}`]);
  }
  return insertAfterLine(L, line, [`${pad(child)}filter:`, `${pad(child + 2)}node_from_env_var: ${envName}`]);
}
