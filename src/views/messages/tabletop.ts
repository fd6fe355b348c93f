// Messages of the facilitator panel of a tabletop, validated both ways like the health ones: the
// page accepts only `tt*` messages from the extension, and the extension accepts only these
// intents from the page.
import { injectableActions, INJECT_PARAMS, type PanelActionName } from '../../sim/actions';
import { num, PAGE_TO_HOST, stepId, stepState, text } from './common';
import { array, boolean, map, number, object, oneOf, optional, parse, record, string, tagged, validate, type Infer, type Result, type Validator } from './validate';

/** Clock speeds the facilitator panel offers (simulated seconds per real second). */
export const TABLETOP_SPEEDS = [1, 10, 30, 60] as const;
/** What a facilitator may inject from the panel: the scenario actions with a panel row. */
export type TabletopInjection = PanelActionName;

/** A cluster's name in a scenario (or `*`: every cluster). */
const TT_CLUSTER = /^(\*|[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?)$/;
/** A Kubernetes namespace / object name (DNS-1123 subdomain; a namespace at most 63 characters). */
const TT_K8S_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const TT_MAX_READINGS = 5000;
const TT_MAX_EVENTS = 2000;
const TT_MAX_CLUSTERS = 50;
const TT_MAX_WORKLOADS = 50;

const clusterName = string({ pattern: TT_CLUSTER, what: "a cluster's name or *" });
const k8sName = string({ pattern: TT_K8S_NAME, what: 'a Kubernetes name' });
const k8sNamespace = string({ pattern: TT_K8S_NAME, max: 63, what: 'a Kubernetes namespace' });

const clock = object({
  /** Simulated seconds since T+0. */
  t: num,
  speed: num,
  paused: boolean(),
});
export type TabletopClockView = Infer<typeof clock>;

/** What the chart needs of one cluster at one moment. */
const clusterReading = object({ load: num, dnsSuccess: num, errorRatio: num, offendingRps: num, rejectedPerSecond: num, replicasReady: num, replicas: num });
export type TabletopClusterReadingView = Infer<typeof clusterReading>;

const reading = object({ simT: num, clusters: record(clusterName, clusterReading, { max: TT_MAX_CLUSTERS }) });
export type TabletopReadingView = Infer<typeof reading>;

/** A scenario or injected event (the journal's `sim-event`). */
const event = object({
  simT: num,
  cluster: text(200),
  kind: text(200),
  detail: text(),
  /** Who injected it; absent for the scenario's own events. */
  injectedBy: optional(text(200)),
});
export type TabletopEventView = Infer<typeof event>;

/** A participant's finished step (the journal's `sim-step`): a marker on the chart. */
const marker = object({
  simT: num,
  /** Numbered in order, as in the after-action report's timeline. */
  n: num,
  stepId,
  state: stepState,
  /** The runbook's file name. */
  runbook: text(1000),
});
export type TabletopMarkerView = Infer<typeof marker>;

const hints = object({
  revealed: array(object({ after: num, text: text() }), { max: 200 }),
  /** Hints whose time has come and that are not revealed yet. */
  available: num,
  total: num,
});
export type TabletopHintsView = Infer<typeof hints>;

const scores = object({
  impactAt: optional(num),
  impactCluster: optional(text(200)),
  timeToDetect: optional(num),
  detectedBy: optional(text(500)),
  timeToMitigate: optional(num),
  timeToRecover: optional(num),
  recovered: boolean(),
  clusters: array(object({ name: text(200), impactedAt: optional(num), recoveredAt: optional(num) }), { max: TT_MAX_CLUSTERS }),
  requests: object({ total: num, whileSaturated: num, refused: num, exempt: num }),
  /** The seed incident's all-clear, in seconds. */
  referenceSeconds: num,
});
export type TabletopScoresView = Infer<typeof scores>;

/** One of the scenario's workloads. */
const workload = object({ namespace: k8sNamespace, name: k8sName, kind: oneOf(['DaemonSet', 'Deployment']) });
export type TabletopWorkloadView = Infer<typeof workload>;

/** Everything the panel shows; sent whole when the page (re)loads. */
const state = object({
  scenario: text(200),
  description: text(),
  clusters: array(object({ name: clusterName, nodes: num }), { max: TT_MAX_CLUSTERS }),
  /** The kubeconfig's current context: the cluster the chart shows first. */
  focus: text(200),
  durationSeconds: num,
  recoveredErrorRatio: num,
  /** False once the exercise ended. */
  running: boolean(),
  /** The kubeconfig new terminals get (while running). */
  kubeconfig: optional(text()),
  /** The scenario's workloads, one per namespace/name: what a facilitator may deploy, block or unblock. */
  workloads: array(workload, { max: TT_MAX_WORKLOADS }),
  clock,
  readings: array(reading, { max: TT_MAX_READINGS }),
  /** Oldest first; the page shows them newest first. */
  events: array(event, { max: TT_MAX_EVENTS }),
  markers: array(marker, { max: TT_MAX_EVENTS }),
  hints,
  scores,
  /** The after-action report written at the end. */
  report: optional(text()),
});
export type TabletopStateView = Infer<typeof state>;

export const tabletopToWebview = tagged('type', {
  ttState: object({ state }),
  ttClock: object({ clock }),
  ttReading: object({ reading }),
  ttEvent: object({ event }),
  ttMarker: object({ marker }),
  ttScores: object({ scores, hints }),
  ttEnded: object({ scores, report: optional(text()) }),
  ttNotice: object({ level: oneOf(['info', 'warning', 'error']), message: text() }),
});
export type TabletopToWebview = Infer<typeof tabletopToWebview>;

/** A message to the facilitator panel, checked and rebuilt; undefined when it is not one. */
export function parseTabletopToWebview(msg: unknown): TabletopToWebview | undefined {
  return parse(tabletopToWebview, msg);
}

/** The same check, saying what is wrong (the extension checks the whole state it sends). */
export function validateTabletopToWebview(msg: unknown): Result<TabletopToWebview> {
  return validate(tabletopToWebview, msg);
}

/** What the page drew, as it reports it (the tests read it; nothing is decided on it). */
const drawn = object({
  cluster: text(200),
  clock: text(200),
  points: number({ integer: true, min: 0 }),
  markers: number({ integer: true, min: 0 }),
  events: number({ integer: true, min: 0 }),
  /** Workloads the page offers to deploy. */
  workloads: number({ integer: true, min: 0 }),
});
export type TabletopDrawn = Infer<typeof drawn>;

// An injection: its action and cluster, and the parameters that action takes
// (src/sim/actions/params.ts), each checked and rebuilt by the action's own rule. Nothing else
// travels on: a deploy names one of the scenario's workloads, its definition never comes from the page.
const injectTarget = object({ action: string({ max: 64, what: "a scenario action's name" }), cluster: clusterName });
interface Injection {
  action: TabletopInjection;
  cluster: string;
  replicas?: number;
  namespace?: string;
  name?: string;
  latency?: string;
  duration?: string;
}
const injection: Validator<Injection> = {
  what: 'an injection',
  check(v, path): Result<Injection> {
    const target = injectTarget.check(v, path);
    if (!target.ok) return target;
    const def = injectableActions('panel').find((a) => a.name === target.value.action);
    if (!def?.inject) return { ok: false, error: `${path}.action: expected one of ${injectableActions('panel').map((a) => a.name).join(', ')}, got ${JSON.stringify(target.value.action)}` };
    const out: Injection = { action: def.name as TabletopInjection, cluster: target.value.cluster };
    for (const p of def.inject.params) {
      const fields = INJECT_PARAMS[p].fromMessage(v as Readonly<Record<string, unknown>>);
      if (!fields) {
        const hint = INJECT_PARAMS[p].hint?.({ workloads: [] });
        return { ok: false, error: `${path}.${p}: ${def.name} needs ${INJECT_PARAMS[p].word}${hint ? ` (${hint})` : ''}` };
      }
      Object.assign(out, fields);
    }
    return { ok: true, value: out };
  },
};

export const tabletopToHost = tagged('type', {
  ready: PAGE_TO_HOST.ready,
  ttPlay: object({}),
  ttPause: object({}),
  // Typed as any number: the page posts what its buttons say; only the offered speeds pass.
  ttSpeed: object({ speed: map(oneOf(TABLETOP_SPEEDS), (n): number => n) }),
  ttInject: injection,
  ttRevealHint: object({}),
  ttEnd: object({}),
  ttExport: object({}),
  ttOpenReport: object({}),
  ttDrawn: object({ drawn }),
});
export type TabletopToHost = Infer<typeof tabletopToHost>;

/** An intent from the facilitator panel, checked and rebuilt; undefined when it is not one. */
export function parseTabletopToHost(msg: unknown): TabletopToHost | undefined {
  return parse(tabletopToHost, msg);
}
