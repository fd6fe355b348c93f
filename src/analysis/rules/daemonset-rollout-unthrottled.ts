import type { ClusterProfile } from '../../cost/model';
import { blockAround, indentOf, setOnLine, type Lines } from '../edit';
import { describe } from '../format';
import { callText, largestProfile, loadSeverity, rank } from '../load';
import type { Workload } from '../objects';
import { planFromFix } from '../plan';
import type { Severity } from '../read';
import type { Rule, TextEdit } from '../types';

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

export const daemonsetRolloutUnthrottled: Rule = {
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
    const largest = largestProfile(ctx.profiles);
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
  planFixes: (input) => planFromFix(input, { moreEdits: noSurge }),
};

/** maxUnavailable + maxSurge agents restart together: no surge either (beside maxUnavailable, or in its flow mapping). */
function noSurge(L: Lines, line: number): (TextEdit | undefined)[] {
  const edits: (TextEdit | undefined)[] = [];
  const surge = /(^|[\s{,])maxSurge\s*:\s*(?!["']?0%?["']?\s*(?:[,}#]|$))[^\s,}#]/;
  const own = L.line(line);
  if (own.includes('{') && surge.test(own)) edits.push(setOnLine(L, line, 'maxSurge', '0'));
  const [a, b] = blockAround(L, line);
  const ind = indentOf(own);
  for (let i = a; i <= b; i++) {
    const s = L.line(i);
    if (indentOf(s) === ind && /^\s*maxSurge\s*:/.test(s) && surge.test(s)) edits.push(setOnLine(L, i, 'maxSurge', '0'));
  }
  return edits;
}
