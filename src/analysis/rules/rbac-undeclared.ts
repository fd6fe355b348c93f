import { describe } from '../format';
import { loadSeverity, perNode } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';
import { renderApiCallsAnnotation, type UsageCall } from '../usage';

/**
 * The weakest evidence: what the ServiceAccount's RBAC would allow, priced as if every grant
 * were an informer on the whole cluster in every pod. An upper bound, never a verdict: a
 * node-maintenance daemon that may list pods to drain its own node has the same grant as the
 * 2024-12-11 telemetry service, so this reports `info` and names what would give a verdict.
 */
export const rbacUndeclared: Rule = {
  id: 'rbac-undeclared',
  title: 'Usage unknown: at most what its RBAC allows',
  severity: 'info',
  why: "Its ServiceAccount may list or watch pods, nodes or endpoints across the cluster, and nothing in the manifests says how it uses that: no breakglass.dev/api-calls annotation, no recognised agent (or one whose configuration is not here, or uses parts whose API usage is not known), no API calls in its commands. RBAC is what it may do, not what it does, so the estimate is an upper bound — reported, not flagged. Declaring its calls turns it into a verdict.",
  remediation: 'Declare what it does with the `breakglass.dev/api-calls` annotation (`[]` if it makes no such calls), or narrow its RBAC to what it uses.',
  fix: {
    kind: 'insert-annotation',
    title: 'Declare its API calls',
    where: 'metadata.annotations of the workload',
    insert: 'breakglass.dev/api-calls: |\n  - {verb: watch, resource: pods, scope: node}',
  },
  check(ctx) {
    const u = ctx.usage;
    if (u.declared || u.source === 'annotation' || u.source === 'command') return [];
    const partial = u.source === 'agent' && (u.unmodelled.length > 0 || u.agentUnknown);
    if (u.source === 'agent' && !partial) return [];
    if (u.calls.length && !partial) return [];
    const wide = u.reach.filter((c) => c.scope === 'cluster');
    if (!wide.length) return [];
    const w = ctx.workload;
    const many = perNode(w) ? 'every pod (one per node)' : `each of its ${w.clients} replicas`;
    const est = ctx.estimate(wide, 'start');
    const s = loadSeverity(est);
    const resources = [...new Set(wide.map((c) => c.resource))];
    let scoped = '';
    if (u.nodeHints.length && perNode(w) && wide.some((c) => c.resource === 'pods' || c.resource === 'nodes')) {
      const nodeScoped: UsageCall[] = wide.map((c) => (c.resource === 'pods' || c.resource === 'nodes' ? { ...c, scope: 'node' } : c));
      const e2 = loadSeverity(ctx.estimate(nodeScoped, 'start'));
      scoped = ` ${u.nodeHints[0].detail}, a sign that it reads only its own node: then at most ${e2.worst ? describe(e2.worst) : 'negligible'}.`;
    }
    const why = partial
      ? u.agentUnknown
        ? `${u.agents.join(', ')} is recognised, but its configuration is not in these files`
        : `its configuration uses ${u.unmodelled.join('; ')}, whose API usage is not known here`
      : 'nothing here says what it does with that';
    const text = renderApiCallsAnnotation(wide.map((c) => ({ ...c, scope: c.resource === 'pods' ? 'node' : c.scope })), '  ');
    return [
      {
        severity: 'info',
        line: w.serviceAccountLine,
        message: `${w.namespace}/${w.serviceAccount} may list/watch ${resources.join(', ')} cluster-wide, and ${why}. At most ${s.worst ? describe(s.worst) : 'negligible'}, if every grant were used cluster-wide by ${many}.${scoped} Declare its calls with the breakglass.dev/api-calls annotation (\`[]\` if none) for a verdict.`,
        estimates: est,
        profiles: [],
        phase: 'start',
        fix: { kind: 'insert-annotation', title: 'Declare its API calls (edit to what it really does)', file: w.file, afterLine: w.annotationsLine, text },
        evidence: [...wide.map((c) => c.evidence), ...u.nodeHints],
      },
    ];
  },
  planFixes: planFromFix,
};
