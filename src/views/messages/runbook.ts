// Messages between the Runbook view (webview) and the extension. The view's page also hosts the
// ```health fences' panels: it accepts their messages (./health.ts) and relays their intents.
import type { ReadinessBadge } from '../../breakglass/readiness';
import { count, MAX_TEXT, stepId, stepState, text, num } from './common';
import { HEALTH_TO_HOST, HEALTH_TO_WEBVIEW } from './health';
import { array, boolean, literal, number, object, oneOf, optional, parse, record, string, tagged, union, type Infer, type Validator } from './validate';

/** At most this many steps in one message. */
const MAX_STEPS = 2000;
/** At most this many clusters in one table. */
export const MAX_CLUSTERS = 1000;

const stepView = object({
  state: stepState,
  /** Milliseconds the step has been running (running) or ran (finished), at the time of sending. */
  elapsedMs: optional(num),
  exitCode: optional(union(number({ integer: true }), literal(null))),
  reason: optional(string()),
});
export type StepView = Infer<typeof stepView>;

/** One cluster of a break-glass step run across clusters (a row of the step card's table). */
const clusterRow = object({
  name: string({ min: 1, max: 200 }),
  /** Nodes, when known (the table is largest first). */
  size: optional(count),
  /** `dry-run`: the step was a dry run; it finished having changed nothing. */
  state: oneOf(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cancelled', 'dry-run']),
  /** Per-node (or per-key) progress of the action on this cluster. */
  done: optional(count),
  total: optional(count),
  failed: optional(count),
  /** The result in a few words for the table's cell (counts); while running, the plan. */
  summary: optional(text()),
  /** The whole result (or plan) in one sentence, when it says more than `summary`. */
  detail: optional(text()),
});
export type ClusterRowView = Infer<typeof clusterRow>;

/** A cluster row, checked and rebuilt; undefined when malformed. */
export function parseClusterRow(v: unknown): ClusterRowView | undefined {
  return parse(clusterRow, v);
}

const readinessBadge: Validator<ReadinessBadge> = object({
  status: oneOf(['ready', 'not-ready', 'not-checked']),
  reason: optional(text()),
  checkedAt: optional(num),
});

/** A readiness badge, checked and rebuilt; undefined when malformed. */
export function parseReadinessBadge(v: unknown): ReadinessBadge | undefined {
  return parse(readinessBadge, v);
}

const modeView = object({ label: string(), real: boolean() });

export const runbookToHost = tagged('type', {
  ...HEALTH_TO_HOST,
  run: object({ stepId }),
  cancel: object({ stepId }),
  skip: object({ stepId }),
  runAll: object({}),
  cancelAll: object({}),
  /** Show the runbook's source at this line. */
  reveal: object({ line: number({ integer: true, min: 0, max: 9_999_999 }) }),
  /** The person asks for a readiness check (Breakglass: Check Break-Glass Readiness). */
  checkReadiness: object({}),
  /** What the page drew on each ```breakglass step card after a `readiness` message: step id → text. */
  readinessShown: object({ steps: record(stepId, text(MAX_TEXT), { max: MAX_STEPS }) }),
  /** Run a break-glass step again on the items (nodes, keys, clusters) that failed in its last run. */
  retryFailed: object({ stepId }),
  /** What the page drew for a break-glass step's clusters: one text per row, and the retry button's label ('' when hidden). */
  clustersShown: object({ stepId, rows: array(text(), { max: MAX_CLUSTERS }), retry: text(200) }),
});
export type ToHost = Infer<typeof runbookToHost>;

/** A message from the webview, or undefined when it is not one we accept. */
export function parseToHost(msg: unknown): ToHost | undefined {
  return parse(runbookToHost, msg);
}

export const runbookToWebview = tagged('type', {
  snapshot: object({
    mode: modeView,
    trusted: boolean(),
    runAll: boolean(),
    journal: optional(string()),
    steps: record(string(), object({ ...stepView.shape, output: string() })),
  }),
  state: object({ stepId: string(), view: stepView }),
  output: object({ stepId: string(), stream: oneOf(['stdout', 'stderr', 'info']), text: string() }),
  mode: object({ mode: modeView, trusted: boolean() }),
  runAll: object({ running: boolean() }),
  notice: object({ level: oneOf(['info', 'warning', 'error']), message: string() }),
  /** Readiness badges of the ```breakglass steps, by step id; `running` while a check runs. */
  readiness: object({ running: boolean(), steps: record(stepId, readinessBadge, { max: MAX_STEPS }) }),
  /** A break-glass step across clusters: the whole table, largest first. */
  clusters: object({ stepId, clusters: array(clusterRow, { max: MAX_CLUSTERS }) }),
  /** How many items failed in a break-glass step's last run ("Retry failed (N)"; 0 hides it). */
  retry: object({ stepId, failed: count }),
  ...HEALTH_TO_WEBVIEW,
});
export type ToWebview = Infer<typeof runbookToWebview>;

/** A message from the extension, checked by the webview before it touches the page. */
export function parseToWebview(msg: unknown): ToWebview | undefined {
  return parse(runbookToWebview, msg);
}
