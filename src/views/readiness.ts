// `Breakglass: Check Break-Glass Readiness`: the preflight (src/breakglass/preflight.ts) run in the
// extension host on the workspace's preflight config (`breakglass.preflightConfig`), with
// progress; the result goes to its own journal (preflight-<start>.jsonl, masked) and to the
// readiness badges of every open Runbook view's ```breakglass steps. It connects to etcd, the
// nodes and the API server with the person's credentials, so it refuses in Restricted Mode.
import * as vscode from 'vscode';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { safeUser } from '../runbook/user';
import { basename, isAbsolute, join } from 'node:path';
import { LABEL, parsePreflightConfig, preflight, type PathResult, type PreflightConfig } from '../breakglass/preflight';
import { preflightEvent, preflightSecrets, readinessFromResults, type Readiness } from '../breakglass/readiness';
import { Journal } from '../runbook/journal';
import { Masker } from '../common/mask';

export const DEFAULT_PREFLIGHT_CONFIG = '.breakglass/preflight.yaml';

/** What the command resolves to (its callers, and the tests, read it). */
export interface ReadinessOutcome {
  status: 'checked' | 'untrusted' | 'no-folder' | 'config-error' | 'cancelled';
  readiness?: Readiness;
  message?: string;
}

/** The last readiness result of this window, shared by every Runbook view. */
class ReadinessState {
  private result?: Readiness;
  private active = false;
  private readonly listeners = new Set<() => void>();

  get last(): Readiness | undefined {
    return this.result;
  }
  get running(): boolean {
    return this.active;
  }
  onDidChange(fn: () => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }
  setRunning(on: boolean): void {
    this.active = on;
    this.fire();
  }
  set(r: Readiness): void {
    this.result = r;
    this.fire();
  }
  private fire(): void {
    for (const fn of [...this.listeners]) {
      try {
        fn();
      } catch {
        /* a listener's failure is its own */
      }
    }
  }
}

export const readinessState = new ReadinessState();

function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  const editor = vscode.window.activeTextEditor;
  return (editor && vscode.workspace.getWorkspaceFolder(editor.document.uri)) ?? vscode.workspace.workspaceFolders?.[0];
}

/** The preflight config of a folder: `breakglass.preflightConfig`, relative to the folder. */
export function preflightConfigFor(folder: vscode.WorkspaceFolder): string {
  const setting = vscode.workspace.getConfiguration('breakglass', folder.uri).get<string>('preflightConfig', DEFAULT_PREFLIGHT_CONFIG) || DEFAULT_PREFLIGHT_CONFIG;
  return isAbsolute(setting) ? setting : join(folder.uri.fsPath, setting);
}

/**
 * Registers `breakglass.checkReadiness` (disposed with the extension). `journalDir` gives the
 * journal folder of a workspace folder (the setting `breakglass.journalDirectory`).
 */
export function registerReadiness(context: vscode.ExtensionContext, journalDir: (folder: vscode.Uri) => string): vscode.Disposable {
  let inFlight: Promise<ReadinessOutcome> | undefined;
  const check = (): Promise<ReadinessOutcome> => {
    inFlight ??= checkReadiness(journalDir).finally(() => (inFlight = undefined));
    return inFlight;
  };
  const cmd = vscode.commands.registerCommand('breakglass.checkReadiness', check);
  context.subscriptions.push(cmd);
  return cmd;
}

async function checkReadiness(journalDir: (folder: vscode.Uri) => string): Promise<ReadinessOutcome> {
  if (!vscode.workspace.isTrusted) {
    const message = 'Check Break-Glass Readiness is not available in Restricted Mode: it connects to etcd, the nodes and the API server with your credentials. Trust this workspace to run it.';
    void vscode.window.showWarningMessage(`Breakglass: ${message}`);
    return { status: 'untrusted', message };
  }
  const folder = workspaceFolder();
  if (!folder) {
    const message = `open the folder that holds the preflight config (${DEFAULT_PREFLIGHT_CONFIG}) first.`;
    void vscode.window.showInformationMessage(`Breakglass: ${message}`);
    return { status: 'no-folder', message };
  }
  const file = preflightConfigFor(folder);
  const env = process.env;
  let cfg: PreflightConfig;
  try {
    cfg = parsePreflightConfig(await readFile(file, 'utf8'), file, env);
  } catch (e) {
    const message =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? `${file}: not found. Write the preflight config there (see \`breakglass preflight --help\`) or set breakglass.preflightConfig.`
        : (e as Error).message;
    readinessState.set({ at: Date.now(), config: file, clusters: [], error: message });
    void vscode.window.showErrorMessage(`Breakglass: ${message}`, 'Open Setting').then((pick) => {
      if (pick) void vscode.commands.executeCommand('workbench.action.openSettings', 'breakglass.preflightConfig');
    });
    return { status: 'config-error', message };
  }

  const total = cfg.clusters.reduce((n, c) => n + [c.etcd, c.nodes, c.controlPlane, c.breakglass].filter(Boolean).length, 0);
  let results: PathResult[] | undefined;
  readinessState.setRunning(true);
  try {
    results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Breakglass: checking ${total} break-glass path(s) of ${basename(file)}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        try {
          const r = await preflight(cfg, {
            env,
            signal: abort.signal,
            onResult: (x) => progress.report({ increment: 100 / Math.max(1, total), message: `${x.cluster} ${LABEL[x.path]}: ${x.ok ? 'ok' : 'not ready'}` }),
          });
          return token.isCancellationRequested ? undefined : r;
        } finally {
          sub.dispose();
        }
      },
    );
  } finally {
    readinessState.setRunning(false);
  }
  if (!results) return { status: 'cancelled', message: 'the readiness check was cancelled' };

  const masker = new Masker(preflightSecrets(cfg, env));
  const readiness = readinessFromResults(cfg, results, Date.now(), masker);
  try {
    const journal = Journal.create(journalDir(folder.uri), 'preflight', new Date(readiness.at));
    try {
      journal.append(preflightEvent(readiness, { user: safeUser(), host: hostname(), via: 'vscode' }));
    } finally {
      journal.close();
    }
    readiness.journal = journal.file;
  } catch (e) {
    void vscode.window.showWarningMessage(`Breakglass: the readiness result could not be journaled: ${(e as Error).message}`);
  }
  readinessState.set(readiness);

  const checks = readiness.clusters.flatMap((c) => c.checks.map((k) => ({ cluster: c.name, ...k })));
  const failed = checks.filter((k) => !k.ok);
  if (failed.length === 0) void vscode.window.showInformationMessage(`Breakglass: every break-glass path is ready (${checks.length} checked, ${basename(file)}).`);
  else void vscode.window.showWarningMessage(`Breakglass: ${failed.length} of ${checks.length} break-glass path(s) not ready. ${failed[0].cluster} ${LABEL[failed[0].path]}: ${failed[0].detail}`);
  return { status: 'checked', readiness };
}
