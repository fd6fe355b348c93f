// One run of one runbook: step states, execution, safety gates and the journal. Shared by the
// extension (Runbook view) and the command line; the front-end supplies a Prompter for questions.
import { hostname } from 'node:os';
import { lstatSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { safeUser } from './user';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { EnvChangedEvent, JournalEvent, StepFinishedEvent } from './events';
import { interactiveCommand, readTranscript, runInteractiveHere, type InteractiveResult } from './interactive';
import { exportLines, planPrompts, promptModeOf, type PromptVariable } from './prompts';
import { runShell, type ShellRunResult } from './executor';
import { Journal, readJournal, replay, type JournalFs } from './journal';
import { kindOfStep, type ActTarget, type StepRun } from './kinds';
import { MASK, Masker, StreamMasker, isSecretEnvName, maskEnvSecrets } from '../common/mask';
import type { Param, Runbook, Step, StepState } from './model';
import { contextWhere, isClusterEnvName, kubeEnv, prepareKubeconfig, targetName, type Target } from './target';
import { DEFAULT_STEP_TIMEOUT_MS, formatDuration } from '../common/duration';
import { scaledTimeoutMs, type SimHost } from './simhost';
import type { ClusterOutcome } from '../breakglass/fanout';
import { privateTempDir } from './private-dir';
import { LAST_OUTPUT_VAR, OUTPUT_VAR_CAP_BYTES, SHELL_OWN_VARS, envDumpPrologue, isOutputName, isShellVarName, outputValue, parseDotenv, parseEnvDump, resolveStepDir, shellProgram } from './runme';

export interface Prompter {
  /** A step marked `confirm`: true to go ahead. */
  confirm(step: Step, message: string): Promise<boolean>;
  /**
   * A step that changes a real cluster (a destructive step, a break-glass step): true only if the
   * person named every cluster it acts on. Each target says where, in words (the context's server,
   * etcd endpoints, a node inventory), for the question and the journal.
   */
  confirmTargets(step: Step, targets: ActTarget[]): Promise<boolean>;
  /** A required parameter without a value: undefined to cancel. */
  askParam(param: Param): Promise<string | undefined>;
  /**
   * A variable a step exports that nobody set (Runme's promptEnv, prompts.ts): the value, or
   * undefined to cancel the step. Without it (a run nobody can answer) the step's own value is used.
   */
  askVariable?(step: Step, variable: PromptVariable): Promise<string | undefined>;
}

export type { ActTarget };

/** Cluster names typed as a comma-separated list. */
export function splitNames(typed: string): string[] {
  return typed.split(',').map((x) => x.trim()).filter(Boolean);
}

/** Whether `typed` (comma-separated, any order) names exactly the clusters in `names`. */
export function namesMatch(typed: string, names: string[]): boolean {
  const a = new Set(splitNames(typed));
  const b = new Set(names);
  return a.size === b.size && [...a].every((x) => b.has(x));
}

export interface StepRuntime {
  state: StepState;
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number | null;
  /** Masked output, the last OUTPUT_CAP characters. */
  output: string;
  reason?: string;
}

export type SessionEvent =
  | { type: 'state'; stepId: string; runtime: StepRuntime }
  | { type: 'output'; stepId: string; stream: 'stdout' | 'stderr' | 'info'; text: string }
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** A break-glass step across clusters: per-cluster state and per-node progress. */
  | { type: 'clusters'; stepId: string; clusters: ClusterOutcome[] };

export interface SessionOptions {
  runbookPath: string;
  runbook: Runbook;
  journalDir: string;
  target: Target;
  prompter: Prompter;
  via: 'vscode' | 'cli';
  /** Parameter values given up front (CLI --param, earlier answers). */
  params?: Record<string, string>;
  /** Base environment for steps (default: this process's). */
  env?: NodeJS.ProcessEnv;
  defaultTimeoutMs?: number;
  /** Workspace Trust: nothing executes while this says false. */
  isTrusted?: () => boolean;
  /** Journal to resume: step states come back from it and new events are appended to it. */
  resumeFrom?: string;
  user?: string;
  /** Simulated mode inside a tabletop: the cluster models break-glass steps act on. */
  sim?: () => SimHost | undefined;
  /**
   * Real mode, steps with `clusters:`: the preflight config that says where each cluster's etcd,
   * nodes, control plane and break-glass context are (default .breakglass/preflight.yaml beside
   * the journal directory's workspace).
   */
  clustersConfig?: string;
  /** Clusters a multi-cluster break-glass step acts on at once (default 2). */
  parallelClusters?: number;
  /** The file operations the journal writes with (default: node:fs). */
  journalFs?: JournalFs;
  /** Ask for no variable (CLI `--skip-prompts`; the runbook's `skipPrompts` front matter does the same). */
  skipPrompts?: boolean;
  /** Answers given up front for variables steps would ask for (CLI `--param NAME=VALUE`). */
  answers?: Record<string, string>;
  /**
   * Runs an interactive step (`interactive=true`) in a terminal the person types into: the VS Code
   * terminal in the Runbook view. Default: this process's own terminal (the CLI's), which the step
   * inherits. The command is `script(1)` around the step (interactive.ts), which writes the transcript.
   */
  terminal?: (req: TerminalRequest) => Promise<InteractiveResult>;
}

/** An interactive step to run in a terminal: its title, the command (script(1) around the step) and where. */
export interface TerminalRequest {
  title: string;
  file: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
}

const OUTPUT_CAP = 256 * 1024;
const JOURNAL_OUTPUT_CAP = 1024 * 1024;

/** What a step's last shell command left when it exited (see RunSession.shell). */
interface StepCapture {
  /** The environment it was started with. */
  received: NodeJS.ProcessEnv;
  /** The directory it was started in. */
  startCwd: string;
  /** Its working directory and exported variables at exit; undefined when it recorded none. */
  dump?: { cwd: string; env: Map<string, string> };
  /** The program could record them (not, e.g., fish). */
  capturesEnv: boolean;
  /** Its standard output, raw (the tail, for `$__`). */
  stdout: string;
}

export type RunAllOutcome = 'succeeded' | 'failed' | 'cancelled';

export class RunSession {
  readonly states = new Map<string, StepRuntime>();
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly journalBytes = new Map<string, number>();
  private journal?: Journal;
  /** The journal being resumed: opened, and `run-resumed` written, only at the first write. */
  private resumeFile?: string;
  /** The journal's opening event (`run-started` or `run-resumed`) while it is not written yet. */
  private journalHeader?: JournalEvent;
  /** The latest reason the journal could not be written, or undefined. */
  private journalError?: string;
  private lastJournalNotice?: string;
  /** Steps stopped because their journal could not be written, with the reason. */
  private readonly journalStops = new Map<string, string>();
  private readonly masker: Masker;
  private readonly params: Record<string, string>;
  private readonly user: string;
  private runAllAbort?: AbortController;
  private disposed = false;
  private runId: string = randomUUID();
  /**
   * The session environment: variables that steps of this run changed (null: unset), and whether
   * the journal holds the change (`$__` and named outputs never go there beyond the step's output).
   */
  private readonly carried = new Map<string, { value: string | null; journaled: boolean }>();
  /** The working directory the last step that changed directory left. */
  private carriedCwd?: string;
  /** What the latest shell command of each running step left at its exit. */
  private readonly captures = new Map<string, StepCapture>();
  /** The `.env` file beside the runbook, once read (undefined: not yet). */
  private dotenv?: Record<string, string>;
  /** Said at the next step run (a resume cannot show notices while the session is constructed). */
  private readonly laterNotices: string[] = [];

  constructor(private opts: SessionOptions) {
    this.user = opts.user ?? safeUser();
    this.params = { ...(opts.params ?? {}) };
    this.masker = new Masker(maskEnvSecrets(opts.env ?? process.env));
    for (const p of opts.runbook.params) {
      if (this.params[p.name] === undefined && p.default !== undefined) this.params[p.name] = p.default;
      if (p.secret && this.params[p.name]) this.masker.addSecret(this.params[p.name]);
    }
    for (const s of opts.runbook.steps) this.states.set(s.id, { state: 'pending', output: '' });
    if (opts.resumeFrom) this.resume(opts.resumeFrom);
  }

  get runbook(): Runbook {
    return this.opts.runbook;
  }
  get target(): Target {
    return this.opts.target;
  }
  get journalFile(): string | undefined {
    return this.journal?.file ?? (this.resumeFile !== undefined ? resolve(this.resumeFile) : undefined);
  }
  /** Why the journal could not be written at some point in this run, or undefined if it always could. */
  get journalProblem(): string | undefined {
    return this.journalError;
  }

  onEvent(listener: (e: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The runbook text changed: keep the states of steps that still exist. */
  updateRunbook(runbook: Runbook): void {
    this.opts = { ...this.opts, runbook };
    const next = new Map<string, StepRuntime>();
    for (const s of runbook.steps) next.set(s.id, this.states.get(s.id) ?? { state: 'pending', output: '' });
    this.states.clear();
    for (const [k, v] of next) this.states.set(k, v);
  }

  /** Mode or context changed: later steps run against the new target. */
  setTarget(target: Target): void {
    const before = targetName(this.opts.target);
    this.opts = { ...this.opts, target };
    if (this.journal || this.resumeFile) this.record({ type: 'decision', t: now(), decision: 'target-changed', user: this.user, detail: `${before} -> ${targetName(target)}` });
  }

  /** Resolves once a step runs (or has ended without running). */
  private whenRunning(stepId: string, done: Promise<StepState>): Promise<unknown> {
    if (this.isRunning(stepId)) return Promise.resolve();
    let sub: { dispose(): void } | undefined;
    const running = new Promise<void>((resolve) => {
      sub = this.onEvent((e) => {
        if (e.type === 'state' && e.stepId === stepId && e.runtime.state === 'running') resolve();
      });
    });
    return Promise.race([done, running]).finally(() => sub?.dispose());
  }

  /** Background steps the end of a Run All stopped (they end as succeeded, not cancelled). */
  private readonly stoppedAtEnd = new Set<string>();

  isRunning(stepId?: string): boolean {
    if (stepId) return this.states.get(stepId)?.state === 'running';
    return [...this.states.values()].some((s) => s.state === 'running');
  }

  private emit(e: SessionEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        /* a broken listener must not break the run */
      }
    }
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.emit({ type: 'notice', level, message });
  }

  private setState(stepId: string, patch: Partial<StepRuntime>): void {
    const cur = this.states.get(stepId) ?? { state: 'pending', output: '' };
    const next = { ...cur, ...patch };
    this.states.set(stepId, next);
    this.emit({ type: 'state', stepId, runtime: next });
    if (patch.state && patch.state !== cur.state && this.opts.target.mode === 'sim') {
      const host = this.opts.sim?.();
      const step = this.opts.runbook.steps.find((x) => x.id === stepId);
      try {
        host?.stepEvent?.({ runbook: this.opts.runbookPath, journal: this.journal?.file, stepId, kind: step?.kind ?? '?', state: patch.state, reason: next.reason });
      } catch {
        /* the exercise's bookkeeping must not break the run */
      }
    }
  }

  /**
   * The journal, created (or, when resuming, opened) at the first write; its opening event is
   * written before anything else and retried until it is. Throws when it cannot be.
   */
  private ensureJournal(): Journal {
    if (!this.journal) {
      if (this.resumeFile !== undefined) {
        this.journal = Journal.openForAppend(this.resumeFile, this.opts.journalFs);
        this.journalHeader = { type: 'run-resumed', t: now(), runId: this.runId, user: this.user, mode: this.opts.target.mode, target: targetName(this.opts.target) };
      } else {
        this.journal = Journal.create(this.opts.journalDir, this.opts.runbookPath, undefined, this.opts.journalFs);
        const maskedParams: Record<string, string> = {};
        for (const [k, v] of Object.entries(this.params)) maskedParams[k] = this.masker.mask(v);
        this.journalHeader = {
          type: 'run-started',
          v: 1,
          t: now(),
          runId: this.runId,
          runbook: this.opts.runbookPath,
          title: this.opts.runbook.title,
          mode: this.opts.target.mode,
          target: targetName(this.opts.target),
          user: this.user,
          host: hostname(),
          via: this.opts.via,
          params: maskedParams,
        };
      }
    }
    if (this.journalHeader) {
      this.journal.append(this.journalHeader);
      this.journalHeader = undefined;
    }
    return this.journal;
  }

  /**
   * Writes one event; true once it is in the journal (fsync'ed, except output). False, with an
   * error notice, when the journal cannot be created or written. In Restricted Mode nothing is
   * written at all (and false is returned without a notice).
   */
  private record(e: JournalEvent): boolean {
    if (this.opts.isTrusted && !this.opts.isTrusted()) return false;
    try {
      this.ensureJournal().append(e);
      this.lastJournalNotice = undefined; // a later failure is news again
      return true;
    } catch (err) {
      this.journalFailure(err);
      return false;
    }
  }

  private journalFailure(err: unknown): void {
    const text = err instanceof Error ? err.message : String(err);
    this.journalError = /journal/i.test(text) ? text : `the journal could not be written: ${text}`;
    const message = `${this.journalError} (Breakglass runs no step it cannot journal)`;
    if (message === this.lastJournalNotice) return;
    this.lastJournalNotice = message;
    this.notice('error', message);
  }

  /** A step that ends without running because the journal cannot record it. */
  private journalRefused(step: Step): StepState {
    return this.finish(step, 'failed', { reason: `not run: ${this.journalError ?? 'the journal could not be written'}` }, false);
  }

  /**
   * Reads a journal back to continue it. Nothing is written here: the file is opened and
   * `run-resumed` appended at the first event this session writes, so resuming and then doing
   * nothing (or being refused in Restricted Mode) leaves the file exactly as it was.
   */
  private resume(file: string): void {
    const read = readJournal(file);
    const r = replay(read.events);
    if (r.runId) this.runId = r.runId;
    for (const [id, s] of Object.entries(r.steps)) {
      if (!this.states.has(id)) continue;
      this.states.set(id, {
        state: s.state,
        exitCode: s.exitCode,
        output: s.output,
        reason: s.reason,
        startedAt: s.startedAt ? Date.parse(s.startedAt) : undefined,
        finishedAt: s.finishedAt ? Date.parse(s.finishedAt) : undefined,
      });
    }
    this.resumeFile = file;
    // The session environment comes back from the journal, except values it holds only masked.
    const lost: string[] = [];
    for (const [k, v] of Object.entries(r.env?.vars ?? {})) {
      if (v.masked) lost.push(k);
      else this.carried.set(k, { value: v.value, journaled: true });
    }
    if (r.env?.cwd !== undefined) {
      if (r.env.cwd.masked) lost.push('the working directory');
      else this.carriedCwd = r.env.cwd.value;
    }
    if (lost.length) this.laterNotices.push(`resumed without ${lost.join(', ')}: the journal holds ${lost.length === 1 ? 'it' : 'them'} only masked; run the step that set ${lost.length === 1 ? 'it' : 'them'} again if later steps need ${lost.length === 1 ? 'it' : 'them'}`);
    // Outputs are not in the journal raw: say so when a step of this runbook reads one.
    const bodies = this.opts.runbook.steps.map((s) => kindOfStep(s).command(s)).join('\n');
    const reads = (name: string): boolean => new RegExp(`\\$\\{?${name}(?![A-Za-z0-9_])`).test(bodies);
    const gone = [LAST_OUTPUT_VAR, ...this.opts.runbook.steps.filter((s) => isOutputName(s.name) && r.steps[s.id]?.state === 'succeeded').map((s) => s.name!)].filter(reads);
    if (gone.length) this.laterNotices.push(`resumed without ${gone.map((n) => `$${n}`).join(', ')}: step outputs are never journaled raw; run the step that printed ${gone.length === 1 ? 'it' : 'them'} again before a step that reads ${gone.length === 1 ? 'it' : 'them'}`);
  }

  private finish(step: Step, state: StepFinishedEvent['state'], extra: Partial<StepFinishedEvent> & { reason?: string }, journal = true): StepState {
    const rt = this.states.get(step.id);
    const finishedAt = Date.now();
    const durationMs = rt?.startedAt && rt.state === 'running' ? finishedAt - rt.startedAt : 0;
    // A step stopped because its output could not be journaled fails, whatever its process did.
    const stopped = this.journalStops.get(step.id);
    if (stopped !== undefined) {
      this.journalStops.delete(step.id);
      state = 'failed';
      extra = { ...extra, reason: `stopped: ${stopped}` };
    }
    // Only a step that succeeded changes the session environment (as Runme v1 collects it only on
    // success, runme command/command_inline_shell.go Wait): a failed step is run again from the
    // environment its first attempt saw.
    const capture = this.captures.get(step.id);
    this.captures.delete(step.id);
    if (capture && state === 'succeeded' && journal) this.carryOn(step, capture);
    if (journal) {
      const written = this.record({
        type: 'step-finished',
        t: now(),
        stepId: step.id,
        state,
        exitCode: extra.exitCode ?? null,
        signal: extra.signal ?? null,
        timedOut: extra.timedOut ?? false,
        durationMs,
        reason: extra.reason,
      });
      // Its end is not on disk (the journal will replay it as interrupted): the run stops here.
      if (!written && !(this.opts.isTrusted && !this.opts.isTrusted())) {
        const lost = `the journal could not record that the step ${state}${extra.reason ? ` (${extra.reason})` : ''}: ${this.journalError ?? 'write failed'}`;
        state = 'failed';
        extra = { ...extra, reason: lost };
      }
    }
    this.setState(step.id, { state, finishedAt, exitCode: extra.exitCode ?? null, reason: extra.reason });
    return state;
  }

  private appendOutput(stepId: string, stream: 'stdout' | 'stderr' | 'info', text: string): void {
    if (!text) return;
    const rt = this.states.get(stepId);
    // A status line starts a line of its own, even after a command's output that did not end one
    // (`kubectl get --raw /readyz` prints "ok" without a newline).
    if (stream === 'info' && rt?.output && !rt.output.endsWith('\n')) text = `\n${text}`;
    if (rt) {
      let out = rt.output + text;
      if (out.length > OUTPUT_CAP) out = out.slice(out.length - OUTPUT_CAP);
      rt.output = out;
    }
    // Journal first: whatever a person has seen is already on disk.
    const used = this.journalBytes.get(stepId) ?? 0;
    if (used < JOURNAL_OUTPUT_CAP && !this.journalStops.has(stepId)) {
      const slice = used + text.length > JOURNAL_OUTPUT_CAP ? text.slice(0, JOURNAL_OUTPUT_CAP - used) + '\n[output truncated in the journal]\n' : text;
      this.journalBytes.set(stepId, used + text.length);
      if (!this.record({ type: 'output', t: now(), stepId, stream, text: slice }) && this.isRunning(stepId)) {
        // The output cannot be journaled: stop the step (as Cancel does) rather than let it go on
        // showing output and changing the cluster with nothing on disk to say so; it ends
        // 'failed' with the journal's problem as its reason. This text is still shown, so the
        // person sees the last thing the step printed; nothing more is written for this step.
        this.journalStops.set(stepId, this.journalError ?? 'the journal could not be written');
        this.aborts.get(stepId)?.abort();
      }
    }
    this.emit({ type: 'output', stepId, stream, text });
  }

  /**
   * Asks the person to name every cluster a step acts on, and journals the answer with the names
   * and what each one reaches (masked).
   */
  private async confirmTargets(step: Step, targets: ActTarget[], decision: string): Promise<boolean | 'unjournaled'> {
    const masked = targets.map((t) => ({ name: t.name, where: t.where.map((w) => this.masker.mask(w)) }));
    const ok = await this.opts.prompter.confirmTargets(step, masked);
    if (!this.record({ type: 'decision', t: now(), stepId: step.id, decision: ok ? decision : 'declined', user: this.user, detail: masked.map((t) => t.name).join(', '), targets: masked })) return 'unjournaled';
    return ok;
  }

  /** Why a step cannot run now, or undefined. */
  blocker(step: Step): string | undefined {
    if (this.opts.isTrusted && !this.opts.isTrusted()) return 'this workspace is not trusted: Breakglass runs nothing in Restricted Mode';
    const kind = kindOfStep(step);
    const kindBlock = kind.blocker?.(step, { mode: this.opts.target.mode, hasSim: () => !!this.opts.sim?.() });
    if (kindBlock) return kindBlock;
    if (!kind.run) return `a ${kind.title.toLowerCase()} step is shown, not run`;
    const errs = this.opts.runbook.diagnostics.filter((d) => d.severity === 'error' && d.line >= step.line && d.line < step.endLine);
    if (errs.length) return `the step has errors: ${errs.map((d) => `line ${d.line + 1}: ${d.message}`).join('; ')}`;
    return undefined;
  }

  /** Item ids that failed in the last run of each break-glass step (for "retry failed"). */
  private readonly failedItems = new Map<string, string[]>();

  /** What "retry failed" would run again for a break-glass step (empty: nothing failed). */
  failedOf(stepId: string): string[] {
    return [...(this.failedItems.get(stepId) ?? [])];
  }

  /** Runs a break-glass step again on the items (nodes, keys, clusters) that failed last time. */
  retryFailed(stepId: string, opts: { signal?: AbortSignal } = {}): Promise<StepState> {
    const only = this.failedItems.get(stepId);
    if (!only?.length) {
      this.notice('info', `nothing failed in the last run of '${stepId}'`);
      return Promise.resolve(this.states.get(stepId)?.state ?? 'pending');
    }
    return this.runStep(stepId, { ...opts, only });
  }

  async runStep(stepId: string, opts: { signal?: AbortSignal; only?: string[] } = {}): Promise<StepState> {
    const step = this.opts.runbook.steps.find((s) => s.id === stepId);
    if (!step) {
      this.notice('error', `no step named '${stepId}'`);
      return 'failed';
    }
    if (this.disposed) return this.states.get(stepId)?.state ?? 'pending';
    if (this.isRunning(stepId)) return 'running';
    for (const n of this.laterNotices.splice(0)) this.notice('info', n);
    const trusted = !this.opts.isTrusted || this.opts.isTrusted();
    const block = this.blocker(step);
    if (block) {
      if (!trusted) {
        // Restricted Mode: refuse without touching state or writing anything.
        this.notice('warning', block);
        return this.states.get(stepId)?.state ?? 'pending';
      }
      this.appendOutput(step.id, 'info', `${block}\n`);
      return this.finish(step, 'failed', { reason: block });
    }
    const mode = this.opts.target.mode;
    if (step.mode !== 'both' && step.mode !== mode) {
      const reason = `runs only in ${step.mode === 'real' ? 'real' : 'simulated'} mode`;
      if (!this.record({ type: 'decision', t: now(), stepId: step.id, decision: 'skipped-mode', user: this.user, detail: reason })) return this.journalRefused(step);
      return this.finish(step, 'skipped', { reason });
    }
    // Parameters
    for (const p of this.opts.runbook.params) {
      if (this.params[p.name] !== undefined || !p.required) continue;
      const v = await this.opts.prompter.askParam(p);
      if (v === undefined) return this.finish(step, 'cancelled', { reason: `parameter ${p.name} was not given` });
      this.params[p.name] = v;
      if (p.secret) this.masker.addSecret(v);
    }
    if (step.confirm) {
      const ok = await this.opts.prompter.confirm(step, `Run step '${step.id}'${mode === 'real' ? ` against ${this.opts.target.context}` : ' (simulated)'}?`);
      if (!this.record({ type: 'decision', t: now(), stepId: step.id, decision: ok ? 'confirmed' : 'declined', user: this.user })) return this.journalRefused(step);
      if (!ok) return this.finish(step, 'cancelled', { reason: 'not confirmed' });
    }
    // Some kinds (break-glass steps) ask once they know which clusters they act on.
    if (mode === 'real' && step.destructive && !kindOfStep(step).namesOwnTargets) {
      const ctx = this.opts.target.context ?? '';
      const ok = await this.confirmTargets(step, [{ name: ctx, where: contextWhere(this.opts.target, this.opts.env ?? process.env) }], 'typed-context');
      if (ok === 'unjournaled') return this.journalRefused(step);
      if (!ok) return this.finish(step, 'cancelled', { reason: 'the context name was not typed' });
    }
    if (opts.signal?.aborted) return this.finish(step, 'cancelled', { reason: 'cancelled' });

    // Nothing starts (no process, no break-glass action) until `step-started` is on disk.
    this.journalStops.delete(step.id);
    const journaled = this.record({
      type: 'step-started',
      t: now(),
      stepId: step.id,
      kind: step.kind,
      command: this.masker.mask(kindOfStep(step).command(step)),
      user: this.user,
      mode,
      target: targetName(this.opts.target),
    });
    if (!journaled) return this.journalRefused(step);
    const abort = new AbortController();
    this.aborts.set(step.id, abort);
    const onOuter = () => abort.abort();
    opts.signal?.addEventListener('abort', onOuter);
    const startedAt = Date.now();
    this.journalBytes.set(step.id, 0);
    this.setState(step.id, { state: 'running', startedAt, finishedAt: undefined, exitCode: undefined, output: '', reason: undefined });
    let kube: { path: string; cleanup(): void } | undefined;
    try {
      kube = prepareKubeconfig(this.opts.target, this.opts.env ?? process.env);
      const env = this.stepEnv(kube.path);
      const cwd = this.stepCwd(step);
      this.captures.delete(step.id);
      const host = mode === 'sim' ? this.opts.sim?.() : undefined;
      const written = step.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
      // In a tabletop, timeouts are incident time: at 30× a 15-minute wait takes 30 s.
      const timeoutMs = host ? scaledTimeoutMs(written, host.speed()) : written;
      const run = kindOfStep(step).run;
      if (!run) throw new Error(`a ${kindOfStep(step).title.toLowerCase()} step is shown, not run`);
      return await run(this.stepRun(step, { env, cwd, timeoutMs, signal: abort.signal, host, only: opts.only }));
    } catch (err) {
      const reason = (err as Error).message;
      this.appendOutput(step.id, 'info', `${reason}\n`);
      return this.finish(step, 'failed', { reason });
    } finally {
      kube?.cleanup();
      opts.signal?.removeEventListener('abort', onOuter);
      this.aborts.delete(step.id);
    }
  }

  private finishShell(step: Step, res: ShellRunResult, timeoutMs: number): StepState {
    if (res.error) {
      this.appendOutput(step.id, 'info', `could not start: ${res.error}\n`);
      return this.finish(step, 'failed', { reason: res.error, exitCode: res.exitCode });
    }
    if (res.cancelled && this.stoppedAtEnd.delete(step.id)) return this.finish(step, 'succeeded', { reason: 'background: stopped at the end of the run', exitCode: res.exitCode, signal: res.signal });
    if (res.cancelled) return this.finish(step, 'cancelled', { reason: 'cancelled', exitCode: res.exitCode, signal: res.signal });
    if (res.timedOut) {
      // Said once, in the step's status (and the journal's step-finished), not again in its output.
      const reason = `timed out after ${formatDuration(timeoutMs)}`;
      return this.finish(step, 'failed', { reason, exitCode: res.exitCode, signal: res.signal, timedOut: true });
    }
    if (res.exitCode === 0) return this.finish(step, 'succeeded', { exitCode: 0 });
    const reason = res.exitCode === null ? `killed by ${res.signal}` : `exit code ${res.exitCode}`;
    return this.finish(step, 'failed', { reason, exitCode: res.exitCode, signal: res.signal });
  }

  /** One run of a step as its kind sees it: the session's output, journal, questions and end. */
  private stepRun(step: Step, r: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number; signal: AbortSignal; host: SimHost | undefined; only: string[] | undefined }): StepRun {
    return {
      step,
      mode: this.opts.target.mode,
      target: this.opts.target,
      ...r,
      runbookPath: this.opts.runbookPath,
      journalDir: this.opts.journalDir,
      clustersConfig: this.opts.clustersConfig,
      parallelClusters: this.opts.parallelClusters,
      user: this.user,
      masker: this.masker,
      output: (stream, text) => this.appendOutput(step.id, stream, text),
      shell: (command, timeoutMs, capture) => this.shell(step, command, r.env, r.cwd, timeoutMs, r.signal, capture),
      interactive: (command, timeoutMs) => this.shell(step, command, r.env, r.cwd, timeoutMs, r.signal, undefined, true),
      prompted: (script) => this.prompted(step, script, r.env),
      finishShell: (res, timeoutMs) => this.finishShell(step, res, timeoutMs),
      finish: (state, extra) => this.finish(step, state, extra),
      record: (e) => this.record(e),
      journalRefused: () => this.journalRefused(step),
      confirmTargets: (targets, decision) => this.confirmTargets(step, targets, decision),
      clusters: (clusters) => this.emit({ type: 'clusters', stepId: step.id, clusters }),
      failedItems: (ids) => this.failedItems.set(step.id, ids),
    };
  }

  /**
   * The script with the variables it asks for resolved (Runme's promptEnv, prompts.ts): from the
   * session, from answers given up front, or by asking; undefined when the person cancelled. The
   * journal names who answered each, never a value; an answer for a secret-looking name is masked
   * from then on.
   */
  private async prompted(step: Step, script: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
    const mode = promptModeOf(step.attrs.promptEnv, this.opts.skipPrompts === true || this.opts.runbook.settings?.skipPrompts === true);
    const plan = planPrompts(script, env, mode);
    if (!plan.variables.length) return script;
    const values: { name: string; value: string }[] = [];
    const how: string[] = [];
    for (const v of plan.variables) {
      let value: string | undefined;
      let from: string;
      if (v.status === 'resolved') {
        value = v.value ?? '';
        from = env[v.name] !== undefined ? 'from the session' : "the step's own value";
      } else if (this.opts.answers?.[v.name] !== undefined) {
        value = this.opts.answers[v.name];
        from = 'given up front';
      } else if (this.opts.prompter.askVariable) {
        value = await this.opts.prompter.askVariable(step, v);
        if (value === undefined) {
          this.record({ type: 'decision', t: now(), stepId: step.id, decision: 'prompt-cancelled', user: this.user, detail: v.name });
          return undefined;
        }
        from = 'asked';
      } else {
        // Nobody to ask (Runme would leave it unset): the value the runbook wrote.
        value = v.original;
        from = "nobody to ask: the step's own value";
      }
      if (v.status === 'secret' || isSecretEnvName(v.name)) this.masker.addSecret(value);
      values.push({ name: v.name, value });
      how.push(`${v.name} (${from})`);
    }
    this.record({ type: 'decision', t: now(), stepId: step.id, decision: 'prompted', user: this.user, detail: how.join(', ') });
    return exportLines(values) + plan.script;
  }

  private async shell(step: Step, command: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, signal: AbortSignal, capture?: { text: string }, interactive = false): Promise<ShellRunResult> {
    const streams = {
      stdout: new StreamMasker(this.masker, (t) => this.appendOutput(step.id, 'stdout', t)),
      stderr: new StreamMasker(this.masker, (t) => this.appendOutput(step.id, 'stderr', t)),
    };
    const program = shellProgram(step.lang, this.opts.runbook.settings?.shell);
    // The script records its working directory and exported variables when it exits, into a file
    // of its own in this process's private directory (0700; the file 0600), read and removed below.
    let dumpDir: string | undefined;
    let script = command;
    if (program.capturesEnv) {
      try {
        dumpDir = privateTempDir('env');
        script = envDumpPrologue(join(dumpDir, 'env')) + command;
      } catch (err) {
        this.notice('warning', `the variables '${step.id}' exports cannot be carried on: ${(err as Error).message}`);
      }
    }
    let stdout = '';
    try {
      // PWD names the directory the shell starts in, so that its `pwd` says it the way it was given.
      const spawnOne = interactive ? this.spawnInteractive.bind(this) : this.spawnShell.bind(this);
      const res = await spawnOne(step, script, program, { ...env, PWD: cwd }, cwd, timeoutMs, signal, (stream, text) => {
        if (capture) capture.text += text;
        if (stream === 'stdout') {
          stdout += text;
          // Keep at least the last OUTPUT_VAR_CAP_BYTES (a character is at least one byte).
          if (stdout.length > 2 * OUTPUT_VAR_CAP_BYTES) stdout = stdout.slice(-OUTPUT_VAR_CAP_BYTES);
        }
        streams[stream].write(text);
      });
      let dump: StepCapture['dump'];
      if (dumpDir) {
        try {
          dump = parseEnvDump(readFileSync(join(dumpDir, 'env'), 'utf8'));
        } catch {
          dump = undefined; // nothing recorded: the step replaced the EXIT trap, exec'ed, or was killed
        }
      }
      this.captures.set(step.id, { received: env, startCwd: cwd, dump, capturesEnv: program.capturesEnv, stdout });
      return res;
    } finally {
      streams.stdout.flush();
      streams.stderr.flush();
      if (dumpDir) rmSync(dumpDir, { recursive: true, force: true });
    }
  }

  /**
   * An interactive step: run in a terminal (the host's, else this process's) under script(1), whose
   * transcript — cleaned of terminal control sequences — is then the step's output, masked and
   * journaled like any other (interactive.ts). The step's timeout and Cancel end it.
   */
  private async spawnInteractive(step: Step, command: string, program: { file: string; args: string[] }, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, signal: AbortSignal, onOutput: (stream: 'stdout' | 'stderr', text: string) => void): Promise<ShellRunResult> {
    const t0 = Date.now();
    const dir = privateTempDir('tty');
    const transcript = join(dir, 'transcript');
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    try {
      const cmd = interactiveCommand(command, transcript, { file: program.file, args: [...program.args, '-c'] });
      this.appendOutput(step.id, 'info', 'interactive: runs in a terminal; its output shows here when it ends\n');
      const run = this.opts.terminal ?? ((req: TerminalRequest) => runInteractiveHere(req, { cwd: req.cwd, env: req.env, signal: req.signal }));
      const r = await run({ title: `${step.id} (interactive)`, file: cmd.file, args: cmd.args, cwd, env, signal: both });
      const text = readTranscript(transcript);
      if (text) onOutput('stdout', text);
      const timedOut = timeout.aborted && !signal.aborted;
      return { exitCode: r.cancelled ? null : r.exitCode, signal: r.signal, timedOut, cancelled: r.cancelled && !timedOut, durationMs: Date.now() - t0, pid: undefined };
    } catch (err) {
      return { exitCode: null, signal: null, timedOut: false, cancelled: false, durationMs: Date.now() - t0, pid: undefined, error: (err as Error).message };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  private spawnShell(step: Step, command: string, program: { file: string; args: string[] }, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, signal: AbortSignal, onOutput: (stream: 'stdout' | 'stderr', text: string) => void): Promise<ShellRunResult> {
    return runShell({
      command,
      program: { file: program.file, args: program.args },
      cwd,
      env,
      timeoutMs,
      signal,
      // Journaled before any output: if this process dies, replay knows which group it left behind.
      onSpawn: (pgid) => {
        // A process nobody could find again from the journal must not run on: stop it as an
        // output that cannot be journaled is stopped (appendOutput).
        if (!this.record({ type: 'step-process', t: now(), stepId: step.id, pgid, host: hostname() }) && this.isRunning(step.id)) {
          this.journalStops.set(step.id, this.journalError ?? 'the journal could not be written');
          this.aborts.get(step.id)?.abort();
        }
      },
      onOutput,
    });
  }

  /** Names a step's change never reaches later steps through: the base environment stays in control. */
  private protectedName(name: string): 'cluster' | 'param' | 'own' | undefined {
    if (isClusterEnvName(name)) return 'cluster';
    if (name === 'BREAKGLASS_MODE' || name === 'BREAKGLASS_TARGET' || name === 'BREAKGLASS_RUNBOOK_DIR') return 'own';
    if (this.opts.runbook.params.some((p) => p.name === name)) return 'param';
    return undefined;
  }

  /**
   * A step succeeded: the variables it changed, its working directory and its output travel on to
   * later steps. Changes to protected names are refused with a notice; the rest is journaled
   * (`env-changed`, values masked, secret-looking names masked whole) before it applies.
   */
  private carryOn(step: Step, cap: StepCapture): void {
    const refused = new Map<'cluster' | 'param' | 'own', string[]>();
    const refuse = (kind: 'cluster' | 'param' | 'own', name: string): void => {
      refused.set(kind, [...(refused.get(kind) ?? []), name]);
    };
    const set: Record<string, string> = {};
    const unset: string[] = [];
    let cwd: string | undefined;
    if (cap.dump) {
      const counts = (k: string): boolean => isShellVarName(k) && !SHELL_OWN_VARS.has(k) && k !== LAST_OUTPUT_VAR;
      for (const [k, v] of cap.dump.env) {
        if (!counts(k) || cap.received[k] === v) continue;
        const p = this.protectedName(k);
        if (p) refuse(p, k);
        else set[k] = v;
      }
      for (const k of Object.keys(cap.received)) {
        if (!counts(k) || cap.dump.env.has(k)) continue;
        const p = this.protectedName(k);
        if (p) refuse(p, k);
        else unset.push(k);
      }
      if (cap.dump.cwd && !sameDir(cap.dump.cwd, cap.startCwd)) cwd = cap.dump.cwd;
    } else if (cap.capturesEnv) {
      this.notice('warning', `'${step.id}' ended without recording its environment (it set its own EXIT trap, or exec'ed another program): what it exported is not carried to later steps`);
    }
    // Values of secret-looking names are secrets from now on, in every output.
    for (const [k, v] of Object.entries(set)) if (isSecretEnvName(k)) this.masker.addSecret(v);
    const maskedSet: Record<string, string> = {};
    const masked: string[] = [];
    for (const [k, v] of Object.entries(set)) {
      maskedSet[k] = isSecretEnvName(k) ? MASK : this.masker.mask(v);
      if (maskedSet[k] !== v) masked.push(k);
    }
    const maskedCwd = cwd === undefined ? undefined : this.masker.mask(cwd);
    const refusedNames = [...refused.values()].flat();
    if (Object.keys(set).length || unset.length || cwd !== undefined || refusedNames.length) {
      const e: EnvChangedEvent = { type: 'env-changed', t: now(), stepId: step.id, source: 'step', set: maskedSet, unset, masked };
      if (maskedCwd !== undefined) {
        e.cwd = maskedCwd;
        if (maskedCwd !== cwd) e.cwdMasked = true;
      }
      if (refusedNames.length) e.refused = refusedNames;
      // Nothing travels on that the journal does not hold (the step's end then fails to journal too).
      if (!this.record(e)) return;
    }
    for (const [k, v] of Object.entries(set)) this.carried.set(k, { value: v, journaled: true });
    for (const k of unset) this.carried.set(k, { value: null, journaled: true });
    if (cwd !== undefined) this.carriedCwd = cwd;
    const list = (xs: string[]): string => xs.join(', ');
    const cluster = refused.get('cluster');
    if (cluster) {
      this.notice(
        'warning',
        this.opts.target.mode === 'sim'
          ? `SIMULATED mode: ${list(cluster)} set by '${step.id}' ${cluster.length === 1 ? 'is' : 'are'} reset for later steps, which keep the simulated cluster's KUBECONFIG: no step of a simulated run can point the next one at a real cluster`
          : `${list(cluster)} set by '${step.id}' ${cluster.length === 1 ? 'is' : 'are'} not carried on: later steps keep the kubeconfig of the target (${targetName(this.opts.target)}); change the context with Switch Mode`,
      );
    }
    const param = refused.get('param');
    if (param) this.notice('info', `${list(param)}: a parameter keeps the value the run started with; the change by '${step.id}' is not carried on`);
    const own = refused.get('own');
    if (own) this.notice('info', `${list(own)}: Breakglass sets its own variables for every step; the change by '${step.id}' is not carried on`);
    // The output last, as Runme stores it after collecting the environment (runnerv2service/execution.go Wait).
    const out = outputValue(cap.stdout);
    this.carried.set(LAST_OUTPUT_VAR, { value: out, journaled: false });
    if (isOutputName(step.name)) {
      const p = this.protectedName(step.name);
      if (p) this.notice('warning', `the output of '${step.id}' is not stored in ${step.name}: that name is ${p === 'param' ? 'a parameter' : p === 'own' ? "one of Breakglass's own variables" : 'a way to a cluster'}`);
      else this.carried.set(step.name, { value: out, journaled: false });
    }
  }

  /**
   * The `.env` file beside the runbook, read once per run into the base environment — never in
   * Restricted Mode, never when other users may write it (world-writable) or when it is a symbolic
   * link out of the runbook's folder. Values of secret-looking names are masked from then on.
   */
  private dotenvVars(): Record<string, string> {
    if (this.dotenv) return this.dotenv;
    if (this.opts.isTrusted && !this.opts.isTrusted()) return {};
    this.dotenv = {};
    const dir = dirname(this.opts.runbookPath);
    const file = join(dir, '.env');
    let st;
    try {
      st = lstatSync(file);
    } catch {
      return this.dotenv; // no .env
    }
    try {
      if (st.isSymbolicLink()) {
        const real = realpathSync(file);
        const rel = relative(realpathSync(dir), real);
        if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
          this.notice('warning', `${file} is not read: it is a symbolic link out of the runbook's folder (to ${real})`);
          return this.dotenv;
        }
        st = lstatSync(real);
      }
      if (!st.isFile()) {
        this.notice('warning', `${file} is not read: it is not a file`);
        return this.dotenv;
      }
      if (st.mode & 0o002) {
        this.notice('warning', `${file} is not read: anyone on this machine may write it (world-writable); chmod o-w it`);
        return this.dotenv;
      }
      const parsed = parseDotenv(readFileSync(file, 'utf8'));
      if (!parsed.ok) {
        this.notice('warning', `${file} is not read: ${this.masker.mask(parsed.error)}`);
        return this.dotenv;
      }
      for (const v of maskEnvSecrets(parsed.vars)) this.masker.addSecret(v);
      this.dotenv = parsed.vars;
    } catch (err) {
      this.notice('warning', `${file} is not read: ${(err as Error).message}`);
      return this.dotenv;
    }
    const names = Object.keys(this.dotenv);
    if (names.length) {
      const set: Record<string, string> = {};
      const masked: string[] = [];
      for (const [k, v] of Object.entries(this.dotenv)) {
        set[k] = isSecretEnvName(k) ? MASK : this.masker.mask(v);
        if (set[k] !== v) masked.push(k);
      }
      this.record({ type: 'env-changed', t: now(), source: 'dotenv', set, unset: [], masked });
      this.notice('info', `read ${names.length} variable${names.length === 1 ? '' : 's'} from ${file}: ${names.join(', ')}`);
    }
    return this.dotenv;
  }

  /**
   * A step's environment: KUBECONFIG is the target's (in simulated mode the simulated cluster's, or
   * a placeholder that reaches nothing) and every other way to a cluster is removed, so no step of
   * a simulated run can reach ~/.kube/config or a cluster named in the environment (target.ts).
   */
  private stepEnv(kubeconfig: string): NodeJS.ProcessEnv {
    const base = { ...(this.opts.env ?? process.env), ...this.dotenvVars() };
    const env = kubeEnv(base, kubeconfig);
    for (const [k, v] of Object.entries(this.params)) if (!isClusterEnvName(k)) env[k] = v;
    env.BREAKGLASS_MODE = this.opts.target.mode;
    env.BREAKGLASS_TARGET = targetName(this.opts.target);
    env.BREAKGLASS_RUNBOOK_DIR = dirname(this.opts.runbookPath);
    // The session environment over it, except where the base stays in control (also for values a
    // resumed journal brought back).
    for (const [k, c] of this.carried) {
      if (this.protectedName(k)) continue;
      if (c.value === null) delete env[k];
      else env[k] = c.value;
    }
    return env;
  }

  /**
   * A step's working directory: its own `cwd` attribute (relative to the front matter's `cwd`,
   * relative to the runbook's folder: runme.ts resolveStepDir), else the directory an earlier step
   * left, else the front matter's `cwd`, else the runbook's folder.
   */
  private stepCwd(step: Step): string {
    const base = dirname(this.opts.runbookPath);
    const own = step.attrs.cwd;
    const fm = this.opts.runbook.settings?.cwd;
    if (typeof own === 'string' && own !== '') return resolveStepDir(base, fm, own, resolve, isAbsolute);
    if (this.carriedCwd !== undefined) {
      if (isDir(this.carriedCwd)) return this.carriedCwd;
      this.notice('warning', `the directory earlier steps left, ${this.masker.mask(this.carriedCwd)}, no longer exists: '${step.id}' starts in the runbook's directory`);
      this.carriedCwd = undefined;
    }
    return resolveStepDir(base, fm, undefined, resolve, isAbsolute);
  }

  cancel(stepId: string): void {
    this.aborts.get(stepId)?.abort();
  }

  cancelAll(): void {
    this.runAllAbort?.abort();
    for (const a of this.aborts.values()) a.abort();
  }

  skip(stepId: string): boolean {
    const step = this.opts.runbook.steps.find((s) => s.id === stepId);
    const rt = this.states.get(stepId);
    if (!step || !rt || rt.state === 'running') return false;
    if (this.opts.isTrusted && !this.opts.isTrusted()) {
      this.notice('warning', 'this workspace is not trusted: Breakglass changes nothing in Restricted Mode');
      return false;
    }
    if (!this.record({ type: 'decision', t: now(), stepId, decision: 'skipped', user: this.user })) return false;
    this.finish(step, 'skipped', { reason: 'skipped by the operator' });
    return true;
  }

  /** Steps Run All would run, in order. */
  runAllSteps(): Step[] {
    return this.opts.runbook.steps.filter((s) => kindOfStep(s).run !== undefined && !s.excludeFromRunAll);
  }

  /** Runs every pending step in order; stops at the first failure or cancellation. */
  async runAll(): Promise<RunAllOutcome> {
    if (this.opts.isTrusted && !this.opts.isTrusted()) {
      this.notice('warning', 'this workspace is not trusted: Breakglass runs nothing in Restricted Mode');
      return 'cancelled';
    }
    this.runAllAbort = new AbortController();
    const signal = this.runAllAbort.signal;
    // Background steps (`background=true`, Runme's background cells: a port-forward, a `kubectl logs
    // -f`): started, shown running with their live output while the run goes on, and stopped when
    // the run ends (whatever its outcome) or on Cancel.
    const background = new Map<string, Promise<StepState>>();
    try {
      for (const step of this.runAllSteps()) {
        const cur = this.states.get(step.id)?.state;
        if (cur === 'succeeded' || cur === 'skipped') continue;
        if (signal.aborted) return 'cancelled';
        if (step.attrs.background === true) {
          const done = this.runStep(step.id, { signal });
          background.set(step.id, done);
          await this.whenRunning(step.id, done);
          continue;
        }
        const st = await this.runStep(step.id, { signal });
        if (st === 'failed') return 'failed';
        if (st === 'cancelled' || st === 'pending') return 'cancelled';
      }
      return 'succeeded';
    } finally {
      this.runAllAbort = undefined;
      for (const id of background.keys()) {
        if (!this.isRunning(id)) continue;
        this.stoppedAtEnd.add(id);
        this.appendOutput(id, 'info', 'background step stopped: the run ended\n');
        this.aborts.get(id)?.abort();
      }
      await Promise.all(background.values());
    }
  }

  outcome(): 'succeeded' | 'failed' | 'cancelled' | 'partial' {
    const states = this.runAllSteps().map((s) => this.states.get(s.id)?.state);
    if (states.some((s) => s === 'failed')) return 'failed';
    if (states.some((s) => s === 'cancelled')) return 'cancelled';
    if (states.every((s) => s === 'succeeded' || s === 'skipped')) return 'succeeded';
    return 'partial';
  }

  /** Ends the run: cancels what runs and closes the journal with the outcome. */
  dispose(): void {
    if (this.disposed) return;
    this.cancelAll();
    this.disposed = true;
    if (this.journal) {
      this.record({ type: 'run-finished', t: now(), outcome: this.outcome() });
      try {
        this.journal.close();
      } catch (err) {
        this.journalFailure(err); // closing must not throw
      }
    }
    this.listeners.clear();
  }
}

function now(): string {
  return new Date().toISOString();
}

/** The same directory, however written (a symbolic link in one of the paths). */
function sameDir(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

