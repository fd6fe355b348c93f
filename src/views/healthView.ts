// What the cluster-health panels show, as pure functions shared by the extension (which resolves
// what a panel watches) and the webview (which draws it): signals, chart series, ages, staleness.
// No Node, no DOM, no vscode: both sides and the unit tests import it.
import type { HealthSnapshot, HealthState, Reading } from '../cluster/poller';
import { findBreakglassContext, isBreakglassTwin } from '../cluster/breakglass-context';

/** The signals a ```health fence may ask for (`signals=` attribute). */
export const HEALTH_SIGNALS = ['readyz', 'load', 'apf', 'size', 'dns', 'clients'] as const;
export type HealthSignal = (typeof HEALTH_SIGNALS)[number];

/** `signals=load,apf` → the set, plus what was not understood. Empty or absent: every signal. */
export function parseSignals(attr: unknown): { signals: HealthSignal[]; unknown: string[] } {
  const raw = typeof attr === 'string' ? attr.split(/[\s,]+/).filter(Boolean) : [];
  const known = new Set<string>(HEALTH_SIGNALS);
  const signals = [...new Set(raw.filter((s) => known.has(s)))] as HealthSignal[];
  const unknown = raw.filter((s) => !known.has(s));
  return { signals: signals.length ? signals : [...HEALTH_SIGNALS], unknown };
}

/** The key of one cluster: one poller per key, shared by every panel that shows it. */
export function clusterKey(kubeconfig: string, context: string): string {
  return `${kubeconfig}#${context}`;
}

// --- what a panel watches -----------------------------------------------------------------------

export interface KubeContextInfo {
  name: string;
  cluster?: string;
  user?: string;
}

/** What a kubeconfig offers, read by the host (YAML only, no Kubernetes client). */
export interface KubeconfigInfo {
  file: string;
  contexts: KubeContextInfo[];
  current?: string;
  /** Written for simulated clusters (it carries the mark of common/kubeconfig.ts's SIMULATED_EXTENSION). */
  simulated?: boolean;
}

export interface HealthTargetInput {
  mode: 'sim' | 'real';
  /** The active target's context (real mode). */
  context?: string;
  /** The active target's kubeconfig (sim: from breakglass.simulatedKubeconfig). */
  kubeconfig?: string;
  /** The workspace is trusted (in Restricted Mode panels connect to nothing). */
  trusted: boolean;
  /** The scenario of a tabletop that has just ended (its clusters are gone; no other simulated cluster took their place). */
  endedTabletop?: string;
}

/** Attributes of a ```health fence (all optional; the standalone panel has none). */
export interface HealthFenceAttrs {
  context?: string;
  cluster?: string;
}

export type ResolvedHealthTarget =
  | {
      status: 'watching';
      key: string;
      kubeconfig: string;
      context: string;
      simulated: boolean;
      label: string;
      note?: string;
      /** The cluster's break-glass context in the same kubeconfig: the poller's path while the ordinary one is shed. */
      breakglassContext?: string;
    }
  | { status: 'none' | 'error' | 'restricted'; simulated: boolean; label: string; message: string };

export const SIM_HINT =
  'Start a simulated cluster with `npx breakglass sim serve <scenario.yaml> [--cluster NAME] --kubeconfig .breakglass/sim-kubeconfig` ' +
  '(it prints the kubeconfig it wrote), then set the setting breakglass.simulatedKubeconfig to that file ' +
  '(or BREAKGLASS_SIM_KUBECONFIG before starting VS Code). For a real cluster, use Breakglass: Enter Real Mode.';

/**
 * Decides which cluster a panel watches: the active target, narrowed by the fence's `context` and
 * `cluster` attributes. `read(file)` gives a kubeconfig's contexts, or throws when it cannot.
 * `find(context)` looks a context up in the real kubeconfig files (real mode only).
 */
