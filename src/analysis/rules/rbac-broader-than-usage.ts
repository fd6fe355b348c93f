import { perNode } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';

export const rbacBroaderThanUsage: Rule = {
  id: 'rbac-broader-than-usage',
  title: 'RBAC allows cluster-wide reads the agent does not use',
  severity: 'info',
  why: 'Its known configuration reads no more than its own node (or nothing) from the API server, but its ServiceAccount may list/watch cluster-wide. A configuration change (or a new version) could use that reach on every node without anything in review changing.',
  remediation: 'Drop list/watch on resources it does not read, or declare the intended usage with the `breakglass.dev/api-calls` annotation.',
  fix: { kind: 'edit-config', title: 'Narrow the ClusterRole', where: 'the ClusterRole rules bound to its ServiceAccount' },
  check(ctx) {
    const u = ctx.usage;
    // Only when its usage is fully known: an unmodelled part of its configuration may use the grant.
    if (!perNode(ctx.workload) || u.source === 'rbac' || u.source === 'none' || u.unmodelled.length || u.agentUnknown) return [];
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
  planFixes: planFromFix,
};
