import { describe } from '../format';
import { callText, loadSeverity, phaseText, worstPhase } from '../load';
import { planFromFix } from '../plan';
import type { ConcreteFix, Rule } from '../types';
import { SCALING_RESOURCES } from '../usage';

export const listFromEtcd: Rule = {
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
  // resourceVersion "0" on every declared call the finding is about.
  planFixes: (input) => planFromFix(input, { alsoOn: () => true }),
};