export function resolveHealthTarget(
  t: HealthTargetInput,
  attrs: HealthFenceAttrs,
  read: (file: string) => KubeconfigInfo,
  find: (context: string) => string | undefined = () => undefined,
  /** Break-glass contexts named by the person (breakglass.breakglassContexts): context → its break-glass context. */
  configured: Readonly<Record<string, string>> = {},
): ResolvedHealthTarget {
  const simulated = t.mode === 'sim';
  if (!t.trusted) {
    return { status: 'restricted', simulated, label: simulated ? 'SIMULATED' : `REAL: ${t.context ?? '?'}`, message: 'Restricted Mode: cluster-health panels connect to no cluster in an untrusted workspace (a kubeconfig can run credential plugins). Trust the workspace to watch a cluster.' };
  }
  if (simulated) {
    if (!t.kubeconfig && t.endedTabletop) {
      return {
        status: 'none',
        simulated,
        label: 'SIMULATED: the tabletop ended',
        message: `The tabletop '${t.endedTabletop}' has ended, and its simulated clusters with it: this panel has nothing to watch. Breakglass: Start Tabletop starts another.`,
      };
    }
    if (!t.kubeconfig) return { status: 'none', simulated, label: 'SIMULATED: no cluster configured', message: `No simulated cluster is configured. ${SIM_HINT}` };
    let info: KubeconfigInfo;
    try {
      info = read(t.kubeconfig);
    } catch (e) {
      return { status: 'error', simulated, label: `SIMULATED: ${t.kubeconfig}`, message: `Cannot read the simulated kubeconfig ${t.kubeconfig}: ${(e as Error).message}. ${SIM_HINT}` };
    }
    if (info.simulated !== true) {
      return { status: 'error', simulated, label: `SIMULATED: ${t.kubeconfig}`, message: `${t.kubeconfig} is not a simulated cluster's kubeconfig: in SIMULATED mode the panels watch no real cluster. ${SIM_HINT}` };
    }
    let note: string | undefined;
    const ctx = attrs.context && info.contexts.some((c) => c.name === attrs.context) ? attrs.context : info.current ?? info.contexts[0]?.name;
    if (attrs.context && ctx !== attrs.context) note = `context '${attrs.context}' is not in the simulated kubeconfig: showing '${ctx ?? '?'}'`;
    if (!ctx) return { status: 'error', simulated, label: `SIMULATED: ${t.kubeconfig}`, message: `The simulated kubeconfig ${t.kubeconfig} has no context. ${SIM_HINT}` };
    const cluster = info.contexts.find((c) => c.name === ctx)?.cluster;
    if (attrs.cluster && cluster && cluster !== attrs.cluster) {
      return {
        status: 'error',
        simulated,
        label: `SIMULATED: ${cluster}`,
        message: `This panel watches cluster '${attrs.cluster}', but the simulated API server in ${t.kubeconfig} serves '${cluster}'. Serve it with \`npx breakglass sim serve <scenario.yaml> --cluster ${attrs.cluster}\`.`,
      };
    }
    const breakglassContext = findBreakglassContext(ctx, info.contexts.map((c) => c.name), configured);
    return { status: 'watching', key: clusterKey(t.kubeconfig, ctx), kubeconfig: t.kubeconfig, context: ctx, simulated, label: `SIMULATED: ${cluster ?? ctx} (context ${ctx})`, note, breakglassContext };
  }
  const ctx = attrs.context ?? t.context;
  if (!ctx) return { status: 'error', simulated, label: 'REAL: ?', message: 'REAL mode without a context: use Breakglass: Enter Real Mode… again.' };
  let file = t.kubeconfig;
  if (attrs.context && attrs.context !== t.context) {
    let inTarget = false;
    try {
      inTarget = !!file && read(file).contexts.some((c) => c.name === attrs.context);
    } catch {
      inTarget = false;
    }
    if (!inTarget) file = find(attrs.context);
    if (!file) return { status: 'error', simulated, label: `REAL: ${ctx}`, message: `Context '${ctx}' is in none of the kubeconfig files (breakglass.realKubeconfig, $KUBECONFIG, ~/.kube/config).` };
  }
  if (!file) return { status: 'error', simulated, label: `REAL: ${ctx}`, message: `No kubeconfig file is known for context '${ctx}'.` };
  let names: string[] = [];
  try {
    names = read(file).contexts.map((c) => c.name);
  } catch {
    names = [];
  }
  return { status: 'watching', key: clusterKey(file, ctx), kubeconfig: file, context: ctx, simulated, label: `REAL: ${ctx}`, breakglassContext: findBreakglassContext(ctx, names, configured) };
}

