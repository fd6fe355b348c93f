// Load-based judgement shared by the rules: severity from the share of capacity, the worse phase,
// and one profile's numbers from the shared cost model.
import { estimate, type ClusterProfile, type WorkloadUsage } from '../cost/model';
import { fmtNumber, maxRatio, worstEstimate } from './format';
import type { Workload } from './objects';
import type { Severity } from './read';
import type { Phase, ProfileEstimate, RuleContext } from './types';
import { START_WINDOW_SECONDS, type UsageCall } from './usage';

/** capacityRatio at or above which a load-based rule warns, and errors. */
export const WARN_RATIO = 0.1;
export const ERROR_RATIO = 1;
/** Below this share of capacity a load-based rule says nothing. */
export const NOTE_RATIO = 0.01;

export const rank = (s: Severity) => (s === 'error' ? 3 : s === 'warning' ? 2 : 1);

/** Severity from the worst ratio across profiles; undefined below NOTE_RATIO. */
export function loadSeverity(est: ProfileEstimate[]): { severity?: Severity; profiles: string[]; worst?: ProfileEstimate } {
  const worst = worstEstimate(est);
  if (!worst || worst.capacityRatio < NOTE_RATIO) return { profiles: [], worst };
  const severity: Severity = worst.capacityRatio >= ERROR_RATIO ? 'error' : worst.capacityRatio >= WARN_RATIO ? 'warning' : 'info';
  const threshold = severity === 'error' ? ERROR_RATIO : severity === 'warning' ? WARN_RATIO : NOTE_RATIO;
  return { severity, profiles: est.filter((e) => e.capacityRatio >= threshold).map((e) => e.profile), worst };
}

/** The worse of the steady and start phases for some calls. */
export function worstPhase(ctx: RuleContext, calls: UsageCall[], clients?: number | 'perNode'): { phase: Phase; est: ProfileEstimate[] } {
  const steady = ctx.estimate(calls, 'steady', clients);
  const start = ctx.estimate(calls, 'start', clients);
  return maxRatio(start) > maxRatio(steady) ? { phase: 'start', est: start } : { phase: 'steady', est: steady };
}

export const phaseText = (phase: Phase) => (phase === 'start' ? `when every agent starts within ${START_WINDOW_SECONDS / 60} minutes (a new DaemonSet, an unthrottled update, an API server restart)` : 'in steady state');
/** A call in a finding's message: `LIST pods cluster-wide every 30s`. */
export const callText = (c: UsageCall) => `${c.verb.toUpperCase()} ${c.resource}${c.scope === 'cluster' ? ' cluster-wide' : c.scope === 'namespace' ? ' in a namespace' : ' of its node'}${c.intervalSeconds > 0 ? ` every ${fmtNumber(c.intervalSeconds)}s` : c.verb === 'watch' ? ' (watch)' : ''}`;
export const perNode = (w: Workload) => w.clients === 'perNode';
/** What usage inference noticed for a rule (agent configurations that point at a better source). */
export const hintsFor = (ctx: RuleContext, rule: string) => ctx.usage.hints.filter((h) => h.rule === rule);
/** The profile with the most nodes. */
export const largestProfile = (profiles: ClusterProfile[]) => profiles.reduce((a, b) => (b.nodes > a.nodes ? b : a));

/** One profile's numbers from the shared cost model. */
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
    eventsPerSecond: e.eventsPerSecond,
    seats: e.seatsInUse,
    cpu: e.apiServerCores,
    memoryBytes: e.memoryBytes,
    priorityLevel: e.priorityLevel,
    capacityRatio: e.capacityRatio,
  };
}

/** How an estimate's calls are known, strongest evidence first (said in every load finding). */
export function evidenceText(calls: UsageCall[]): string {
  const sources = new Set(calls.map((c) => c.evidence.source));
  if (sources.has('annotation')) return 'as declared in its breakglass.dev/api-calls annotation';
  if (sources.has('agent')) {
    const names = [...new Set(calls.filter((c) => c.evidence.source === 'agent').map((c) => c.evidence.detail.split(':')[0]))];
    return `as read from ${names.join(', ')} and its configuration`;
  }
  if (sources.has('command')) return 'as read from the commands it runs';
  return 'from what its RBAC allows';
}

/** What would change a load verdict, for findings whose calls were inferred rather than declared. */
export function changeText(calls: UsageCall[]): string {
  return calls.some((c) => c.evidence.source === 'annotation')
    ? ''
    : "; if it does something else, declare its calls with the breakglass.dev/api-calls annotation and the verdict follows the declaration";
}
