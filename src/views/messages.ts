// Messages between the Runbook view (webview) and the extension. Both sides validate what they
// receive: a webview is a web page, and its messages are input like any other. The cluster-health
// panels (standalone, and ```health fences inside the Runbook view) use the `health*` messages.
import type { ReadinessBadge } from '../breakglass/readiness';
import type { HealthSnapshot, HealthState, Reading } from '../cluster/poller';
import { isOpenableLink } from '../runbook/links';
import type { StepState } from '../runbook/model';
import { injectableActions, INJECT_PARAMS, type PanelActionName } from '../sim/actions';

export interface StepView {
  state: StepState;
  /** Milliseconds the step has been running (running) or ran (finished), at the time of sending. */
  elapsedMs?: number;
  exitCode?: number | null;
  reason?: string;
}

export type ToHost =
  | { type: 'ready' }
  | { type: 'run'; stepId: string }
  | { type: 'cancel'; stepId: string }
  | { type: 'skip'; stepId: string }
  | { type: 'runAll' }
  | { type: 'cancelAll' }
  | { type: 'reveal'; line: number }
  | { type: 'openLink'; href: string }
  | { type: 'openSetting'; setting: HealthSetting }
  /** The person asks for a readiness check (Breakglass: Check Break-Glass Readiness). */
  | { type: 'checkReadiness' }
  /** What the page drew on each ```breakglass step card after a `readiness` message: step id → text. */
  | { type: 'readinessShown'; steps: Record<string, string> }
  /** Run a break-glass step again on the items (nodes, keys, clusters) that failed in its last run. */
  | { type: 'retryFailed'; stepId: string }
  /** What the page drew for a break-glass step's clusters: one text per row, and the retry button's label ('' when hidden). */
  | { type: 'clustersShown'; stepId: string; rows: string[]; retry: string }
  /** The standalone Cluster Health page: show these clusters (contexts), side by side. */
  | { type: 'healthChoose'; contexts: string[] };

/** One cluster of a break-glass step run across clusters (a row of the step card's table). */
export interface ClusterRowView {
  name: string;
  /** Nodes, when known (the table is largest first). */
  size?: number;
  /** `dry-run`: the step was a dry run; it finished having changed nothing. */
  state: 'pending' | 'running' | 'succeeded' | 'failed' | 'skipped' | 'cancelled' | 'dry-run';
  /** Per-node (or per-key) progress of the action on this cluster. */
  done?: number;
  total?: number;
  failed?: number;
  /** The result in a few words for the table's cell (counts); while running, the plan. */
  summary?: string;
  /** The whole result (or plan) in one sentence, when it says more than `summary`. */
  detail?: string;
}

/** Settings a panel may open (the "no cluster configured" hint). */
export const HEALTH_SETTINGS = ['breakglass.simulatedKubeconfig', 'breakglass.realKubeconfig', 'breakglass.prometheusUrl'] as const;
export type HealthSetting = (typeof HEALTH_SETTINGS)[number];

/** What a health panel watches, or why it watches nothing. */
export interface HealthTargetView {
  /** watching: snapshots follow; none: no cluster configured; error: cannot watch; restricted: untrusted workspace. */
  status: 'watching' | 'none' | 'error' | 'restricted';
  /** The cluster in words ("SIMULATED: staging (context sim)"). */
  label: string;
  simulated: boolean;
  /** Why it watches nothing, and how to change that. */
  message?: string;
  /** A remark on how the panel's attributes were applied. */
  note?: string;
  /** Requests a minute the shared poller spends at most. */
  budgetPerMinute?: number;
  /** The break-glass context the poller reads through while the ordinary one is shed. */
  fallback?: string;
}

/** Messages to a health panel; `panel` names the panel in its page (a step id, or `main`). */
export type HealthToWebview =
  | { type: 'healthTarget'; panel: string; target: HealthTargetView }
  /** Replaces what the panel shows: the poller's recent snapshots, oldest first. */
  | { type: 'healthHistory'; panel: string; sentAt: number; snapshots: HealthSnapshot[] }
  /** One new snapshot. `sentAt` is the extension's clock, so the page can show ages without trusting its own. */
  | { type: 'health'; panel: string; sentAt: number; snapshot: HealthSnapshot };

/** The standalone page's clusters: what the picker offers, and a panel per chosen cluster (first: `main`). */
export interface HealthClustersMessage {
  type: 'healthClusters';
  choices: { context: string; cluster: string }[];
  panels: { id: string; context?: string }[];
}

/** Most clusters the standalone page shows side by side. */
export const MAX_COMPARED = 3;

