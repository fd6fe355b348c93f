// Runs one shell step as a child process in its own process group.
//
// The step body is passed to the shell as the `-c` argument and never spliced with parameters:
// parameters reach the command as environment variables only. Timeout, cancel and host shutdown
// kill the whole process group, so pipelines and backgrounded children go down with the shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface ShellRunOptions {
  /** The step body, passed as the `-c` argument, never spliced with params. */
  command: string;
  /** bash: `/bin/bash -eo pipefail -c command`; sh: `/bin/sh -e -c command`. Default bash. */
  shell?: 'bash' | 'sh';
  /** Executable to use instead of `/bin/bash` or `/bin/sh`; the flags still follow `shell`. */
  shellPath?: string;
  /**
   * The program and its arguments before `-c command` (front-matter `shell`, runme.ts
   * shellProgram); when given, `shell` and `shellPath` are not used. A name without a slash is
   * looked up in `env.PATH`.
   */
  program?: { file: string; args: string[] };
  cwd: string;
  /** Full environment for the child (params arrive here as env vars). */
  env: NodeJS.ProcessEnv;
  /** Undefined: no timeout. */
  timeoutMs?: number;
  /** Cancel. */
  signal?: AbortSignal;
  /** SIGTERM to the process group, then SIGKILL after this many ms (default 2000). */
  killGraceMs?: number;
  /** Raw decoded text chunks (utf-8 safe across chunk boundaries). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  /**
   * Called once the shell is started, with its pid: the id of the step's process group (the
   * shell leads a group of its own). Not called when it could not be started.
   */
  onSpawn?: (pid: number) => void;
  /** stdin is always /dev/null. */
  stdin?: 'ignore';
}

export interface ShellRunResult {
  /** Exit status of the shell, null when it was ended by a signal or never started. */
  exitCode: number | null;
  /** Signal that ended the shell, if any. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  pid: number | undefined;
  /** Set when the process could not be started (bad cwd, missing shell, invalid arguments). */
  error?: string;
}

export const DEFAULT_KILL_GRACE_MS = 2000;

interface RunningGroup {
  pid: number;
  /** Called when killAllRunning() ends the group. */
  onKillAll: () => void;
}

/** Process groups that may still have members: started and not yet known to be finished. */
const running = new Map<number, RunningGroup>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Only synchronous work is possible here: SIGKILL every group still registered.
  process.on('exit', () => killAllRunning('SIGKILL'));
}

