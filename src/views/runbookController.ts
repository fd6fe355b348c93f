// The Runbook views of a window: one panel per runbook file, the commands that open and run them
// (Open Runbook, Run All, Run Step), the after-action report of a run (Export Report), and the
// `breakglass.isRunbook` context key of the active editor. Registered from activate() like the
// other features; Workspace Trust is decided per step by the panel's RunSession.
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isRunbookText } from '../runbook/parse';
import { listJournals, readJournal } from '../runbook/journal';
import { renderReport } from '../runbook/report';
import type { StepRuntime } from '../runbook/session';
import type { HealthHub } from './healthPanel';
import { columnFor } from './layout';
import type { ModeController } from './mode';
import { RunbookPanel, journalDirFor, type OpenOptions } from './runbookPanel';
import { resolveShipped } from './shipped';
import { webviewPanelOptions } from './webview';

export class RunbookController implements vscode.Disposable {
  /** The open panels by the runbook's URI. */
  private readonly panels = new Map<string, RunbookPanel>();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly mode: ModeController,
    private readonly health: HealthHub,
  ) {}

  panelFor(uri: vscode.Uri): RunbookPanel | undefined {
    return this.panels.get(uri.toString());
  }

  stepStates(uri: vscode.Uri): Record<string, StepRuntime> | undefined {
    const p = this.panelFor(uri);
    return p ? Object.fromEntries(p.currentSession.states) : undefined;
  }

  /**
   * The runbook a command means: a URI, a path (the workspace's or a shipped runbook), else the
   * active markdown editor, else the active Runbook view.
   */
  resolveUri(arg: unknown): vscode.Uri | undefined {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string') {
      const file = resolveShipped(arg);
      return file ? vscode.Uri.file(file) : undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'markdown') return editor.document.uri;
    const active = [...this.panels.values()].find((p) => p.webviewPanel.active);
    return active?.uri;
  }

  /** The runbook's view: revealed when open, else opened (and its last run offered for resuming). */
  async openRunbook(uri: vscode.Uri, options: OpenOptions = {}): Promise<RunbookPanel | undefined> {
    const key = uri.toString();
    const existing = this.panels.get(key);
    if (existing) {
      existing.reveal();
      return existing;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (e) {
      void vscode.window.showErrorMessage(`Breakglass: cannot open ${uri.fsPath}: ${(e as Error).message}`);
      return undefined;
    }
    const webviewPanel = vscode.window.createWebviewPanel('breakglass.runbook', `Runbook: ${basename(uri.fsPath)}`, { viewColumn: columnFor('runbook'), preserveFocus: false }, webviewPanelOptions(this.extensionUri));
    const panel = new RunbookPanel(uri, webviewPanel, this.extensionUri, this.mode, this.health, doc.getText(), () => this.panels.delete(key));
    webviewPanel.title = `Runbook: ${panel.title}`;
    this.panels.set(key, panel);
    const resume = panel.offerResume(options.resume ?? 'ask');
    if (options.resume === 'always') await resume;
    return panel;
  }

  /**
   * `Export Report`: the after-action report of a run (a journal file, the runbook's current run,
   * or one picked from the workspace's journals), written to reports/ beside the journal folder.
   */
  async exportReport(arg: unknown): Promise<string | undefined> {
    let journal: string | undefined;
    if (typeof arg === 'string' && arg.endsWith('.jsonl')) journal = arg;
    else {
      const uri = this.resolveUri(arg);
      const panel = uri ? this.panels.get(uri.toString()) : undefined;
      journal = panel?.currentSession.journalFile;
      const dir = uri ? journalDirFor(uri) : undefined;
      if (!journal) {
        const folder = vscode.workspace.workspaceFolders?.[0];
        const jdir = dir ?? (folder ? journalDirFor(folder.uri) : undefined);
        const all = jdir ? listJournals(jdir) : [];
        if (all.length === 0) {
          void vscode.window.showInformationMessage('Breakglass: no journal yet: run a step first.');
          return undefined;
        }
        const pick = await vscode.window.showQuickPick(
          all.map((j) => ({ label: j.title, description: new Date(j.startedAt).toLocaleString(), detail: j.file, file: j.file })),
          { title: 'Export the after-action report of which run?' },
        );
        journal = pick?.file;
      }
    }
    if (!journal) return undefined;
    const read = readJournal(journal);
    const md = renderReport(read.events, journal);
    const reportsDir = join(dirname(dirname(journal)), 'reports');
    mkdirSync(reportsDir, { recursive: true });
    const out = join(reportsDir, basename(journal).replace(/\.jsonl$/, '.md'));
    writeFileSync(out, md);
    const doc = await vscode.workspace.openTextDocument(out);
    await vscode.window.showTextDocument(doc, { preview: false });
    return out;
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
  }
}

/**
 * Registers the Runbook views' commands (Open Runbook, Run All, Run Step, Export Report) and the
 * `breakglass.isRunbook` context key. Their health panels bind to `health`. The controller is
 * added to the context's subscriptions (its disposal closes every view).
 */
export function registerRunbooks(context: vscode.ExtensionContext, mode: ModeController, health: HealthHub): RunbookController {
  const c = new RunbookController(context.extensionUri, mode, health);

  const updateContextKey = (editor: vscode.TextEditor | undefined) => {
    const is = !!editor && editor.document.languageId === 'markdown' && isRunbookText(editor.document.getText());
    void vscode.commands.executeCommand('setContext', 'breakglass.isRunbook', is);
  };
  updateContextKey(vscode.window.activeTextEditor);

  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(updateContextKey),
    vscode.commands.registerCommand('breakglass.openRunbook', async (arg?: unknown, options?: unknown) => {
      const uri = c.resolveUri(arg);
      if (!uri) {
        void vscode.window.showInformationMessage('Breakglass: open a runbook (markdown) first.');
        return undefined;
      }
      const panel = await c.openRunbook(uri, (options ?? {}) as OpenOptions);
      return panel ? panel.uri.toString() : undefined;
    }),
    vscode.commands.registerCommand('breakglass.runAll', async (arg?: unknown) => {
      const uri = c.resolveUri(arg);
      if (!uri) return undefined;
      const panel = await c.openRunbook(uri, { resume: 'never' });
      return panel?.runAll();
    }),
    vscode.commands.registerCommand('breakglass.runStep', async (arg?: unknown, stepId?: unknown) => {
      const uri = c.resolveUri(arg);
      if (!uri || typeof stepId !== 'string') return undefined;
      const panel = c.panelFor(uri) ?? (await c.openRunbook(uri, { resume: 'never' }));
      return panel?.currentSession.runStep(stepId);
    }),
    vscode.commands.registerCommand('breakglass.exportReport', (arg?: unknown) => c.exportReport(arg)),
    c,
  );
  return c;
}