/**
 * The clusters a kubeconfig offers to the cluster picker, one context each: its break-glass
 * twins left out, and an alias (another context with the same cluster and user, like a tabletop's
 * `sim`) folded into the context named after its cluster.
 */
export function clusterChoices(info: KubeconfigInfo): { context: string; cluster: string }[] {
  const names = info.contexts.map((c) => c.name);
  const out: { context: string; cluster: string; user?: string }[] = [];
  for (const c of info.contexts) {
    if (isBreakglassTwin(c.name, names)) continue;
    const cluster = c.cluster ?? c.name;
    const same = out.findIndex((o) => o.cluster === cluster && o.user === c.user);
    if (same >= 0) {
      if (c.name === cluster) out[same] = { context: c.name, cluster, user: c.user };
      continue;
    }
    out.push({ context: c.name, cluster, user: c.user });
  }
  return out.map(({ context, cluster }) => ({ context, cluster }));
}

// --- ages, sources, staleness --------------------------------------------------------------------

/** "just now", "12 s ago", "3 min ago", "2 h 5 min ago". */
export function formatAge(ms: number): string {
  if (!Number.isFinite(ms)) return 'a while ago';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 1) return 'just now';
  if (s < 120) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min ago`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min ago`;
}

/** "from /metrics, 12 s ago"; an old value: "last read 3 min ago, from /metrics". */
export function describeReading(r: Pick<Reading<unknown>, 'source' | 'at'>, now: number, stale = false): string {
  return stale ? `last read ${formatAge(now - r.at)}, from ${r.source}` : `from ${r.source}, ${formatAge(now - r.at)}`;
}

/** Readings older than this are greyed even while the API server answers. */
export const STALE_AFTER_MS = 90_000;

/**
 * A reading is stale when the last poll failed and did not read it (no path to the API server
 * answered: a value from before is a leftover; one read in that poll from an independent source,
 * Prometheus, is not), or when it was not refreshed for STALE_AFTER_MS.
 */
export function isStale(r: Pick<Reading<unknown>, 'at'>, s: Pick<HealthSnapshot, 'error' | 'state' | 'at'>, now: number): boolean {
  if ((s.error !== undefined || s.state === 'unreachable') && r.at < s.at) return true;
  return now - r.at > STALE_AFTER_MS;
}

export const STATE_WORDS: Record<HealthState, string> = {
  healthy: 'Healthy',
  degraded: 'Degraded',
  saturated: 'Saturated',
  unreachable: 'Unreachable',
};

/** "12 requests, 34.5 kB so far". */
export function formatCost(c: { requests: number; bytes: number }): string {
  const kb = c.bytes / 1024;
  const size = kb < 1024 ? `${kb.toFixed(1)} kB` : `${(kb / 1024).toFixed(1)} MB`;
  return `${c.requests} request${c.requests === 1 ? '' : 's'}, ${size} so far`;
}

export function formatNumber(v: number, digits = 1): string {
  if (!Number.isFinite(v)) return '–';
  if (Number.isInteger(v)) return String(v);
  return v.toFixed(digits);
}

/** Seconds as "850 ms" or "1.2 s". */
export function formatSeconds(v: number): string {
  if (!Number.isFinite(v)) return '–';
  return v < 1 ? `${Math.round(v * 1000)} ms` : `${v.toFixed(v < 10 ? 2 : 1)} s`;
}

// --- charts -----------------------------------------------------------------------------------

export type ChartId = 'inflight' | 'rejected' | 'latency' | 'dns' | 'nodes';

export interface ChartSpec {
  id: ChartId;
  title: string;
  signal: HealthSignal;
  /** How values are printed on the axis and in the caption. */
  unit: 'count' | 'perSecond' | 'seconds';
}