function signalGroup(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * Sends `sig` (default SIGKILL) to every process group started by runShell that may still be
 * running. Their runShell promises resolve with `cancelled: true`. Called automatically when the
 * Node process exits.
 */
export function killAllRunning(sig: NodeJS.Signals = 'SIGKILL'): void {
  for (const g of [...running.values()]) {
    try {
      g.onKillAll();
    } catch {
      // never let one group stop the others from being killed
    }
    signalGroup(g.pid, sig);
  }
}

/** How many process groups are currently registered (for diagnostics and tests). */
export function runningCount(): number {
  return running.size;
}

function now(): number {
  return performance.now();
}

export function runShell(opts: ShellRunOptions): Promise<ShellRunResult> {
  const started = now();
  const grace = Math.max(0, opts.killGraceMs ?? DEFAULT_KILL_GRACE_MS);
  const shell = opts.shell ?? 'bash';
  const file = opts.program?.file ?? opts.shellPath ?? (shell === 'sh' ? '/bin/sh' : '/bin/bash');
  const args = opts.program ? [...opts.program.args, '-c', opts.command] : shell === 'sh' ? ['-e', '-c', opts.command] : ['-eo', 'pipefail', '-c', opts.command];

  const failed = (error: string, cancelled = false): Promise<ShellRunResult> =>
    Promise.resolve({
      exitCode: null,
      signal: null,
      timedOut: false,
      cancelled,
      durationMs: Math.round(now() - started),
      pid: undefined,
      ...(error ? { error } : {}),
    });

  if (opts.signal?.aborted) return failed('', true);

  // spawn() reports a missing cwd as "spawn /bin/bash ENOENT", which blames the shell; check first.
  try {
    if (!statSync(opts.cwd).isDirectory()) return failed(`working directory is not a directory: ${opts.cwd}`);
  } catch (e) {
    return failed(`working directory does not exist or cannot be read: ${opts.cwd} (${errMessage(e)})`);
  }

  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true, // own process group (setsid), so the whole group can be signalled
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
  } catch (e) {
    return failed(`could not start ${file}: ${errMessage(e)}`);
  }

  return new Promise<ShellRunResult>((resolve) => {
    const pid = child.pid;
    let timedOut = false;
    let cancelled = false;
    let exited = false;
    let settled = false;
    let exitCode: number | null = null;
    let exitSignal: NodeJS.Signals | null = null;
    let spawnError: string | undefined;
    let termSent = false;
    let timeoutTimer: NodeJS.Timeout | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let streamTimer: NodeJS.Timeout | undefined;

    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const deliver = (stream: 'stdout' | 'stderr', text: string): void => {
      if (!text || !opts.onOutput) return;
      try {
        opts.onOutput(stream, text);
      } catch {
        // A failing consumer must not leave the child unsupervised.
      }
    };
    child.stdout?.on('data', (b: Buffer) => deliver('stdout', decoders.stdout.write(b)));
    child.stderr?.on('data', (b: Buffer) => deliver('stderr', decoders.stderr.write(b)));

    const unregisterIfDone = (): void => {
      if (pid !== undefined && settled && killTimer === undefined) running.delete(pid);
    };

    /** SIGTERM to the group now, SIGKILL after the grace period. */
    const killGroup = (): void => {
      if (pid === undefined || termSent) return;
      termSent = true;
      signalGroup(pid, 'SIGTERM');
      killTimer = setTimeout(() => {
        killTimer = undefined;
        signalGroup(pid, 'SIGKILL');
        unregisterIfDone();
      }, grace);
      // Once the run has settled the timer must not keep the host alive; the exit hook covers it.
      if (settled) killTimer.unref();
      if (exited) startStreamWait();
    };

    const onAbort = (): void => {
      if (settled) return;
      cancelled = true;
      killGroup();
    };

    const finish = (): void => {
      if (settled) return;
      settled = true;
      if (timeoutTimer) clearTimeout(timeoutTimer);
      if (streamTimer) clearTimeout(streamTimer);
      killTimer?.unref();
      opts.signal?.removeEventListener('abort', onAbort);
      deliver('stdout', decoders.stdout.end());
      deliver('stderr', decoders.stderr.end());
      unregisterIfDone();
      resolve({
        exitCode,
        signal: exitSignal,
        timedOut,
        cancelled,
        durationMs: Math.round(now() - started),
        pid,
        ...(spawnError !== undefined ? { error: spawnError } : {}),
      });
    };

    /**
     * The shell has exited but something still holds its stdout/stderr open (a background job, or a
     * process that left the group). Wait at most the grace period, then stop reading and settle.
     */
    function startStreamWait(): void {
      if (streamTimer) clearTimeout(streamTimer);
      streamTimer = setTimeout(() => {
        streamTimer = undefined;
        if (settled) return;
        // Leftovers still in the group would only write into a closed pipe: end them.
        killGroup();
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, grace);
    }

    child.on('error', (e) => {
      // Spawn failure (e.g. ENOENT for the shell): no 'exit' follows reliably.
      if (pid === undefined || !exited) {
        spawnError = `could not start ${file}: ${errMessage(e)}`;
        if (pid === undefined) finish();
      }
    });

    child.on('exit', (code, sig) => {
      exited = true;
      exitCode = code;
      exitSignal = sig;
      if (timeoutTimer) clearTimeout(timeoutTimer);
      startStreamWait();
    });

    child.on('close', (code, sig) => {
      if (!exited) {
        exited = true;
        exitCode = code;
        exitSignal = sig;
      }
      finish();
    });

    if (pid === undefined) return; // the 'error' event settles the promise

    installExitHook();
    running.set(pid, {
      pid,
      onKillAll: () => {
        if (!settled) cancelled = true;
        termSent = true; // SIGKILL is on its way; no further SIGTERM round needed
        if (exited) startStreamWait();
      },
    });

    if (opts.onSpawn) {
      try {
        opts.onSpawn(pid);
      } catch {
        // A failing consumer must not leave the child unsupervised.
      }
    }
    if (opts.signal) opts.signal.addEventListener('abort', onAbort, { once: true });
    if (opts.timeoutMs !== undefined && opts.timeoutMs >= 0) {
      timeoutTimer = setTimeout(() => {
        if (settled || exited) return;
        timedOut = true;
        killGroup();
      }, opts.timeoutMs);
    }
  });
}

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
