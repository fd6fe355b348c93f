// What a step kind is: how its fences are parsed, how its steps run and how they are shown. Each
// kind is one file of this folder and is registered in index.ts; the parser, the run session and
// the renderer know nothing kind-specific beyond these hooks.
import type { ClusterOutcome } from '../../breakglass/fanout';
import type { JournalEvent, StepFinishedEvent } from '../events';
import type { ShellRunResult } from '../executor';
import type { Masker } from '../../common/mask';
import type { RunMode, Runbook, Step, StepKind, StepState } from '../model';
import type { SimHost } from '../simhost';
import type { Target } from '../target';

export type AttrType = 'string' | 'boolean' | 'duration' | 'mode' | 'name' | 'list' | 'prompt';

export interface AttrSpec {
  type: AttrType;
  description: string;
}

/** A problem in a step body, at a line relative to the body's first line. */
export interface BodyProblem {
  line: number;
  severity: 'error' | 'warning';
  message: string;
  /** The diagnostic's code (default `<kind>-body`). */
  code?: string;
}

/** What the body check knows besides the body. */
export interface BodyCheck {
  /** The step's timeout: its `timeout` attribute, else the default. */
  timeoutMs: number;
}

/** A cluster a step acts on: the name a person types, and what it reaches there. */
export interface ActTarget {
  name: string;
  where: string[];
}

/** How a step ends, as the run session records it (`step-finished`). */
export type FinishExtra = Partial<StepFinishedEvent> & { reason?: string };

/**
 * One run of one step, as the run session hands it to the step's kind: where and how long it
 * runs, and the session's ways to show output, ask, journal and end the step. Everything a kind
 * writes goes through these, so the journal, the masking and the events stay the session's.
 */
export interface StepRun {
  step: Step;
  mode: RunMode;
  target: Target;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** The step's timeout in real milliseconds (in a tabletop already scaled to its clock). */
  timeoutMs: number;
  /** Aborted by Cancel, by Run All's cancel, or when the step's output cannot be journaled. */
  signal: AbortSignal;
  /** The tabletop, in simulated mode. */
  host: SimHost | undefined;
  /** Items (nodes, keys, clusters) to run again ("retry failed"), or undefined for all. */
  only: string[] | undefined;
  runbookPath: string;
  journalDir: string;
  clustersConfig: string | undefined;
  parallelClusters: number | undefined;
  user: string;
  masker: Masker;
  /** Adds text to the step's output (shown and journaled; not masked here). */
  output(stream: 'stdout' | 'stderr' | 'info', text: string): void;
  /**
   * The step's script with the variables it asks for resolved first (Runme's promptEnv): undefined
   * when the person cancelled a question.
   */
  prompted(script: string): Promise<string | undefined>;
  /** Runs a shell command of the step in a terminal the person types into (`interactive=true`). */
  interactive(command: string, timeoutMs: number): Promise<ShellRunResult>;
  /** Runs a shell command of the step; its output is masked and streamed to the step's output. */
  shell(command: string, timeoutMs: number, capture?: { text: string }): Promise<ShellRunResult>;
  /** A shell command's result as the step's end. */
  finishShell(res: ShellRunResult, timeoutMs: number): StepState;
  /** Ends the step (journaled). */
  finish(state: StepFinishedEvent['state'], extra: FinishExtra): StepState;
  /** Writes one event to the journal; false when it cannot be written. */
  record(e: JournalEvent): boolean;
  /** Ends the step because the journal cannot record it. */
  journalRefused(): StepState;
  /** Asks the person to name every cluster the step acts on; journals the answer. */
  confirmTargets(targets: ActTarget[], decision: string): Promise<boolean | 'unjournaled'>;
  /** Per-cluster state of a step across clusters, for the views (already masked). */
  clusters(clusters: ClusterOutcome[]): void;
  /** The items that failed in this run (what "retry failed" runs again). */
  failedItems(ids: string[]): void;
}

/** What a kind's blocker knows about the run. */
export interface RunSituation {
  mode: RunMode;
  /** A tabletop is there to act on (simulated mode); asked only by kinds that need one. */
  hasSim(): boolean;
}

/** What rendering a step knows besides the step. */
export interface RenderContext {
  runbook: Runbook;
  /** The steps that work without the API server (break-glass steps), in runbook order. */
  bypassSteps(): Step[];
}

export interface StepKindDef<K extends StepKind = StepKind> {
  kind: K;
  /** Fence languages that make a step of this kind (lower case). */
  languages: readonly string[];
  /** Its name in words, for badges and messages. */
  title: string;
  /** Attributes this kind adds to the common ones. */
  attributes: Record<string, AttrSpec>;
  /** The codicon beside its steps' names. */
  icon: string;
  /** Its cards carry a badge naming the kind (the plain shell step does not). */
  kindBadge: boolean;
  /** The question before a `confirm` step runs shows the step's body. */
  confirmShowsBody: boolean;
  /** How the question before it acts on a real cluster names the step (`Destructive step 'x' on REAL …`). */
  realRunLabel: string;
  /** Its card is a live cluster-health panel that the views bind to their cluster's poller. */
  livePanel?: boolean;
  /** Its runs report the items that failed, and "Retry failed" runs those again (RunSession.retryFailed). */
  retriesFailedItems?: boolean;
  /** Checks the body, adding problems; returns its parsed form (`Step.spec`). */
  checkBody(body: string, problems: BodyProblem[], check: BodyCheck): unknown;
  /** Changes things when the author did not say (`destructive=`). */
  destructiveByDefault(body: string): boolean;
  /** Why a step of this kind cannot run in this situation, or undefined. */
  blocker?(step: Step, situation: RunSituation): string | undefined;
  /**
   * The step asks which clusters it acts on by itself, once it knows them: the session does not
   * ask for the context name of a destructive step in real mode.
   */
  namesOwnTargets?: boolean;
  /** The command the journal's `step-started` records (masked by the session). */
  command(step: Step): string;
  /** Runs the step and ends it (through `run.finish`); absent for kinds that are only shown. */
  run?(run: StepRun): Promise<StepState>;
  /** Works without the API server a health panel watches: where a panel points when it stops answering. */
  bypassesApiServer?(step: Step): boolean;
  /** The HTML of the step's body in its card (escaped: never raw HTML from the runbook). */
  render(step: Step, ctx: RenderContext): string;
}
