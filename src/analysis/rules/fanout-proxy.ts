import { describe } from '../format';
import { hintsFor, loadSeverity, phaseText, worstPhase } from '../load';
import { planFromFix } from '../plan';
import type { Severity } from '../read';
import type { Rule } from '../types';

export const fanoutProxy: Rule = {
  id: 'fanout-proxy',
  title: "Per-node agent bypasses its project's cluster-level proxy",
  severity: 'warning',
  why: 'Some agents come with a cluster-level component that reads the API server once and serves every node (Datadog Cluster Agent, Calico Typha). Without it every node queries the API server itself: "non linear increase of the load on the API Server and ETCD" (Datadog), Typha "essential" above 100 nodes (Calico).',
  remediation: 'Deploy the cluster-level component and point the node agents at it (Datadog: DD_CLUSTER_AGENT_ENABLED=true; Calico: calico-typha + FELIX_TYPHAK8SSERVICENAME).',
  fix: { kind: 'set-field', title: 'Point the agents at the cluster-level proxy', where: 'the node agent env', insert: '- name: DD_CLUSTER_AGENT_ENABLED\n  value: "true"' },
  check(ctx) {
    return hintsFor(ctx, 'fanout-proxy').map((h) => {
      const { phase, est } = worstPhase(ctx, ctx.usage.calls);
      const s = loadSeverity(est);
      return { severity: 'warning' as Severity, line: h.line, file: h.file, message: `${h.message}; ${h.change}${s.worst ? `; ${phaseText(phase)} ${describe(s.worst)}` : ''}`, estimates: est, profiles: s.profiles, phase };
    });
  },
  planFixes: planFromFix,
};
