// Scoring a tabletop from what was recorded: when the impact began, when the team detected it,
// when the offending load stopped (mitigated), when errors came back under the scenario's
// threshold for good (recovered), and how many requests participants themselves sent to a
// saturated API server. Pure: the same journal gives the same scores.
import type { SimClusterReading } from '../runbook/events';

/** The seed incident's all-clear: 4 h 22 m after the rollout began. */
export const REFERENCE_ALL_CLEAR_SECONDS = 4 * 3600 + 22 * 60;

export interface ScoreInput {
  samples: { simT: number; clusters: Record<string, SimClusterReading> }[];
  /** When participants did something that counts as diagnosis: a step started, a health panel opened. */
  activity: { simT: number; what: string }[];
  recoveredErrorRatio: number;
  /** Does the scenario have an offending workload (one whose load can be stopped)? */
  hasOffender: boolean;
  requests: ParticipantRequests;
  /** Simulated seconds the tabletop covered. */
  endT: number;
}

export interface ParticipantRequests {
  /** Requests participants (their kubectl, their steps) sent as ordinary users. */
  total: number;
  /** …of them, while that cluster's API servers were saturated (retries that added load). */
  whileSaturated: number;
  /** …answered 429 or not served in time. */
  refused: number;
  /** Requests through the break-glass (exempt) identity. */
  exempt: number;
}

export interface Scores {
  /** Simulated seconds; undefined when it never happened. */
  impactAt?: number;
  impactCluster?: string;
  detectAt?: number;
  detectedBy?: string;
  mitigateAt?: number;
  recoverAt?: number;
  timeToDetect?: number;
  timeToMitigate?: number;
  timeToRecover?: number;
  /** Clusters that were impacted, and whether each ended recovered. */
  clusters: { name: string; impactedAt?: number; recoveredAt?: number }[];
  recovered: boolean;
  requests: ParticipantRequests;
  reference: { allClearSeconds: number; label: string };
}

/** Is this reading of a cluster unhealthy for its users? */
export function unhealthy(r: SimClusterReading, threshold: number): boolean {
  return r.replicasReady < r.replicas || r.rejectedPerSecond > 0 || r.errorRatio > threshold || r.dnsSuccess < 0.99;
}

/** Saturated: its API servers refuse or queue ordinary requests (what makes a retry add load). */
export function saturated(r: SimClusterReading): boolean {
  return r.replicasReady === 0 || r.rejectedPerSecond > 0 || r.load >= 0.95;
}

export function score(input: ScoreInput): Scores {
  const th = input.recoveredErrorRatio;
  const names = [...new Set(input.samples.flatMap((s) => Object.keys(s.clusters)))];
  const clusters: Scores['clusters'] = [];
  for (const name of names) {
    const rows = input.samples.filter((s) => s.clusters[name]);
    const first = rows.find((s) => unhealthy(s.clusters[name], th));
    if (!first) continue;
    // Recovered: healthy from this sample to the last one.
    let recoveredAt: number | undefined;
    for (let i = rows.length - 1; i >= 0; i--) {
      if (unhealthy(rows[i].clusters[name], th)) break;
      recoveredAt = rows[i].simT;
    }
    if (recoveredAt !== undefined && recoveredAt <= first.simT) recoveredAt = undefined;
    clusters.push({ name, impactedAt: first.simT, recoveredAt });
  }
  const out: Scores = { clusters, recovered: false, requests: input.requests, reference: { allClearSeconds: REFERENCE_ALL_CLEAR_SECONDS, label: 'seed incident 2024-12-11: all-clear at 4 h 22 m' } };
  if (!clusters.length) return out;
  const impact = clusters.reduce((a, b) => (b.impactedAt! < a.impactedAt! ? b : a));
  out.impactAt = impact.impactedAt;
  out.impactCluster = impact.name;
  const det = input.activity.filter((a) => a.simT >= impact.impactedAt!).sort((a, b) => a.simT - b.simT)[0];
  if (det) {
    out.detectAt = det.simT;
    out.detectedBy = det.what;
    out.timeToDetect = det.simT - impact.impactedAt!;
  }
  if (input.hasOffender) {
    // Mitigated: from this sample on, no impacted cluster receives the offender's requests.
    const impacted = clusters.map((c) => c.name);
    let at: number | undefined;
    for (let i = input.samples.length - 1; i >= 0; i--) {
      const s = input.samples[i];
      if (s.simT < impact.impactedAt!) break;
      if (impacted.some((n) => (s.clusters[n]?.offendingRps ?? 0) > 0.001)) break;
      at = s.simT;
    }
    if (at !== undefined) {
      out.mitigateAt = at;
      out.timeToMitigate = at - impact.impactedAt!;
    }
  }
  out.recovered = clusters.every((c) => c.recoveredAt !== undefined);
  if (out.recovered) {
    out.recoverAt = Math.max(...clusters.map((c) => c.recoveredAt!));
    out.timeToRecover = out.recoverAt - impact.impactedAt!;
  }
  return out;
}
