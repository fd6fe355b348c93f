// Messages of the cluster-health panels: the standalone Cluster Health page, and the ```health
// fences inside the Runbook view (whose page relays them). `panel` names the panel in its page
// (a step id, or `main`).
import type { HealthSnapshot } from '../../cluster/poller';
import { num, PAGE_TO_HOST, STEP_ID, text } from './common';
import { array, boolean, dropInvalid, map, object, oneOf, optional, parse, record, string, tagged, type Infer, type Validator } from './validate';

/** Settings a panel may open (the "no cluster configured" hint). */
export const HEALTH_SETTINGS = ['breakglass.simulatedKubeconfig', 'breakglass.realKubeconfig', 'breakglass.prometheusUrl'] as const;
export type HealthSetting = (typeof HEALTH_SETTINGS)[number];

/** Most clusters the standalone page shows side by side. */
export const MAX_COMPARED = 3;
const MAX_HISTORY = 1000;

const panelId = string({ pattern: STEP_ID, what: 'a panel id' });

/** A reading whose value `value` accepts; rebuilt so nothing else travels along. */
function reading<T>(value: Validator<T>) {
  return object({ value, source: text(200), at: num });
}

/** Per-priority-level numbers (at most 100 levels). */
const byLevel = record(string({ max: 200 }), num, { max: 100 });

/**
 * A HealthSnapshot. Its core (time, state, summary, cost) must be well-formed; a malformed
 * optional reading is dropped, not fatal.
 */
const healthSnapshot: Validator<HealthSnapshot> = object({
  at: num,
  state: oneOf(['healthy', 'degraded', 'saturated', 'unreachable']),
  summary: text(),
  cost: object({ requests: num, bytes: num }),
  error: dropInvalid(text()),
  via: dropInvalid(object({ path: text(300), fallback: boolean() })),
  ordinaryFailure: dropInvalid(object({ path: text(300), error: text(), at: num })),
  lastAnswer: dropInvalid(object({ at: num, via: text(300) })),
  readyz: dropInvalid(reading(object({ ok: boolean(), failed: array(text(200), { max: 100 }) }))),
  inflight: dropInvalid(reading(num)),
  limit: dropInvalid(reading(num)),
  waitP99Seconds: dropInvalid(reading(num)),
  readP99Seconds: dropInvalid(reading(num)),
  mutatingP99Seconds: dropInvalid(reading(num)),
  nodes: dropInvalid(reading(num)),
  pods: dropInvalid(reading(num)),
  dnsReadyAddresses: dropInvalid(reading(num)),
  dnsServfailRatio: dropInvalid(reading(num)),
  queuedByLevel: dropInvalid(reading(byLevel)),
  rejectedPerSecondByLevel: dropInvalid(reading(byLevel)),
  nodesReadySample: dropInvalid(reading(object({ ready: num, sampled: num, total: num }))),
  topClients: dropInvalid(reading(array(object({ userAgent: text(500), user: text(500), requestsLastMinute: num }), { max: 50 }))),
  loadByFlowSchema: dropInvalid(reading(array(object({ flowSchema: text(500), priorityLevel: text(500), perSecond: num, rejectedPerSecond: num }), { max: 50 }))),
});

/** A HealthSnapshot, checked field by field and rebuilt; undefined when its core is malformed. */
export function parseHealthSnapshot(v: unknown): HealthSnapshot | undefined {
  return parse(healthSnapshot, v);
}

/** What a health panel watches, or why it watches nothing. */
const healthTargetView = object({
  /** watching: snapshots follow; none: no cluster configured; error: cannot watch; restricted: untrusted workspace. */
  status: oneOf(['watching', 'none', 'error', 'restricted']),
  /** The cluster in words ("SIMULATED: staging (context sim)"). */
  label: text(1000),
  simulated: boolean(),
  /** Why it watches nothing, and how to change that. */
  message: optional(text()),
  /** A remark on how the panel's attributes were applied. */
  note: optional(text()),
  /** Requests a minute the shared poller spends at most. */
  budgetPerMinute: optional(num),
  /** The break-glass context the poller reads through while the ordinary one is shed. */
  fallback: optional(text(300)),
});
export type HealthTargetView = Infer<typeof healthTargetView>;

/** Messages to a health panel. */
export const HEALTH_TO_WEBVIEW = {
  healthTarget: object({ panel: panelId, target: healthTargetView }),
  /** Replaces what the panel shows: the poller's recent snapshots, oldest first. */
  healthHistory: object({ panel: panelId, sentAt: num, snapshots: array(healthSnapshot, { max: MAX_HISTORY }) }),
  /** One new snapshot. `sentAt` is the extension's clock, so the page can show ages without trusting its own. */
  health: object({ panel: panelId, sentAt: num, snapshot: healthSnapshot }),
};
export const healthToWebview = tagged('type', HEALTH_TO_WEBVIEW);
export type HealthToWebview = Infer<typeof healthToWebview>;

/** A message to a health panel, checked and rebuilt; undefined when it is not one. */
export function parseHealthToWebview(msg: unknown): HealthToWebview | undefined {
  return parse(healthToWebview, msg);
}

/** The standalone page's clusters: what the picker offers, and a panel per chosen cluster (first: `main`). */
const healthClusters = tagged('type', {
  healthClusters: object({
    choices: array(object({ context: text(300), cluster: text(300) }), { max: 100 }),
    panels: array(object({ id: panelId, context: optional(text(300)) }), { min: 1, max: MAX_COMPARED }),
  }),
});
export type HealthClustersMessage = Infer<typeof healthClusters>;

/** The standalone page's cluster list, checked and rebuilt. */
export function parseHealthClusters(msg: unknown): HealthClustersMessage | undefined {
  return parse(healthClusters, msg);
}

/** Intents of health panels (a page with health panels accepts these). */
export const HEALTH_TO_HOST = {
  ...PAGE_TO_HOST,
  /** Open one of the settings a panel's hint names. */
  openSetting: object({ setting: oneOf(HEALTH_SETTINGS) }),
  /** The standalone Cluster Health page: show these clusters (contexts), side by side (duplicates dropped). */
  healthChoose: object({ contexts: map(array(string({ min: 1, max: 300 }), { min: 1, max: MAX_COMPARED }), (c) => [...new Set(c)]) }),
};
export const healthToHost = tagged('type', HEALTH_TO_HOST);
export type HealthToHost = Infer<typeof healthToHost>;

/** A message from a standalone health panel: only these intents are accepted there. */
export function parseHealthToHost(msg: unknown): HealthToHost | undefined {
  return parse(healthToHost, msg);
}
