// What a running simulation (a tabletop) offers the runbook engine: the clusters break-glass steps
// act on in simulated mode, how their time moves, and where step events go (markers on the
// facilitator's chart, the after-action report). The engine never starts a simulation itself.
import type { SimTimeline } from '../breakglass/types';
import type { ClusterModel } from '../sim/model/cluster';
import type { StepState } from './model';

export interface SimHostCluster {
  name: string;
  nodes: number;
  model: ClusterModel;
}

export interface SimStepEvent {
  runbook: string;
  /** The run's journal (for the report: outputs live there). */
  journal?: string;
  stepId: string;
  kind: string;
  state: StepState;
  reason?: string;
}

export interface SimHost {
  clusters(): SimHostCluster[];
  /** The cluster the run's kubeconfig context points at (the default target of a step). */
  focus(): string;
  timeline(cluster: string): SimTimeline;
  /** Simulated seconds per real second now (step timeouts and check intervals are in simulated time). */
  speed(): number;
  stepEvent?(e: SimStepEvent): void;
  /** Something participants did that counts as diagnosis (a health panel opened…), or a note (`diagnosis` false). */
  noteActivity?(activity: string, detail?: string, diagnosis?: boolean): void;
}

/** Floor of a scaled timeout: a command needs some real time to start and answer at any speed. */
export const MIN_SCALED_TIMEOUT_MS = 20_000;

/**
 * A step timeout (written for people, in incident time) in real milliseconds at this clock speed:
 * `timeout / speed`, but never less than min(timeout, 20 s).
 */
export function scaledTimeoutMs(timeoutMs: number, speed: number): number {
  if (!(speed > 1)) return timeoutMs;
  return Math.max(Math.round(timeoutMs / speed), Math.min(timeoutMs, MIN_SCALED_TIMEOUT_MS));
}

/** A check's interval at this clock speed: `interval / speed`, at least 250 ms. */
export function scaledIntervalMs(intervalMs: number, speed: number): number {
  if (!(speed > 1)) return intervalMs;
  return Math.max(250, Math.round(intervalMs / speed));
}