export const CHARTS: readonly ChartSpec[] = [
  { id: 'inflight', title: 'In-flight vs limit', signal: 'load', unit: 'count' },
  { id: 'rejected', title: '429/s by priority level', signal: 'apf', unit: 'perSecond' },
  { id: 'latency', title: 'Read / mutating p99', signal: 'load', unit: 'seconds' },
  { id: 'dns', title: 'DNS ready addresses', signal: 'dns', unit: 'count' },
  { id: 'nodes', title: 'Nodes ready (sample)', signal: 'size', unit: 'count' },
];

export function chartsFor(signals: readonly HealthSignal[]): ChartSpec[] {
  return CHARTS.filter((c) => signals.includes(c.signal));
}

/** Series of one chart: labels, and for each the readings of a snapshot that it plots. */
function seriesOf(chart: ChartId, snaps: readonly HealthSnapshot[]): { label: string; reading: (s: HealthSnapshot) => Reading<number> | undefined }[] {
  switch (chart) {
    case 'inflight':
      return [
        { label: 'in-flight', reading: (s) => s.inflight },
        { label: 'limit', reading: (s) => s.limit },
      ];
    case 'latency':
      return [
        { label: 'read p99', reading: (s) => s.readP99Seconds },
        { label: 'mutating p99', reading: (s) => s.mutatingP99Seconds },
      ];
    case 'dns':
      return [{ label: 'ready addresses', reading: (s) => s.dnsReadyAddresses }];
    case 'nodes':
      return [
        { label: 'ready', reading: (s) => (s.nodesReadySample ? { ...s.nodesReadySample, value: s.nodesReadySample.value.ready } : undefined) },
        { label: 'sampled', reading: (s) => (s.nodesReadySample ? { ...s.nodesReadySample, value: s.nodesReadySample.value.sampled } : undefined) },
      ];
    case 'rejected': {
      // A series per priority level that rejected anything; while none did, one line at zero.
      const levels = new Set<string>();
      for (const s of snaps) for (const [l, n] of Object.entries(s.rejectedPerSecondByLevel?.value ?? {})) if (n > 0) levels.add(l);
      if (levels.size === 0) {
        return [{ label: 'all levels', reading: (s: HealthSnapshot) => (s.rejectedPerSecondByLevel ? { ...s.rejectedPerSecondByLevel, value: 0 } : undefined) }];
      }
      return [...levels].sort().map((level) => ({
        label: level,
        reading: (s: HealthSnapshot) => (s.rejectedPerSecondByLevel ? { ...s.rejectedPerSecondByLevel, value: s.rejectedPerSecondByLevel.value[level] ?? 0 } : undefined),
      }));
    }
  }
}

export interface ChartData {
  /** Times in seconds (uPlot's time scale). */
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

/**
 * The points of one chart: one per poll that read any of its signals afresh (a reading kept from
 * an earlier poll is not plotted again), in time order; a series without a fresh value there is a
 * gap, and so is a poll that no path answered (the line breaks there instead of bridging it).
 */
export function chartData(chart: ChartId, snaps: readonly HealthSnapshot[]): ChartData {
  const defs = seriesOf(chart, snaps);
  const x: number[] = [];
  const series = defs.map((d) => ({ label: d.label, values: [] as (number | null)[] }));
  let lastT = -Infinity;
  for (const s of snaps) {
    const fresh = defs.map((d) => {
      const r = d.reading(s);
      return r && r.at === s.at && Number.isFinite(r.value) ? r.value : null;
    });
    if (fresh.every((v) => v === null) && s.error === undefined) continue;
    const t = s.at / 1000;
    if (t <= lastT) continue; // out of order or repeated: keep time strictly increasing
    lastT = t;
    x.push(t);
    fresh.forEach((v, i) => series[i].values.push(v));
  }
  return { x, series };
}

/** The spans of time no path answered (polls that failed in a row), oldest first. */
export function outages(snaps: readonly HealthSnapshot[]): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  let cur: { from: number; to: number } | undefined;
  for (const s of snaps) {
    if (s.error !== undefined) {
      if (cur) cur.to = s.at;
      else out.push((cur = { from: s.at, to: s.at }));
    } else cur = undefined;
  }
  return out;
}

