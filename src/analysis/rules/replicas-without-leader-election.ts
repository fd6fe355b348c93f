import { describe } from '../format';
import { callText, loadSeverity, phaseText, worstPhase } from '../load';
import { planFromFix } from '../plan';
import type { Rule } from '../types';

export const replicasWithoutLeaderElection: Rule = {
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
  planFixes: planFromFix,
};
