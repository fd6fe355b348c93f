import { hintsFor } from '../load';
import type { Severity } from '../read';
import { planFromFix } from '../plan';
import type { Phase, ProfileEstimate, Rule } from '../types';
import { START_WINDOW_SECONDS } from '../usage';

export const nodeLocalSource: Rule = {
  id: 'node-local-source',
  title: 'Per-node agent asks the API server for what its kubelet knows',
  severity: 'warning',
  why: "Pod metadata of a node's own pods is available from the local kubelet. An agent that asks the API server instead sends nodes × pods requests at every restart (150,000 GETs for a 5,000-node fleet) and more on cache misses; fluent-bit added Use_Kubelet for large clusters for this reason (fluent-bit #1948, PR #3025; >2,000 req/s in #11134).",
  remediation: "Switch the agent to its kubelet mode (fluent-bit: `Use_Kubelet On`, `Kubelet_Port 10250`, hostNetwork and RBAC on nodes/proxy).",
  fix: { kind: 'edit-config', title: 'Read pod metadata from the kubelet', where: 'the agent configuration (fluent-bit [FILTER] kubernetes)', insert: 'Use_Kubelet         On\nKubelet_Port        10250' },
  check(ctx) {
    return hintsFor(ctx, 'node-local-source').map((h) => {
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
  planFixes: planFromFix,
};
