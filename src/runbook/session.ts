// One run of one runbook: step states, execution, safety gates and the journal. Shared by the
// extension (Runbook view) and the command line; the front-end supplies a Prompter for questions.
import { hostname } from 'node:os';
import { safeUser } from './user';
import { dirname, isAbsolute, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { JournalEvent, StepFinishedEvent } from './events';
import { runShell, type ShellRunResult } from './executor';
import { Journal, readJournal, replay, type JournalFs } from './journal';
import type { CheckSpec } from './kinds';
import { kindSpec } from './kinds';
import { Masker, StreamMasker, maskEnvSecrets } from '../common/mask';
import type { Param, Runbook, Step, StepState } from './model';
import { contextWhere, isClusterEnvName, kubeEnv, prepareKubeconfig, targetName, type Target } from './target';
import { DEFAULT_STEP_TIMEOUT_MS, formatDuration, parseDuration } from '../common/duration';
import { scaledIntervalMs, scaledTimeoutMs, type SimHost } from './simhost';
import type { ClusterOutcome } from '../breakglass/fanout';

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
}

/** A cluster a step acts on: the name a person types, and what it reaches there. */
export interface ActTarget {
  name: string;
  where: string[];
}

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
}

const OUTPUT_CAP = 256 * 1024;
const JOURNAL_OUTPUT_CAP = 1024 * 1024;

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
    const spec = kindSpec(step.kind);
    if (!spec.runnable) return 'a health panel is shown, not run';
    if (step.kind === 'breakglass' && this.opts.target.mode === 'sim' && !this.opts.sim?.()) {
      return 'in simulated mode break-glass actions act on the cluster models of a tabletop: start one (Breakglass: Start Tabletop, or `breakglass tabletop`)';
    }
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
    // Break-glass steps ask once they know which clusters they act on (runBreakglass).
    if (mode === 'real' && step.destructive && step.kind !== 'breakglass') {
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
      command: this.masker.mask(step.kind === 'check' ? (step.spec as CheckSpec).run : step.body),
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
      const host = mode === 'sim' ? this.opts.sim?.() : undefined;
      const written = step.timeoutMs ?? this.opts.defaultTimeoutMs ?? DEFAULT_STEP_TIMEOUT_MS;
      // In a tabletop, timeouts are incident time: at 30× a 15-minute wait takes 30 s.
      const timeoutMs = host ? scaledTimeoutMs(written, host.speed()) : written;
      if (step.kind === 'check') return await this.runCheck(step, env, cwd, timeoutMs, abort.signal, host);
      if (step.kind === 'breakglass') return await this.runBreakglass(step, env, timeoutMs, abort.signal, host, opts.only);
      const res = await this.shell(step, step.body, env, cwd, timeoutMs, abort.signal);
      return this.finishShell(step, res, timeoutMs);
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

  private shell(step: Step, command: string, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, signal: AbortSignal, capture?: { text: string }): Promise<ShellRunResult> {
    const streams = {
      stdout: new StreamMasker(this.masker, (t) => this.appendOutput(step.id, 'stdout', t)),
      stderr: new StreamMasker(this.masker, (t) => this.appendOutput(step.id, 'stderr', t)),
    };
    return runShell({
      command,
      shell: step.lang === 'sh' ? 'sh' : 'bash',
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
      onOutput: (stream, text) => {
        if (capture) capture.text += text;
        streams[stream].write(text);
      },
    }).finally(() => {
      streams.stdout.flush();
      streams.stderr.flush();
    });
  }

  private async runCheck(step: Step, env: NodeJS.ProcessEnv, cwd: string, timeoutMs: number, signal: AbortSignal, host?: SimHost): Promise<StepState> {
    const spec = step.spec as CheckSpec;
    const deadline = Date.now() + timeoutMs;
    const attr = step.attrs.interval;
    const written = (typeof attr === 'string' || typeof attr === 'number' ? parseDuration(attr) : undefined) ?? spec.intervalMs;
    const intervalMs = host ? scaledIntervalMs(written, host.speed()) : written;
    for (let attempt = 1; ; attempt++) {
      const capture = { text: '' };
      const remaining = Math.max(1, deadline - Date.now());
      const res = await this.shell(step, spec.run, env, cwd, remaining, signal, capture);
      if (res.error) return this.finishShell(step, res, timeoutMs);
      if (res.cancelled) return this.finish(step, 'cancelled', { reason: 'cancelled', exitCode: res.exitCode });
      const failures: string[] = [];
      if (res.timedOut) failures.push('the command timed out');
      if (spec.expect.exitCode !== undefined && res.exitCode !== spec.expect.exitCode) failures.push(`exit code ${res.exitCode ?? res.signal} (expected ${spec.expect.exitCode})`);
      if (spec.expect.output !== undefined && !new RegExp(spec.expect.output, 'm').test(capture.text)) failures.push(`output does not match /${spec.expect.output}/`);
      if (failures.length === 0) {
        this.appendOutput(step.id, 'info', `check passed (attempt ${attempt})\n`);
        return this.finish(step, 'succeeded', { exitCode: res.exitCode });
      }
      this.appendOutput(step.id, 'info', `attempt ${attempt}: ${failures.join('; ')}\n`);
      if (!spec.until) return this.finish(step, 'failed', { reason: failures.join('; '), exitCode: res.exitCode });
      if (Date.now() + intervalMs >= deadline) {
        const reason = `still failing after ${attempt} attempts (${formatDuration(timeoutMs)}): ${failures.join('; ')}`;
        return this.finish(step, 'failed', { reason, exitCode: res.exitCode, timedOut: true });
      }
      const waited = await sleep(intervalMs, signal);
      if (!waited) return this.finish(step, 'cancelled', { reason: 'cancelled' });
    }
  }

  /**
   * A typed bypass action (etcd, node SSH, network block, exempt request): preview, then run. With
   * `clusters:` (or in a tabletop) it fans out across clusters, largest first.
   */
  private async runBreakglass(step: Step, env: NodeJS.ProcessEnv, timeoutMs: number, signal: AbortSignal, host: SimHost | undefined, only: string[] | undefined): Promise<StepState> {
    const bg = await import('../breakglass');
    const timeout = AbortSignal.timeout(timeoutMs);
    const both = AbortSignal.any([signal, timeout]);
    const info = (line: string) => this.appendOutput(step.id, 'info', `${this.masker.mask(line)}\n`);
    const dryRun = step.attrs.dryRun === true;
    const lastTenth = new Map<string, number>();
    const progress = (who: string) => (p: { done: number; total: number; failed: number }) => {
      const tenth = p.total > 0 ? Math.floor((p.done / p.total) * 10) : 10;
      if (tenth !== lastTenth.get(who)) {
        lastTenth.set(who, tenth);
        info(`${who ? `[${who}] ` : ''}progress: ${p.done}/${p.total} done, ${p.failed} failed`);
      }
    };
    const base = { runbookDir: dirname(this.opts.runbookPath), env, signal: both, dryRun, log: info };
    let preview: import('../breakglass').ActionResult | undefined;
    let result: import('../breakglass').ActionResult;
    const multi = bg.stepClusters(step.spec) !== undefined;
    if (host || multi) {
      const targets = host ? this.simTargets(step, host, base, bg) : await this.realTargets(step, base, bg);
      if (typeof targets === 'string') {
        info(targets);
        return this.finish(step, 'failed', { reason: targets, exitCode: 1 });
      }
      info(`clusters, largest first: ${bg.orderClusters(targets).map((t) => `${t.name}${t.size !== undefined ? ` (${t.size} nodes)` : ''}`).join(', ')}`);
      // The clusters this run acts on (a retry: only those with something that failed).
      const acted = bg.orderClusters(targets).filter((t) => bg.onlyFor(only, t.name) !== null);
      const named = acted.map((t) => ({ name: t.name, where: bg.describeWhere(t.body ?? step.spec, t.ctx) }));
      if (host) {
        if (!this.record({ type: 'decision', t: now(), stepId: step.id, decision: 'targets', user: this.user, detail: named.map((t) => t.name).join(', '), targets: named })) return this.journalRefused(step);
      } else if (!dryRun) {
        const ok = await this.confirmTargets(step, named, 'typed-clusters');
        if (ok === 'unjournaled') return this.journalRefused(step);
        if (!ok) return this.finish(step, 'cancelled', { reason: `the clusters it acts on (${named.map((t) => t.name).join(', ')}) were not named` });
      }
      // Each cluster's plan as its preview comes back, and its outcome as it ends: once each, as
      // they happen (the table shows the same rows live).
      const told = new Set<string>();
      const tell = (clusters: readonly ClusterOutcome[]): void => {
        for (const c of clusters) {
          if (c.preview && !told.has(`${c.name}/plan`)) {
            told.add(`${c.name}/plan`);
            info(`[${c.name}] plan: ${c.preview.summary}`);
          }
          if (c.result && c.state !== 'running' && c.state !== 'pending' && !told.has(`${c.name}/result`)) {
            told.add(`${c.name}/result`);
            info(`[${c.name}] ${c.state}: ${c.result.summary}`);
          }
        }
      };
      const out = await bg.fanOutStep(step.spec, targets.map((t) => ({ ...t, ctx: { ...t.ctx, progress: progress(t.name) } })), {
        parallel: this.opts.parallelClusters,
        only,
        signal: both,
        onUpdate: (clusters) => {
          tell(clusters);
          this.emit({ type: 'clusters', stepId: step.id, clusters: clusters.map((c) => this.maskedOutcome(c)) });
        },
      });
      result = out.result;
      tell(out.result.clusters);
      this.listItems(out.result.clusters.map((c) => ({ prefix: `[${c.name}] `, items: c.result?.items ?? [] })), info);
    } else {
      const ctx = { ...base, mode: 'real' as const };
      const name = this.opts.target.context ?? '?';
      if (!dryRun) {
        const ok = await this.confirmTargets(step, [{ name, where: bg.describeWhere(step.spec, ctx) }], 'typed-clusters');
        if (ok === 'unjournaled') return this.journalRefused(step);
        if (!ok) return this.finish(step, 'cancelled', { reason: `the context it acts on (${name}) was not named` });
      }
      const r = await bg.runStep(step.spec, { ...ctx, progress: progress('') }, { only });
      preview = r.preview;
      result = r.result;
      if (preview) info(`preview: ${preview.summary}`);
      this.listItems([{ prefix: '', items: result.items }], info);
    }
    info(result.summary);
    this.failedItems.set(step.id, bg.failedIds(result));
    if (signal.aborted) return this.finish(step, 'cancelled', { reason: 'cancelled' });
    if (timeout.aborted) return this.finish(step, 'failed', { reason: `timed out after ${formatDuration(timeoutMs)}`, timedOut: true });
    return result.ok ? this.finish(step, 'succeeded', { exitCode: 0, reason: dryRun ? 'dry run: nothing changed' : undefined }) : this.finish(step, 'failed', { reason: result.summary, exitCode: 1 });
  }

  /** Results already masked for views (a cluster's result is masked once, not on every update). */
  private readonly maskedResults = new WeakMap<object, import('../breakglass').ActionResult>();

  /** A cluster's outcome with every text masked (it goes to views and logs); previews keep only their summary. */
  private maskedOutcome(c: ClusterOutcome): ClusterOutcome {
    const briefOf = (r: import('../breakglass').ActionResult) => ({ ...(r.brief !== undefined ? { brief: this.masker.mask(r.brief) } : {}), ...(r.dryRun ? { dryRun: true } : {}) });
    const result = (r: import('../breakglass').ActionResult): import('../breakglass').ActionResult => {
      let m = this.maskedResults.get(r);
      if (!m) {
        m = { ok: r.ok, summary: this.masker.mask(r.summary), items: r.items.map((i) => ({ ...i, detail: this.masker.mask(i.detail) })), simSeconds: r.simSeconds, ...briefOf(r) };
        this.maskedResults.set(r, m);
      }
      return m;
    };
    return {
      ...c,
      preview: c.preview ? { ok: c.preview.ok, summary: this.masker.mask(c.preview.summary), items: [], simSeconds: c.preview.simSeconds, ...briefOf(c.preview) } : undefined,
      result: c.result ? result(c.result) : undefined,
      progress: c.progress ? { ...c.progress, current: c.progress.current && this.masker.mask(c.progress.current) } : undefined,
    };
  }

  /**
   * Every failed item with its reason; changed and unchanged ones up to a few dozen. Items of a
   * step across clusters come per cluster, each line naming its cluster (`[prod-east] ✔ /registry/…`).
   */
  private listItems(groups: { prefix: string; items: readonly import('../breakglass').ActionItem[] }[], info: (line: string) => void): void {
    // Successes shown: a few dozen in all, shared between the clusters so that each one shows some.
    const SHOWN = 40;
    const per = Math.max(5, Math.ceil(SHOWN / Math.max(1, groups.filter((g) => g.items.length).length)));
    let hidden = 0;
    for (const { prefix, items } of groups) {
      let shown = 0;
      for (const item of items) {
        if (item.ok && shown >= per) {
          hidden++;
          continue;
        }
        if (item.ok) shown++;
        info(`${prefix}${item.ok ? (item.unchanged ? '=' : '✔') : '✖'} ${item.id}: ${item.detail}`);
      }
    }
    if (hidden) info(`… and ${hidden} more that succeeded (the journal's summary counts them)`);
  }

  /** Tabletop: the scenario's clusters (models), in simulated time. */
  private simTargets(step: Step, host: SimHost, base: Omit<import('../breakglass').ActionContext, 'mode'>, bg: typeof import('../breakglass')): import('../breakglass').ClusterTarget[] | string {
    const known = host.clusters();
    const focus = known.filter((c) => c.name === host.focus());
    const sel = bg.selectClusters(step.spec, known, focus.length ? focus : known.slice(0, 1));
    if (sel.problem) return sel.problem;
    const spec = step.spec as Record<string, unknown> | undefined;
    return sel.clusters.map((c) => ({
      name: c.name,
      size: c.nodes,
      // The action's own body for this cluster, if it has one (exempt-request: its break-glass context).
      body: bg.simBodyFor(spec, c.name),
      ctx: { ...base, mode: 'sim' as const, sim: { cluster: c.model, timeline: host.timeline(c.name) } },
    }));
  }

  /** Real mode, `clusters:` named: each cluster's paths come from the preflight config. */
  private async realTargets(step: Step, base: Omit<import('../breakglass').ActionContext, 'mode'>, bg: typeof import('../breakglass')): Promise<import('../breakglass').ClusterTarget[] | string> {
    const file = this.opts.clustersConfig ?? resolve(dirname(this.opts.journalDir), 'preflight.yaml');
    const { clusterTargets } = bg;
    try {
      const all = await clusterTargets(file, step.spec, { ...base, mode: 'real' });
      const sel = bg.selectClusters(step.spec, all, []);
      return sel.problem ?? sel.clusters;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /**
   * A step's environment: KUBECONFIG is the target's (in simulated mode the simulated cluster's, or
   * a placeholder that reaches nothing) and every other way to a cluster is removed, so no step of
   * a simulated run can reach ~/.kube/config or a cluster named in the environment (target.ts).
   */
  private stepEnv(kubeconfig: string): NodeJS.ProcessEnv {
    const env = kubeEnv(this.opts.env ?? process.env, kubeconfig);
    for (const [k, v] of Object.entries(this.params)) if (!isClusterEnvName(k)) env[k] = v;
    env.BREAKGLASS_MODE = this.opts.target.mode;
    env.BREAKGLASS_TARGET = targetName(this.opts.target);
    env.BREAKGLASS_RUNBOOK_DIR = dirname(this.opts.runbookPath);
    return env;
  }

  private stepCwd(step: Step): string {
    const base = dirname(this.opts.runbookPath);
    const cwd = step.attrs.cwd;
    if (typeof cwd !== 'string' || cwd === '') return base;
    return isAbsolute(cwd) ? cwd : resolve(base, cwd);
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
    return this.opts.runbook.steps.filter((s) => kindSpec(s.kind).kind !== 'health' && !s.excludeFromRunAll);
  }

  /** Runs every pending step in order; stops at the first failure or cancellation. */
  async runAll(): Promise<RunAllOutcome> {
    if (this.opts.isTrusted && !this.opts.isTrusted()) {
      this.notice('warning', 'this workspace is not trusted: Breakglass runs nothing in Restricted Mode');
      return 'cancelled';
    }
    this.runAllAbort = new AbortController();
    const signal = this.runAllAbort.signal;
    try {
      for (const step of this.runAllSteps()) {
        const cur = this.states.get(step.id)?.state;
        if (cur === 'succeeded' || cur === 'skipped') continue;
        if (signal.aborted) return 'cancelled';
        const st = await this.runStep(step.id, { signal });
        if (st === 'failed') return 'failed';
        if (st === 'cancelled' || st === 'pending') return 'cancelled';
      }
      return 'succeeded';
    } finally {
      this.runAllAbort = undefined;
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

function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((res) => {
    if (signal.aborted) return res(false);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      res(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      res(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function now(): string {
  return new Date().toISOString();
}

