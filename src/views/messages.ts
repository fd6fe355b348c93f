// Messages between the Runbook view (webview) and the extension. Both sides validate what they
// receive: a webview is a web page, and its messages are input like any other. The cluster-health
// panels (standalone, and ```health fences inside the Runbook view) use the `health*` messages.
import type { ReadinessBadge } from '../breakglass/readiness';
import type { HealthSnapshot, HealthState, Reading } from '../cluster/poller';
import type { StepState } from '../runbook/model';

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
  | { type: 'readinessShown'; steps: Record<string, string> };

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
}

/** Messages to a health panel; `panel` names the panel in its page (a step id, or `main`). */
export type HealthToWebview =
  | { type: 'healthTarget'; panel: string; target: HealthTargetView }
  /** Replaces what the panel shows: the poller's recent snapshots, oldest first. */
  | { type: 'healthHistory'; panel: string; sentAt: number; snapshots: HealthSnapshot[] }
  /** One new snapshot. `sentAt` is the extension's clock, so the page can show ages without trusting its own. */
  | { type: 'health'; panel: string; sentAt: number; snapshot: HealthSnapshot };

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
      return typeof msg.href === 'string' && msg.href.length < 4096 && /^(https?:|#)/i.test(msg.href) ? { type: 'openLink', href: msg.href } : undefined;
    case 'openSetting':
      return typeof msg.setting === 'string' && (HEALTH_SETTINGS as readonly string[]).includes(msg.setting) ? { type: 'openSetting', setting: msg.setting as HealthSetting } : undefined;
    case 'checkReadiness':
      return { type: 'checkReadiness' };
    case 'readinessShown': {
      const steps = byStepId(msg.steps, (v) => (typeof v === 'string' && v.length <= MAX_TEXT ? v : undefined));
      return steps ? { type: 'readinessShown', steps } : undefined;
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
export function parseHealthToHost(msg: unknown): Extract<ToHost, { type: 'ready' | 'openLink' | 'openSetting' }> | undefined {
  const m = parseToHost(msg);
  return m && (m.type === 'ready' || m.type === 'openLink' || m.type === 'openSetting') ? m : undefined;
}
