// Interactive steps in the Runbook view: the step runs in a VS Code terminal the person types into
// (the command is script(1) around the step, src/runbook/interactive.ts). The step ends when its
// process does: script(1) writes `Script done … [COMMAND_EXIT_CODE="N"]` to the transcript as it
// exits, and the terminal closes with the process (Terminal.exitStatus); whichever comes first.
// Cancel and the step's timeout close the terminal, which hangs up the step.
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import type { InteractiveResult } from '../runbook/interactive';
import type { TerminalRequest } from '../runbook/session';

const DONE = /Script done on [^\n]*COMMAND_EXIT_CODE="(\d+)"/;

export function runInVsCodeTerminal(req: TerminalRequest): Promise<InteractiveResult> {
  const transcript = req.args[req.args.length - 1];
  const terminal = vscode.window.createTerminal({
    name: `Breakglass: ${req.title}`,
    shellPath: req.file,
    shellArgs: req.args,
    cwd: req.cwd,
    env: req.env as Record<string, string | undefined>,
    strictEnv: true,
    iconPath: new vscode.ThemeIcon('terminal'),
    isTransient: true,
  });
  // Focus it: what the person types next goes to the step.
  terminal.show(false);
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: InteractiveResult): void => {
      if (done) return;
      done = true;
      clearInterval(poll);
      closed.dispose();
      req.signal.removeEventListener('abort', abort);
      resolve(r);
    };
    const abort = (): void => {
      terminal.dispose();
      finish({ exitCode: null, signal: 'SIGHUP', cancelled: true });
    };
    const closed = vscode.window.onDidCloseTerminal((t) => {
      if (t === terminal) finish({ exitCode: t.exitStatus?.code ?? exitFromTranscript() ?? null, signal: null, cancelled: req.signal.aborted });
    });
    const exitFromTranscript = (): number | undefined => {
      try {
        const m = existsSync(transcript) ? DONE.exec(readFileSync(transcript, 'utf8').slice(-400)) : null;
        return m ? Number(m[1]) : undefined;
      } catch {
        return undefined;
      }
    };
    // The process may end with the terminal left open (an exit alert, a setting): read its end from the transcript.
    const poll = setInterval(() => {
      const code = exitFromTranscript();
      if (code === undefined) return;
      finish({ exitCode: code, signal: null, cancelled: false });
      terminal.dispose();
    }, 250);
    if (req.signal.aborted) abort();
    else req.signal.addEventListener('abort', abort, { once: true });
  });
}
