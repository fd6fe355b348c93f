// What the facilitator panel shows, as pure functions shared by the extension (which turns the
// tabletop's journal events, readings and scores into view data) and the webview (which draws
// them): clock texts, chart series, injections (durations: formatElapsed, src/common/duration.ts). No Node, no DOM, no vscode: both
// sides and the unit tests import it.
import type { SimClusterReading, SimModelEvent, SimStepMarkerEvent } from '../runbook/events';
import { injectableActions, injectedAction, type ScenarioAction } from '../sim/actions';
import type { ScenarioWorkload } from '../sim/scenarioTypes';
import type { Scores } from '../tabletop/score';
import type {
  TabletopClockView, TabletopClusterReadingView, TabletopEventView, TabletopInjection, TabletopMarkerView, TabletopReadingView, TabletopScoresView, TabletopToHost,
  TabletopWorkloadView,
} from './messages/tabletop';

const p2 = (n: number): string => String(n).padStart(2, '0');

/** Simulated time as the panel and the status bar show it: `T+4m05s`, `T+1h02m13s`. */
export function fmtClock(t: number): string {
  const s = Math.max(0, Math.floor(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `T+${h}h${p2(m)}m${p2(s % 60)}s` : `T+${m}m${p2(s % 60)}s`;
}

/** The clock in the status bar: `Tabletop T+4m05s ×30` or `… paused`. */
export function clockLabel(c: TabletopClockView): string {
  return `Tabletop ${fmtClock(c.t)} ${c.paused ? 'paused' : `×${c.speed}`}`;
}

/** Load is drawn up to 150 % (a saturated API server's queue is not the point of the chart). */
export const LOAD_CAP = 1.5;

export interface ChartSeries {
  x: number[];
  load: (number | null)[];
  dns: (number | null)[];
  errors: (number | null)[];
}

/** The chosen cluster's series over simulated time; a reading without that cluster is a gap. */
export function chartSeries(readings: TabletopReadingView[], cluster: string): ChartSeries {
  const out: ChartSeries = { x: [], load: [], dns: [], errors: [] };
  for (const r of readings) {
    const c = r.clusters[cluster];
    out.x.push(r.simT);
    out.load.push(c ? Math.min(LOAD_CAP, c.load) : null);
    out.dns.push(c ? c.dnsSuccess : null);
    out.errors.push(c ? c.errorRatio : null);
  }
  return out;
}

/** Adds a reading in time order (one per simulated time: a later one replaces it). */
export function appendReading(list: TabletopReadingView[], r: TabletopReadingView): void {
  const last = list[list.length - 1];
  if (last && last.simT === r.simT) list[list.length - 1] = r;
  else if (!last || last.simT < r.simT) list.push(r);
  else {
    const i = list.findIndex((x) => x.simT >= r.simT);
    if (list[i].simT === r.simT) list[i] = r;
    else list.splice(i, 0, r);
  }
}

// --- host side: from the tabletop to view data ---------------------------------------------------

export function readingView(r: { simT: number; clusters: Record<string, SimClusterReading> }): TabletopReadingView {
  const clusters: Record<string, TabletopClusterReadingView> = {};
  for (const [name, c] of Object.entries(r.clusters)) {
    clusters[name] = { load: c.load, dnsSuccess: c.dnsSuccess, errorRatio: c.errorRatio, offendingRps: c.offendingRps, rejectedPerSecond: c.rejectedPerSecond, replicasReady: c.replicasReady, replicas: c.replicas };
  }
  return { simT: r.simT, clusters };
}

export function eventView(e: SimModelEvent): TabletopEventView {
  const v: TabletopEventView = { simT: e.simT, cluster: e.cluster, kind: e.kind, detail: e.detail };
  if (e.injectedBy) v.injectedBy = e.injectedBy;
  return v;
}

/** A finished step as a marker (a step that only started is not one); `n` numbers them in order. */
export function markerView(e: SimStepMarkerEvent, n: number): TabletopMarkerView | undefined {
  if (e.state === 'running' || e.state === 'pending') return undefined;
  const runbook = e.runbook.split(/[\\/]/).pop() ?? e.runbook;
  return { simT: e.simT, n, stepId: e.stepId, state: e.state, runbook };
}

export function scoresView(s: Scores): TabletopScoresView {
  const v: TabletopScoresView = {
    recovered: s.recovered,
    clusters: s.clusters.map((c) => {
      const x: TabletopScoresView['clusters'][number] = { name: c.name };
      if (c.impactedAt !== undefined) x.impactedAt = c.impactedAt;
      if (c.recoveredAt !== undefined) x.recoveredAt = c.recoveredAt;
      return x;
    }),
    requests: { ...s.requests },
    referenceSeconds: s.reference.allClearSeconds,
  };
  if (s.impactAt !== undefined) v.impactAt = s.impactAt;
  if (s.impactCluster !== undefined) v.impactCluster = s.impactCluster;
  if (s.timeToDetect !== undefined) v.timeToDetect = s.timeToDetect;
  if (s.detectedBy !== undefined) v.detectedBy = s.detectedBy;
  if (s.timeToMitigate !== undefined) v.timeToMitigate = s.timeToMitigate;
  if (s.timeToRecover !== undefined) v.timeToRecover = s.timeToRecover;
  return v;
}

/** The scenario's workloads as the panel lists them (at most 50). */
export function workloadsView(workloads: readonly ScenarioWorkload[]): TabletopWorkloadView[] {
  return workloads.slice(0, 50).map((w) => ({ namespace: w.namespace, name: w.name, kind: w.kind }));
}

/**
 * The scenario action a panel's injection stands for (the scenario-action registry reads the
 * message's fields). A deploy takes its workload from the scenario's (`workloads`): a name that
 * is not one of them is refused (thrown), as is any other problem with the fields.
 */
export function injectionAction(m: Extract<TabletopToHost, { type: 'ttInject' }>, workloads: readonly ScenarioWorkload[] = []): ScenarioAction {
  const a = injectedAction(m.action, m, workloads);
  if (typeof a === 'string') throw new Error(a);
  return a;
}

/** What each injection is called on the panel's buttons and in notices. */
export const INJECTION_TITLES = Object.fromEntries(injectableActions('panel').map((a) => [a.name, a.title])) as Record<TabletopInjection, string>;

/** One label per group of markers whose labels would overlap: "#4" or "#4–8". */
export function markerLabels(markers: { n: number; x: number }[], measure: (t: string) => number, gap: number): { label: string; x: number }[] {
  const sorted = [...markers].sort((a, b) => a.x - b.x);
  const out: { label: string; x: number; first: number; last: number }[] = [];
  for (const m of sorted) {
    const g = out[out.length - 1];
    if (g && m.x < g.x + measure(g.label) + gap) {
      g.first = Math.min(g.first, m.n);
      g.last = Math.max(g.last, m.n);
      g.label = `#${g.first}–${g.last}`;
    } else out.push({ label: `#${m.n}`, x: m.x, first: m.n, last: m.n });
  }
  return out.map(({ label, x }) => ({ label, x }));
}