/**
 * The note under a chart, in a whole sentence: why it has no points yet, or where its gaps are.
 * `clock` prints a time ("15:04:05").
 */
export function chartNote(chart: ChartId, snaps: readonly HealthSnapshot[], clock: (ms: number) => string): string {
  const data = chartData(chart, snaps);
  const points = data.series.some((x) => x.values.some((v) => v !== null));
  const gaps = outages(snaps);
  if (!points) {
    if (!snaps.some((s) => s.lastAnswer)) return 'No path to the API server has answered this panel yet; points appear with the first reading.';
    if (chart === 'rejected' || chart === 'latency') return 'A rate needs two scrapes of /metrics; the first point comes with the next poll.';
    if (chart === 'dns' || chart === 'nodes') return 'Read once a minute; the first point comes with the next full poll.';
    return 'No point yet; one comes with every poll that reads it.';
  }
  if (!gaps.length) return '';
  const last = gaps[gaps.length - 1];
  const span = last.from === last.to ? `at ${clock(last.from)}` : `from ${clock(last.from)} to ${clock(last.to)}`;
  return `Gaps in the lines: no path answered ${span}${gaps.length > 1 ? ` (and ${gaps.length - 1} earlier time${gaps.length > 2 ? 's' : ''})` : ''}.`;
}

/** The newest reading a chart's caption describes. */
export function chartReading(chart: ChartId, s: HealthSnapshot): Reading<unknown> | undefined {
  switch (chart) {
    case 'inflight':
      return s.inflight ?? s.limit;
    case 'rejected':
      return s.rejectedPerSecondByLevel;
    case 'latency':
      return s.readP99Seconds ?? s.mutatingP99Seconds;
    case 'dns':
      return s.dnsReadyAddresses;
    case 'nodes':
      return s.nodesReadySample;
  }
}

/** The caption's numbers in words ("in-flight 12 of 600"), without the source. */
export function chartCaption(chart: ChartId, s: HealthSnapshot): string {
  switch (chart) {
    case 'inflight':
      if (!s.inflight && !s.limit) return 'no reading yet';
      return `in-flight ${s.inflight ? formatNumber(s.inflight.value, 0) : '–'} of ${s.limit ? formatNumber(s.limit.value, 0) : '–'}`;
    case 'rejected': {
      const v = s.rejectedPerSecondByLevel?.value;
      if (!v) return 'no rate yet (needs two scrapes of /metrics)';
      const total = Object.values(v).reduce((a, b) => a + b, 0);
      const parts = Object.entries(v)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([l, n]) => `${l} ${n.toFixed(1)}`);
      return `${total.toFixed(1)}/s rejected${parts.length ? ` (${parts.join(', ')})` : ''}`;
    }
    case 'latency':
      if (!s.readP99Seconds && !s.mutatingP99Seconds) return 'no percentile yet (needs two scrapes of /metrics)';
      return `read ${s.readP99Seconds ? formatSeconds(s.readP99Seconds.value) : '–'}, mutating ${s.mutatingP99Seconds ? formatSeconds(s.mutatingP99Seconds.value) : '–'}`;
    case 'dns':
      return s.dnsReadyAddresses ? `${s.dnsReadyAddresses.value} ready address${s.dnsReadyAddresses.value === 1 ? '' : 'es'}` : 'no reading yet';
    case 'nodes': {
      const n = s.nodesReadySample?.value;
      return n ? `${n.ready} of ${n.sampled} sampled ready (${n.total} node${n.total === 1 ? '' : 's'})` : 'no reading yet';
    }
  }
}

/** Adds a snapshot to a panel's history: replaces one with the same time, keeps the last `cap`. */
export function appendSnapshot(history: HealthSnapshot[], s: HealthSnapshot, cap = 240): HealthSnapshot[] {
  const last = history[history.length - 1];
  if (last && last.at === s.at) history[history.length - 1] = s;
  else if (!last || s.at > last.at) history.push(s);
  while (history.length > cap) history.shift();
  return history;
}