export type ToWebview =
  | {
      type: 'snapshot';
      mode: { label: string; real: boolean };
      trusted: boolean;
      runAll: boolean;
      journal?: string;
      steps: Record<string, StepView & { output: string }>;
    }
  | { type: 'state'; stepId: string; view: StepView }
  | { type: 'output'; stepId: string; stream: 'stdout' | 'stderr' | 'info'; text: string }
  | { type: 'mode'; mode: { label: string; real: boolean }; trusted: boolean }
  | { type: 'runAll'; running: boolean }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** Readiness badges of the ```breakglass steps, by step id; `running` while a check runs. */
  | { type: 'readiness'; running: boolean; steps: Record<string, ReadinessBadge> }
  /** A break-glass step across clusters: the whole table, largest first. */
  | { type: 'clusters'; stepId: string; clusters: ClusterRowView[] }
  /** How many items failed in a break-glass step's last run ("Retry failed (N)"; 0 hides it). */
  | { type: 'retry'; stepId: string; failed: number }
  | HealthToWebview;

const STEP_ID = /^[A-Za-z0-9][\w.~-]{0,199}$/;
const STATES: ReadonlySet<string> = new Set(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled']);

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A message from the webview, or undefined when it is not one we accept. */
export function parseToHost(msg: unknown): ToHost | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
    case 'runAll':
    case 'cancelAll':
      return { type: msg.type };
    case 'run':
    case 'cancel':
    case 'skip':
      return typeof msg.stepId === 'string' && STEP_ID.test(msg.stepId) ? { type: msg.type, stepId: msg.stepId } : undefined;
    case 'reveal':
      return typeof msg.line === 'number' && Number.isInteger(msg.line) && msg.line >= 0 && msg.line < 10_000_000 ? { type: 'reveal', line: msg.line } : undefined;
    case 'openLink':
      // Only http(s): in-page fragments never leave the page, and any other scheme is not opened.
      return isOpenableLink(msg.href) ? { type: 'openLink', href: msg.href } : undefined;
    case 'openSetting':
      return typeof msg.setting === 'string' && (HEALTH_SETTINGS as readonly string[]).includes(msg.setting) ? { type: 'openSetting', setting: msg.setting as HealthSetting } : undefined;
    case 'checkReadiness':
      return { type: 'checkReadiness' };
    case 'healthChoose': {
      const c = msg.contexts;
      if (!Array.isArray(c) || c.length < 1 || c.length > MAX_COMPARED || !c.every((x) => isText(x, 300) && x.length > 0)) return undefined;
      return { type: 'healthChoose', contexts: [...new Set(c as string[])] };
    }
    case 'readinessShown': {
      const steps = byStepId(msg.steps, (v) => (typeof v === 'string' && v.length <= MAX_TEXT ? v : undefined));
      return steps ? { type: 'readinessShown', steps } : undefined;
    }
    case 'retryFailed':
      return typeof msg.stepId === 'string' && STEP_ID.test(msg.stepId) ? { type: 'retryFailed', stepId: msg.stepId } : undefined;
    case 'clustersShown': {
      if (typeof msg.stepId !== 'string' || !STEP_ID.test(msg.stepId) || !isText(msg.retry, 200)) return undefined;
      if (!Array.isArray(msg.rows) || msg.rows.length > MAX_CLUSTERS || !msg.rows.every((r) => isText(r))) return undefined;
      return { type: 'clustersShown', stepId: msg.stepId, rows: [...(msg.rows as string[])], retry: msg.retry };
    }
    default:
      return undefined;
  }
}

/** At most this many steps in one message. */
const MAX_STEPS = 2000;

/** A map step id → value, every key a step id and every value accepted by `value`; rebuilt. */
function byStepId<T>(v: unknown, value: (x: unknown) => T | undefined): Record<string, T> | undefined {
  if (!isObj(v)) return undefined;
  const entries = Object.entries(v);
  if (entries.length > MAX_STEPS) return undefined;
  const out: Record<string, T> = {};
  for (const [k, x] of entries) {
    const val = value(x);
    if (!STEP_ID.test(k) || val === undefined) return undefined;
    out[k] = val;
  }
  return out;
}

const READINESS_STATUS: ReadonlySet<string> = new Set(['ready', 'not-ready', 'not-checked']);

/** A readiness badge, checked and rebuilt; undefined when malformed. */
export function parseReadinessBadge(v: unknown): ReadinessBadge | undefined {
  if (!isObj(v) || typeof v.status !== 'string' || !READINESS_STATUS.has(v.status)) return undefined;
  const b: ReadinessBadge = { status: v.status as ReadinessBadge['status'] };
  if (v.reason !== undefined) {
    if (!isText(v.reason)) return undefined;
    b.reason = v.reason;
  }
  if (v.checkedAt !== undefined) {
    if (!isNum(v.checkedAt)) return undefined;
    b.checkedAt = v.checkedAt;
  }
  return b;
}

/** At most this many clusters in one table. */
export const MAX_CLUSTERS = 1000;
const CLUSTER_STATES: ReadonlySet<string> = new Set([...STATES, 'dry-run']);
const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 1e9;

/** A cluster row, checked and rebuilt; undefined when malformed. */
export function parseClusterRow(v: unknown): ClusterRowView | undefined {
  if (!isObj(v) || !isText(v.name, 200) || v.name === '' || typeof v.state !== 'string' || !CLUSTER_STATES.has(v.state)) return undefined;
  const row: ClusterRowView = { name: v.name, state: v.state as ClusterRowView['state'] };
  for (const k of ['size', 'done', 'total', 'failed'] as const) {
    if (v[k] === undefined) continue;
    if (!isCount(v[k])) return undefined;
    row[k] = v[k] as number;
  }
  for (const k of ['summary', 'detail'] as const) {
    if (v[k] === undefined) continue;
    if (!isText(v[k])) return undefined;
    row[k] = v[k] as string;
  }
  return row;
}

function isStepView(v: unknown): v is StepView {
  return isObj(v) && typeof v.state === 'string' && STATES.has(v.state) && (v.elapsedMs === undefined || typeof v.elapsedMs === 'number');
}

/** A message from the extension, checked by the webview before it touches the page. */
export function parseToWebview(msg: unknown): ToWebview | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'snapshot': {
      if (!isObj(msg.mode) || typeof msg.trusted !== 'boolean' || !isObj(msg.steps)) return undefined;
      for (const v of Object.values(msg.steps)) if (!isStepView(v) || typeof (v as { output?: unknown }).output !== 'string') return undefined;
      return msg as ToWebview;
    }
    case 'state':
      return typeof msg.stepId === 'string' && isStepView(msg.view) ? (msg as ToWebview) : undefined;
    case 'output':
      return typeof msg.stepId === 'string' && typeof msg.text === 'string' && (msg.stream === 'stdout' || msg.stream === 'stderr' || msg.stream === 'info') ? (msg as ToWebview) : undefined;
    case 'mode':
      return isObj(msg.mode) && typeof msg.trusted === 'boolean' ? (msg as ToWebview) : undefined;
    case 'runAll':
      return typeof msg.running === 'boolean' ? (msg as ToWebview) : undefined;
    case 'notice':
      return typeof msg.message === 'string' ? (msg as ToWebview) : undefined;
    case 'readiness': {
      const steps = byStepId(msg.steps, parseReadinessBadge);
      return steps && typeof msg.running === 'boolean' ? { type: 'readiness', running: msg.running, steps } : undefined;
    }
    case 'clusters': {
      if (typeof msg.stepId !== 'string' || !STEP_ID.test(msg.stepId) || !Array.isArray(msg.clusters) || msg.clusters.length > MAX_CLUSTERS) return undefined;
      const clusters: ClusterRowView[] = [];
      for (const c of msg.clusters) {
        const row = parseClusterRow(c);
        if (!row) return undefined;
        clusters.push(row);
      }
      return { type: 'clusters', stepId: msg.stepId, clusters };
    }
    case 'retry':
      return typeof msg.stepId === 'string' && STEP_ID.test(msg.stepId) && isCount(msg.failed) ? { type: 'retry', stepId: msg.stepId, failed: msg.failed } : undefined;
    case 'healthTarget':
    case 'healthHistory':
    case 'health':
      return parseHealthToWebview(msg);
    default:
      return undefined;
  }
}

// --- health panels -------------------------------------------------------------------------------

const PANEL_ID = STEP_ID;
const HEALTH_STATES: ReadonlySet<string> = new Set<HealthState>(['healthy', 'degraded', 'saturated', 'unreachable']);
const TARGET_STATUS: ReadonlySet<string> = new Set(['watching', 'none', 'error', 'restricted']);
const MAX_TEXT = 4096;
const MAX_HISTORY = 1000;

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isText = (v: unknown, max = MAX_TEXT): v is string => typeof v === 'string' && v.length <= max;

/** A reading whose value passes `value`; rebuilt so nothing else travels along. */
function reading<T>(v: unknown, value: (x: unknown) => T | undefined): Reading<T> | undefined {
  if (!isObj(v) || !isText(v.source, 200) || !isNum(v.at)) return undefined;
  const val = value(v.value);
  return val === undefined ? undefined : { value: val, source: v.source, at: v.at };
}

function numberValue(v: unknown): number | undefined {
  return isNum(v) ? v : undefined;
}

function byLevel(v: unknown): Record<string, number> | undefined {
  if (!isObj(v)) return undefined;
  const out: Record<string, number> = {};
  const entries = Object.entries(v);
  if (entries.length > 100) return undefined;
  for (const [k, n] of entries) {
    if (k.length > 200 || !isNum(n)) return undefined;
    out[k] = n;
  }
  return out;
}

/**
 * A HealthSnapshot, checked field by field and rebuilt; undefined when its core (time, state,
 * summary, cost) is malformed. A malformed optional reading is dropped, not fatal.
 */
export function parseHealthSnapshot(v: unknown): HealthSnapshot | undefined {
  if (!isObj(v) || !isNum(v.at) || typeof v.state !== 'string' || !HEALTH_STATES.has(v.state) || !isText(v.summary)) return undefined;
  if (!isObj(v.cost) || !isNum(v.cost.requests) || !isNum(v.cost.bytes)) return undefined;
  const s: HealthSnapshot = { at: v.at, state: v.state as HealthState, summary: v.summary, cost: { requests: v.cost.requests, bytes: v.cost.bytes } };
  if (v.error !== undefined && isText(v.error)) s.error = v.error;
  if (isObj(v.via) && isText(v.via.path, 300) && typeof v.via.fallback === 'boolean') s.via = { path: v.via.path, fallback: v.via.fallback };
  if (isObj(v.ordinaryFailure) && isText(v.ordinaryFailure.path, 300) && isText(v.ordinaryFailure.error) && isNum(v.ordinaryFailure.at)) {
    s.ordinaryFailure = { path: v.ordinaryFailure.path, error: v.ordinaryFailure.error, at: v.ordinaryFailure.at };
  }
  if (isObj(v.lastAnswer) && isNum(v.lastAnswer.at) && isText(v.lastAnswer.via, 300)) s.lastAnswer = { at: v.lastAnswer.at, via: v.lastAnswer.via };
  const readyz = reading(v.readyz, (x) =>
    isObj(x) && typeof x.ok === 'boolean' && Array.isArray(x.failed) && x.failed.length <= 100 && x.failed.every((f) => isText(f, 200)) ? { ok: x.ok, failed: [...(x.failed as string[])] } : undefined,
  );
  if (readyz) s.readyz = readyz;
  for (const k of ['inflight', 'limit', 'waitP99Seconds', 'readP99Seconds', 'mutatingP99Seconds', 'nodes', 'pods', 'dnsReadyAddresses', 'dnsServfailRatio'] as const) {
    const r = reading(v[k], numberValue);
    if (r) s[k] = r;
  }
  for (const k of ['queuedByLevel', 'rejectedPerSecondByLevel'] as const) {
    const r = reading(v[k], byLevel);
    if (r) s[k] = r;
  }
  const nodes = reading(v.nodesReadySample, (x) => (isObj(x) && isNum(x.ready) && isNum(x.sampled) && isNum(x.total) ? { ready: x.ready, sampled: x.sampled, total: x.total } : undefined));
  if (nodes) s.nodesReadySample = nodes;
  const clients = reading(v.topClients, (x) => {
    if (!Array.isArray(x) || x.length > 50) return undefined;
    const out: { userAgent: string; user: string; requestsLastMinute: number }[] = [];
    for (const c of x) {
      if (!isObj(c) || !isText(c.userAgent, 500) || !isText(c.user, 500) || !isNum(c.requestsLastMinute)) return undefined;
      out.push({ userAgent: c.userAgent, user: c.user, requestsLastMinute: c.requestsLastMinute });
    }
    return out;
  });
  if (clients) s.topClients = clients;
  const flows = reading(v.loadByFlowSchema, (x) => {
    if (!Array.isArray(x) || x.length > 50) return undefined;
    const out: { flowSchema: string; priorityLevel: string; perSecond: number; rejectedPerSecond: number }[] = [];
    for (const f of x) {
      if (!isObj(f) || !isText(f.flowSchema, 500) || !isText(f.priorityLevel, 500) || !isNum(f.perSecond) || !isNum(f.rejectedPerSecond)) return undefined;
      out.push({ flowSchema: f.flowSchema, priorityLevel: f.priorityLevel, perSecond: f.perSecond, rejectedPerSecond: f.rejectedPerSecond });
    }
    return out;
  });
  if (flows) s.loadByFlowSchema = flows;
  return s;
}

function parseTargetView(v: unknown): HealthTargetView | undefined {
  if (!isObj(v) || typeof v.status !== 'string' || !TARGET_STATUS.has(v.status) || !isText(v.label, 1000) || typeof v.simulated !== 'boolean') return undefined;
  const t: HealthTargetView = { status: v.status as HealthTargetView['status'], label: v.label, simulated: v.simulated };
  if (v.message !== undefined) {
    if (!isText(v.message)) return undefined;
    t.message = v.message;
  }
  if (v.note !== undefined) {
    if (!isText(v.note)) return undefined;
    t.note = v.note;
  }
  if (v.budgetPerMinute !== undefined) {
    if (!isNum(v.budgetPerMinute)) return undefined;
    t.budgetPerMinute = v.budgetPerMinute;
  }
  if (v.fallback !== undefined) {
    if (!isText(v.fallback, 300)) return undefined;
    t.fallback = v.fallback;
  }
  return t;
}

/** A message to a health panel, checked and rebuilt; undefined when it is not one. */
export function parseHealthToWebview(msg: unknown): HealthToWebview | undefined {
  if (!isObj(msg) || typeof msg.panel !== 'string' || !PANEL_ID.test(msg.panel)) return undefined;
  const panel = msg.panel;
  switch (msg.type) {
    case 'healthTarget': {
      const target = parseTargetView(msg.target);
      return target ? { type: 'healthTarget', panel, target } : undefined;
    }
    case 'healthHistory': {
      if (!isNum(msg.sentAt) || !Array.isArray(msg.snapshots) || msg.snapshots.length > MAX_HISTORY) return undefined;
      const snapshots: HealthSnapshot[] = [];
      for (const x of msg.snapshots) {
        const s = parseHealthSnapshot(x);
        if (!s) return undefined;
        snapshots.push(s);
      }
      return { type: 'healthHistory', panel, sentAt: msg.sentAt, snapshots };
    }
    case 'health': {
      const snapshot = parseHealthSnapshot(msg.snapshot);
      return snapshot && isNum(msg.sentAt) ? { type: 'health', panel, sentAt: msg.sentAt, snapshot } : undefined;
    }
    default:
      return undefined;
  }
}

/** A message from a standalone health panel: only these intents are accepted there. */
export function parseHealthToHost(msg: unknown): Extract<ToHost, { type: 'ready' | 'openLink' | 'openSetting' | 'healthChoose' }> | undefined {
  const m = parseToHost(msg);
  return m && (m.type === 'ready' || m.type === 'openLink' || m.type === 'openSetting' || m.type === 'healthChoose') ? m : undefined;
}

/** The standalone page's cluster list, checked and rebuilt. */
export function parseHealthClusters(msg: unknown): HealthClustersMessage | undefined {
  if (!isObj(msg) || msg.type !== 'healthClusters' || !Array.isArray(msg.choices) || !Array.isArray(msg.panels)) return undefined;
  if (msg.choices.length > 100 || msg.panels.length < 1 || msg.panels.length > MAX_COMPARED) return undefined;
  const choices: HealthClustersMessage['choices'] = [];
  for (const c of msg.choices) {
    if (!isObj(c) || !isText(c.context, 300) || !isText(c.cluster, 300)) return undefined;
    choices.push({ context: c.context, cluster: c.cluster });
  }
  const panels: HealthClustersMessage['panels'] = [];
  for (const p of msg.panels) {
    if (!isObj(p) || typeof p.id !== 'string' || !PANEL_ID.test(p.id) || (p.context !== undefined && !isText(p.context, 300))) return undefined;
    panels.push(p.context === undefined ? { id: p.id } : { id: p.id, context: p.context });
  }
  return { type: 'healthClusters', choices, panels };
}

// --- the facilitator panel of a tabletop ---------------------------------------------------------
// Its own messages, validated both ways like the health ones: the page accepts only `tt*` messages
// from the extension, and the extension accepts only these intents from the page.

/** Clock speeds the facilitator panel offers (simulated seconds per real second). */
export const TABLETOP_SPEEDS = [1, 10, 30, 60] as const;
/** What a facilitator may inject from the panel: the scenario actions with a panel row. */
export type TabletopInjection = PanelActionName;

export interface TabletopClockView {
  /** Simulated seconds since T+0. */
  t: number;
  speed: number;
  paused: boolean;
}

/** What the chart needs of one cluster at one moment. */
export interface TabletopClusterReadingView {
  load: number;
  dnsSuccess: number;
  errorRatio: number;
  offendingRps: number;
  rejectedPerSecond: number;
  replicasReady: number;
  replicas: number;
}

export interface TabletopReadingView {
  simT: number;
  clusters: Record<string, TabletopClusterReadingView>;
}

/** A scenario or injected event (the journal's `sim-event`). */
export interface TabletopEventView {
  simT: number;
  cluster: string;
  kind: string;
  detail: string;
  /** Who injected it; absent for the scenario's own events. */
  injectedBy?: string;
}

/** A participant's finished step (the journal's `sim-step`): a marker on the chart. */
export interface TabletopMarkerView {
  simT: number;
  /** Numbered in order, as in the after-action report's timeline. */
  n: number;
  stepId: string;
  state: StepState;
  /** The runbook's file name. */
  runbook: string;
}

export interface TabletopHintsView {
  revealed: { after: number; text: string }[];
  /** Hints whose time has come and that are not revealed yet. */
  available: number;
  total: number;
}

export interface TabletopScoresView {
  impactAt?: number;
  impactCluster?: string;
  timeToDetect?: number;
  detectedBy?: string;
  timeToMitigate?: number;
  timeToRecover?: number;
  recovered: boolean;
  clusters: { name: string; impactedAt?: number; recoveredAt?: number }[];
  requests: { total: number; whileSaturated: number; refused: number; exempt: number };
  /** The seed incident's all-clear, in seconds. */
  referenceSeconds: number;
}

/** One of the scenario's workloads. */
export interface TabletopWorkloadView {
  namespace: string;
  name: string;
  kind: 'DaemonSet' | 'Deployment';
}

/** Everything the panel shows; sent whole when the page (re)loads. */
export interface TabletopStateView {
  scenario: string;
  description: string;
  clusters: { name: string; nodes: number }[];
  /** The kubeconfig's current context: the cluster the chart shows first. */
  focus: string;
  durationSeconds: number;
  recoveredErrorRatio: number;
  /** False once the exercise ended. */
  running: boolean;
  /** The kubeconfig new terminals get (while running). */
  kubeconfig?: string;
  /** The scenario's workloads, one per namespace/name: what a facilitator may deploy, block or unblock. */
  workloads: TabletopWorkloadView[];
  clock: TabletopClockView;
  readings: TabletopReadingView[];
  /** Oldest first; the page shows them newest first. */
  events: TabletopEventView[];
  markers: TabletopMarkerView[];
  hints: TabletopHintsView;
  scores: TabletopScoresView;
  /** The after-action report written at the end. */
  report?: string;
}

export type TabletopToWebview =
  | { type: 'ttState'; state: TabletopStateView }
  | { type: 'ttClock'; clock: TabletopClockView }
  | { type: 'ttReading'; reading: TabletopReadingView }
  | { type: 'ttEvent'; event: TabletopEventView }
  | { type: 'ttMarker'; marker: TabletopMarkerView }
  | { type: 'ttScores'; scores: TabletopScoresView; hints: TabletopHintsView }
  | { type: 'ttEnded'; scores: TabletopScoresView; report?: string }
  | { type: 'ttNotice'; level: 'info' | 'warning' | 'error'; message: string };

/** What the page drew, as it reports it (the tests read it; nothing is decided on it). */
export interface TabletopDrawn {
  cluster: string;
  clock: string;
  points: number;
  markers: number;
  events: number;
  /** Workloads the page offers to deploy. */
  workloads: number;
}

export type TabletopToHost =
  | { type: 'ready' }
  | { type: 'ttPlay' }
  | { type: 'ttPause' }
  | { type: 'ttSpeed'; speed: number }
  | { type: 'ttInject'; action: TabletopInjection; cluster: string; replicas?: number; namespace?: string; name?: string; latency?: string; duration?: string }
  | { type: 'ttRevealHint' }
  | { type: 'ttEnd' }
  | { type: 'ttExport' }
  | { type: 'ttOpenReport' }
  | { type: 'ttDrawn'; drawn: TabletopDrawn };

/** A cluster's name in a scenario (or `*`: every cluster). */
const TT_CLUSTER = /^(\*|[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?)$/;
/** A Kubernetes namespace / object name. */
const TT_K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const TT_MAX_READINGS = 5000;
const TT_MAX_EVENTS = 2000;
const TT_MAX_CLUSTERS = 50;
const TT_MAX_WORKLOADS = 50;

/** An intent from the facilitator panel, checked and rebuilt; undefined when it is not one. */
export function parseTabletopToHost(msg: unknown): TabletopToHost | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ready':
    case 'ttPlay':
    case 'ttPause':
    case 'ttRevealHint':
    case 'ttEnd':
    case 'ttExport':
    case 'ttOpenReport':
      return { type: msg.type };
    case 'ttSpeed':
      return typeof msg.speed === 'number' && (TABLETOP_SPEEDS as readonly number[]).includes(msg.speed) ? { type: 'ttSpeed', speed: msg.speed } : undefined;
    case 'ttInject': {
      // The action's parameters (src/sim/actions/params.ts) and nothing else: a deploy names one
      // of the scenario's workloads, its definition never comes from the page.
      const def = typeof msg.action === 'string' ? injectableActions('panel').find((a) => a.name === msg.action) : undefined;
      if (!def?.inject || typeof msg.cluster !== 'string' || !TT_CLUSTER.test(msg.cluster)) return undefined;
      const out: Extract<TabletopToHost, { type: 'ttInject' }> = { type: 'ttInject', action: def.name as TabletopInjection, cluster: msg.cluster };
      for (const p of def.inject.params) {
        const fields = INJECT_PARAMS[p].fromMessage(msg);
        if (!fields) return undefined;
        Object.assign(out, fields);
      }
      return out;
    }
    case 'ttDrawn': {
      const d = msg.drawn;
      if (!isObj(d) || !isText(d.cluster, 200) || !isText(d.clock, 200)) return undefined;
      const counts = [d.points, d.markers, d.events, d.workloads];
      if (!counts.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return undefined;
      return { type: 'ttDrawn', drawn: { cluster: d.cluster, clock: d.clock, points: d.points as number, markers: d.markers as number, events: d.events as number, workloads: d.workloads as number } };
    }
    default:
      return undefined;
  }
}

const optNum = (v: unknown): v is number | undefined => v === undefined || isNum(v);

function ttClock(v: unknown): TabletopClockView | undefined {
  return isObj(v) && isNum(v.t) && isNum(v.speed) && typeof v.paused === 'boolean' ? { t: v.t, speed: v.speed, paused: v.paused } : undefined;
}

function ttReading(v: unknown): TabletopReadingView | undefined {
  if (!isObj(v) || !isNum(v.simT) || !isObj(v.clusters)) return undefined;
  const entries = Object.entries(v.clusters);
  if (entries.length > TT_MAX_CLUSTERS) return undefined;
  const clusters: Record<string, TabletopClusterReadingView> = {};
  for (const [name, r] of entries) {
    if (!TT_CLUSTER.test(name) || !isObj(r)) return undefined;
    const keys = ['load', 'dnsSuccess', 'errorRatio', 'offendingRps', 'rejectedPerSecond', 'replicasReady', 'replicas'] as const;
    if (!keys.every((k) => isNum(r[k]))) return undefined;
    clusters[name] = { load: r.load as number, dnsSuccess: r.dnsSuccess as number, errorRatio: r.errorRatio as number, offendingRps: r.offendingRps as number, rejectedPerSecond: r.rejectedPerSecond as number, replicasReady: r.replicasReady as number, replicas: r.replicas as number };
  }
  return { simT: v.simT, clusters };
}

function ttEvent(v: unknown): TabletopEventView | undefined {
  if (!isObj(v) || !isNum(v.simT) || !isText(v.cluster, 200) || !isText(v.kind, 200) || !isText(v.detail)) return undefined;
  const e: TabletopEventView = { simT: v.simT, cluster: v.cluster, kind: v.kind, detail: v.detail };
  if (v.injectedBy !== undefined) {
    if (!isText(v.injectedBy, 200)) return undefined;
    e.injectedBy = v.injectedBy;
  }
  return e;
}

function ttMarker(v: unknown): TabletopMarkerView | undefined {
  if (!isObj(v) || !isNum(v.simT) || !isNum(v.n) || typeof v.stepId !== 'string' || !STEP_ID.test(v.stepId) || typeof v.state !== 'string' || !STATES.has(v.state) || !isText(v.runbook, 1000)) return undefined;
  return { simT: v.simT, n: v.n, stepId: v.stepId, state: v.state as StepState, runbook: v.runbook };
}

function ttHints(v: unknown): TabletopHintsView | undefined {
  if (!isObj(v) || !isNum(v.available) || !isNum(v.total) || !Array.isArray(v.revealed) || v.revealed.length > 200) return undefined;
  const revealed: TabletopHintsView['revealed'] = [];
  for (const h of v.revealed) {
    if (!isObj(h) || !isNum(h.after) || !isText(h.text)) return undefined;
    revealed.push({ after: h.after, text: h.text });
  }
  return { revealed, available: v.available, total: v.total };
}

function ttScores(v: unknown): TabletopScoresView | undefined {
  if (!isObj(v) || typeof v.recovered !== 'boolean' || !isNum(v.referenceSeconds) || !isObj(v.requests) || !Array.isArray(v.clusters) || v.clusters.length > TT_MAX_CLUSTERS) return undefined;
  const r = v.requests;
  if (!isNum(r.total) || !isNum(r.whileSaturated) || !isNum(r.refused) || !isNum(r.exempt)) return undefined;
  for (const k of ['impactAt', 'timeToDetect', 'timeToMitigate', 'timeToRecover'] as const) if (!optNum(v[k])) return undefined;
  if (v.impactCluster !== undefined && !isText(v.impactCluster, 200)) return undefined;
  if (v.detectedBy !== undefined && !isText(v.detectedBy, 500)) return undefined;
  const clusters: TabletopScoresView['clusters'] = [];
  for (const c of v.clusters) {
    if (!isObj(c) || !isText(c.name, 200) || !optNum(c.impactedAt) || !optNum(c.recoveredAt)) return undefined;
    clusters.push(defined({ name: c.name, impactedAt: c.impactedAt as number | undefined, recoveredAt: c.recoveredAt as number | undefined }));
  }
  return defined({
    impactAt: v.impactAt as number | undefined,
    impactCluster: v.impactCluster as string | undefined,
    timeToDetect: v.timeToDetect as number | undefined,
    detectedBy: v.detectedBy as string | undefined,
    timeToMitigate: v.timeToMitigate as number | undefined,
    timeToRecover: v.timeToRecover as number | undefined,
    recovered: v.recovered,
    clusters,
    requests: { total: r.total, whileSaturated: r.whileSaturated, refused: r.refused, exempt: r.exempt },
    referenceSeconds: v.referenceSeconds,
  });
}

/** The object without its undefined properties (what JSON would carry). */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** Rebuilds a list with `item`; undefined when it is too long or any element is malformed. */
function listOf<T>(v: unknown, max: number, item: (x: unknown) => T | undefined): T[] | undefined {
  if (!Array.isArray(v) || v.length > max) return undefined;
  const out: T[] = [];
  for (const x of v) {
    const y = item(x);
    if (y === undefined) return undefined;
    out.push(y);
  }
  return out;
}

function ttWorkload(w: unknown): TabletopWorkloadView | undefined {
  if (!isObj(w) || typeof w.namespace !== 'string' || w.namespace.length > 63 || !TT_K8S_NAME.test(w.namespace) || typeof w.name !== 'string' || !TT_K8S_NAME.test(w.name)) return undefined;
  return w.kind === 'DaemonSet' || w.kind === 'Deployment' ? { namespace: w.namespace, name: w.name, kind: w.kind } : undefined;
}

function ttState(v: unknown): TabletopStateView | undefined {
  if (!isObj(v) || !isText(v.scenario, 200) || !isText(v.description) || !isText(v.focus, 200) || !isNum(v.durationSeconds) || !isNum(v.recoveredErrorRatio) || typeof v.running !== 'boolean') return undefined;
  const clusters = listOf(v.clusters, TT_MAX_CLUSTERS, (c) => (isObj(c) && typeof c.name === 'string' && TT_CLUSTER.test(c.name) && isNum(c.nodes) ? { name: c.name, nodes: c.nodes } : undefined));
  const clock = ttClock(v.clock);
  const readings = listOf(v.readings, TT_MAX_READINGS, ttReading);
  const events = listOf(v.events, TT_MAX_EVENTS, ttEvent);
  const markers = listOf(v.markers, TT_MAX_EVENTS, ttMarker);
  const hints = ttHints(v.hints);
  const scores = ttScores(v.scores);
  const workloads = listOf(v.workloads, TT_MAX_WORKLOADS, ttWorkload);
  if (!workloads || !clusters || !clock || !readings || !events || !markers || !hints || !scores) return undefined;
  if (v.kubeconfig !== undefined && !isText(v.kubeconfig)) return undefined;
  if (v.report !== undefined && !isText(v.report)) return undefined;
  const s: TabletopStateView = { scenario: v.scenario, description: v.description, clusters, focus: v.focus, durationSeconds: v.durationSeconds, recoveredErrorRatio: v.recoveredErrorRatio, running: v.running, workloads, clock, readings, events, markers, hints, scores };
  if (v.kubeconfig !== undefined) s.kubeconfig = v.kubeconfig as string;
  if (v.report !== undefined) s.report = v.report as string;
  return s;
}

/** A message to the facilitator panel, checked and rebuilt; undefined when it is not one. */
export function parseTabletopToWebview(msg: unknown): TabletopToWebview | undefined {
  if (!isObj(msg) || typeof msg.type !== 'string') return undefined;
  switch (msg.type) {
    case 'ttState': {
      const state = ttState(msg.state);
      return state ? { type: 'ttState', state } : undefined;
    }
    case 'ttClock': {
      const clock = ttClock(msg.clock);
      return clock ? { type: 'ttClock', clock } : undefined;
    }
    case 'ttReading': {
      const reading = ttReading(msg.reading);
      return reading ? { type: 'ttReading', reading } : undefined;
    }
    case 'ttEvent': {
      const event = ttEvent(msg.event);
      return event ? { type: 'ttEvent', event } : undefined;
    }
    case 'ttMarker': {
      const marker = ttMarker(msg.marker);
      return marker ? { type: 'ttMarker', marker } : undefined;
    }
    case 'ttScores': {
      const scores = ttScores(msg.scores);
      const hints = ttHints(msg.hints);
      return scores && hints ? { type: 'ttScores', scores, hints } : undefined;
    }
    case 'ttEnded': {
      const scores = ttScores(msg.scores);
      if (!scores || (msg.report !== undefined && !isText(msg.report))) return undefined;
      return msg.report !== undefined ? { type: 'ttEnded', scores, report: msg.report as string } : { type: 'ttEnded', scores };
    }
    case 'ttNotice':
      return (msg.level === 'info' || msg.level === 'warning' || msg.level === 'error') && isText(msg.message) ? { type: 'ttNotice', level: msg.level, message: msg.message } : undefined;
    default:
      return undefined;
  }
}
