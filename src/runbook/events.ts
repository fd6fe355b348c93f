// Journal events: one JSON object per line in `.breakglass/journal/<runbook>-<start>.jsonl`.
// Every field that can carry command output or parameters is masked before it is written.
import type { RunMode, StepState } from './model';

interface Base {
  /** ISO-8601 time the event happened. */
  t: string;
}

export interface RunStartedEvent extends Base {
  type: 'run-started';
  /** Journal format version. */
  v: 1;
  runId: string;
  runbook: string; // absolute path of the runbook file
  title: string;
  mode: RunMode;
  /** `simulated` or the kube context name. */
  target: string;
  user: string;
  host: string;
  /** Which front-end drove the run. */
  via: 'vscode' | 'cli';
  /** Parameter names -> values, secrets already masked. */
  params: Record<string, string>;
}
export interface RunResumedEvent extends Base {
  type: 'run-resumed';
  runId: string;
  user: string;
  mode: RunMode;
  target: string;
}
export interface StepStartedEvent extends Base {
  type: 'step-started';
  stepId: string;
  kind: string;
  command: string; // masked
  user: string;
  mode: RunMode;
  target: string;
}
export interface StepOutputEvent extends Base {
  type: 'output';
  stepId: string;
  stream: 'stdout' | 'stderr' | 'info';
  text: string; // masked
}
export interface StepFinishedEvent extends Base {
  type: 'step-finished';
  stepId: string;
  state: Extract<StepState, 'succeeded' | 'failed' | 'cancelled' | 'skipped'>;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** Why, in words, when it did not succeed. */
  reason?: string;
}
export interface DecisionEvent extends Base {
  type: 'decision';
  stepId?: string;
  /** e.g. `confirmed`, `declined`, `typed-context`, `mode-changed`. */
  decision: string;
  user: string;
  detail?: string;
}
export interface RunFinishedEvent extends Base {
  type: 'run-finished';
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'partial';
}

export type JournalEvent =
  | RunStartedEvent
  | RunResumedEvent
  | StepStartedEvent
  | StepOutputEvent
  | StepFinishedEvent
  | DecisionEvent
  | RunFinishedEvent;
