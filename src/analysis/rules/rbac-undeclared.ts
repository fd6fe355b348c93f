import { describe } from '../format';
import { loadSeverity, perNode } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';
import { renderApiCallsAnnotation } from '../usage';

export const rbacUndeclared: Rule = {
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
  planFixes: planFromFix,
};
