// Journal events: one JSON object per line in `.breakglass/journal/<runbook>-<start>.jsonl`.
// Every field that can carry command output or parameters is masked before it is written.
import type { SimStepEvent } from './simhost';
import type { PreflightEvent } from '../breakglass/readiness';
import type { RunMode, StepState } from './model';

export type { PreflightEvent };

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
/**
 * A shell step's process started: the id of its process group (its shell's pid; the shell leads
 * a group of its own). If the run ends without the step's `step-finished`, that group was never
 * stopped by Breakglass and may still be running.
 */
export interface StepProcessEvent extends Base {
  type: 'step-process';
  stepId: string;
  pgid: number;
  /** The host the group runs on (os.hostname()). */
  host: string;
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
  /** The clusters a step acts on, as the person was asked to name them (masked). */
  targets?: { name: string; where: string[] }[];
}
/**
 * The session environment changed: the variables a step that succeeded exported, unset or changed,
 * and the directory it left (later steps of the run start from them), or the `.env` file beside the
 * runbook read into the base environment. Values are masked by the run's Masker, and a
 * secret-looking name's value is the mask alone; `masked` names the values that are not the value
 * itself, which a resume cannot bring back. `$__` and named outputs are never recorded here.
 */
export interface EnvChangedEvent extends Base {
  type: 'env-changed';
  /** The step that made the change (source `step`). */
  stepId?: string;
  source: 'step' | 'dotenv';
  /** Names -> values (masked). */
  set: Record<string, string>;
  /** Names the step unset. */
  unset: string[];
  /** Names in `set` whose recorded value is masked. */
  masked: string[];
  /** The working directory the step left, when it changed (masked). */
  cwd?: string;
  cwdMasked?: true;
  /** Names the step changed that do not travel on (KUBECONFIG and other ways to a cluster, parameters, Breakglass's own). */
  refused?: string[];
}
export interface RunFinishedEvent extends Base {
  type: 'run-finished';
  outcome: 'succeeded' | 'failed' | 'cancelled' | 'partial';
}

// ---- a tabletop's own journal (tabletop-<scenario>-<start>.jsonl) ------------------------------
// `simT` is simulated seconds since the scenario's T+0.

export interface TabletopStartedEvent extends Base {
  type: 'tabletop-started';
  v: 1;
  scenario: string;
  file?: string;
  description: string;
  seed: number;
  speed: number;
  durationSeconds: number;
  recoveredErrorRatio: number;
  clusters: { name: string; nodes: number }[];
  /** The cluster the kubeconfig's current context points at. */
  focus: string;
  kubeconfig: string;
  user: string;
  host: string;
  via: 'vscode' | 'cli';
}
/** What the model did: scenario events, reactions (OOM, DNS expiry…) and people's injections. */
export interface SimModelEvent extends Base {
  type: 'sim-event';
  simT: number;
  cluster: string;
  kind: string;
  detail: string;
  /** Injected by hand (the facilitator), with who did it. */
  injectedBy?: string;
}
/** One reading of every cluster, once per simulated minute. */
export interface SimSampleEvent extends Base {
  type: 'sim-sample';
  simT: number;
  clusters: Record<string, SimClusterReading>;
}
export interface SimClusterReading {
  /** Seats in use / seat limit of the API servers (≥ 1: saturated). */
  load: number;
  rejectedPerSecond: number;
  replicasReady: number;
  replicas: number;
  dnsSuccess: number;
  errorRatio: number;
  /** Requests per second the scenario's offending workloads still send. */
  offendingRps: number;
  pending: number;
}
/** A participant's runbook step, as a marker on the simulated timeline. */
export interface SimStepMarkerEvent extends Base, SimStepEvent {
  type: 'sim-step';
  simT: number;
}
export interface SimClockEvent extends Base {
  type: 'sim-clock';
  simT: number;
  action: 'pause' | 'resume' | 'speed' | 'fast-forward';
  speed?: number;
  /** fast-forward: to this simulated time. */
  until?: number;
  user: string;
}
export interface SimActivityEvent extends Base {
  type: 'sim-activity';
  simT: number;
  /** e.g. `health-panel-opened`, `hint-revealed`, `facilitator-panel-opened`. */
  activity: string;
  detail?: string;
  user: string;
}
export interface TabletopFinishedEvent extends Base {
  type: 'tabletop-finished';
  simT: number;
  /** The scores (see src/tabletop/score.ts) as computed at the end. */
  scores: unknown;
}

// PreflightEvent (one readiness check of every break-glass path) is defined beside the readiness
// result it records: src/breakglass/readiness.ts.

export type JournalEvent =
  | PreflightEvent
  | TabletopStartedEvent
  | SimModelEvent
  | SimSampleEvent
  | SimStepMarkerEvent
  | SimClockEvent
  | SimActivityEvent
  | TabletopFinishedEvent
  | RunStartedEvent
  | RunResumedEvent
  | StepStartedEvent
  | StepProcessEvent
  | StepOutputEvent
  | StepFinishedEvent
  | DecisionEvent
  | EnvChangedEvent
  | RunFinishedEvent;
