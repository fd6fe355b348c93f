// Interactive steps (`interactive=true`): `kubectl edit`, an `ssh` or a `read` need a keyboard and a
// terminal. The step runs under util-linux `script`, which gives it a pseudo-terminal of its own and
// writes everything shown on it to a transcript file; the person types into the terminal (a VS Code
// terminal, or the CLI's own), and the transcript — cleaned of terminal control sequences and
// masked — becomes the step's output in the view and the journal, as for any other step.
// script(1): https://man7.org/linux/man-pages/man1/script.1.html (`-q` quiet, `-f` flush after each
// write, `-e` return the child's exit code, `-c` the command; util-linux 2.35+).
import { shQuote } from '../common/shell';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

export interface InteractiveCommand {
  /** The program and arguments that run the step under `script`. */
  file: string;
  args: string[];
}

/** Runs `script` on `shell` (bash by default) with the step's text, writing the transcript to `transcript`. */
export function interactiveCommand(scriptText: string, transcript: string, shell: { file: string; args: string[] } = { file: '/bin/bash', args: ['-eo', 'pipefail', '-c'] }): InteractiveCommand {
  // `script -c` hands its argument to $SHELL -c: quote each word for a POSIX shell.
  const inner = [shell.file, ...shell.args, scriptText].map(shQuote).join(' ');
  return { file: 'script', args: ['-q', '-f', '-e', '-c', inner, transcript] };
}

/** Terminal control sequences: CSI (colours, cursor), OSC (titles), and single-character escapes. */
const CONTROL = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/**
 * The transcript as plain text: without the `Script started/done` lines script(1) adds, terminal
 * control sequences, carriage returns of CRLF line ends, and text overwritten by a bare `\r`.
 */
export function readTranscript(file: string): string {
  if (!existsSync(file)) return '';
  return cleanTranscript(readFileSync(file, 'utf8'));
}

export function cleanTranscript(raw: string): string {
  const lines = raw
    .replace(CONTROL, (m) => (m === '\r' || m === '\n' || m === '\t' ? m : ''))
    .replace(/\r+\n/g, '\n')
    .split('\n')
    .map((l) => l.slice(l.lastIndexOf('\r') + 1));
  while (lines.length && /^Script (started|done) on /.test(lines[0])) lines.shift();
  while (lines.length && (lines[lines.length - 1] === '' || /^Script (started|done) on /.test(lines[lines.length - 1]))) lines.pop();
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export interface InteractiveResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Ended by the abort signal (script(1) itself may then exit 0). */
  cancelled: boolean;
}

/**
 * The CLI's way: the step inherits this terminal (the person types into it directly); resolves when
 * it ends. `signal` ends it: with `stdio: 'pipe'` (input given, for tests and scripted runs) TERM to
 * its whole process group; on an inherited terminal TERM to `script`, which hangs up its terminal.
 */
export function runInteractiveHere(cmd: InteractiveCommand, o: { cwd: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; stdio?: 'inherit' | 'pipe'; input?: string }): Promise<InteractiveResult> {
  return new Promise((resolve) => {
    // Its own process group, so a cancel ends the step and everything it started, not only `script`.
    const child = spawn(cmd.file, cmd.args, { cwd: o.cwd, env: o.env, stdio: o.stdio === 'pipe' ? ['pipe', 'ignore', 'ignore'] : 'inherit', detached: o.stdio === 'pipe' });
    const abort = (): void => {
      try {
        if (child.pid !== undefined) process.kill(o.stdio === 'pipe' ? -child.pid : child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    };
    o.signal?.addEventListener('abort', abort, { once: true });
    if (o.stdio === 'pipe') child.stdin?.end(o.input ?? '');
    child.on('error', () => resolve({ exitCode: 127, signal: null, cancelled: false }));
    child.on('close', (code, signal) => {
      o.signal?.removeEventListener('abort', abort);
      resolve({ exitCode: code, signal, cancelled: o.signal?.aborted === true });
    });
  });
}
