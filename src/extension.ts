// Activation only wires: commands, the mode, diagnostics, the Runbook views. Heavy modules (the
// Kubernetes client, the simulator) are loaded by the commands that need them, never here.
import * as vscode from 'vscode';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isRunbookText } from './runbook/parse';
import { listJournals, readJournal } from './runbook/journal';
import { renderReport } from './runbook/report';
import { killAllRunning } from './runbook/executor';
import type { StepRuntime } from './runbook/session';
import { ModeController } from './views/mode';
import { RunbookDiagnostics } from './views/diagnostics';
import { registerAnalysis } from './views/analysis';
import { RunbookPanel, journalDirFor, type OpenOptions } from './views/runbookPanel';
import { registerHealth } from './views/healthPanel';
import { registerReadiness } from './views/readiness';
import { registerTabletop, type FacilitatorStatus } from './views/tabletopPanel';
import { resolveShipped, setShippedRoot } from './views/shipped';
import type { Tabletop } from './tabletop/tabletop';
import { parseTabletopToHost } from './views/messages';
import { columnFor } from './views/layout';

/** What the extension returns from activate(): used by its own tests and by other extensions. */
export interface BreakglassApi {
  openRunbook(uri: vscode.Uri, options?: OpenOptions): Promise<RunbookPanel | undefined>;
  panelFor(uri: vscode.Uri): RunbookPanel | undefined;
  stepStates(uri: vscode.Uri): Record<string, StepRuntime> | undefined;
  mode(): string;
  /** The running tabletop (undefined when none runs). */
  tabletop(): Tabletop | undefined;
  /** The facilitator panel: open, ready, the state it shows, what its page drew. */
  facilitator(): FacilitatorStatus;
  /** A facilitator panel intent (validated like the page's messages), as if the page had posted it. */
  facilitatorIntent(msg: unknown): Promise<boolean>;
}

export function activate(context: vscode.ExtensionContext): BreakglassApi {
  const panels = new Map<string, RunbookPanel>();
  const mode = new ModeController();
  context.subscriptions.push(mode, new RunbookDiagnostics());
  context.subscriptions.push(registerHealth(context, mode));
  registerReadiness(context, journalDirFor);
  context.subscriptions.push(registerAnalysis(context, mode));
  setShippedRoot(context.extensionPath);
  const tabletops = registerTabletop(context, mode, journalDirFor);
  context.subscriptions.push(tabletops);

  const updateContextKey = (editor: vscode.TextEditor | undefined) => {
    const is = !!editor && editor.document.languageId === 'markdown' && isRunbookText(editor.document.getText());
    void vscode.commands.executeCommand('setContext', 'breakglass.isRunbook', is);
  };
  updateContextKey(vscode.window.activeTextEditor);
  context.subscriptions.push(vscode.window.onDidChangeActiveTextEditor(updateContextKey));

  const resolveUri = (arg: unknown): vscode.Uri | undefined => {
    if (arg instanceof vscode.Uri) return arg;
    if (typeof arg === 'string') {
      const file = resolveShipped(arg);
      return file ? vscode.Uri.file(file) : undefined;
    }
    const editor = vscode.window.activeTextEditor;
    if (editor?.document.languageId === 'markdown') return editor.document.uri;
    const active = [...panels.values()].find((p) => p.webviewPanel.active);
    return active?.uri;
  };

  const openRunbook = async (uri: vscode.Uri, options: OpenOptions = {}): Promise<RunbookPanel | undefined> => {
    const key = uri.toString();
    const existing = panels.get(key);
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
    const webviewPanel = vscode.window.createWebviewPanel('breakglass.runbook', `Runbook: ${basename(uri.fsPath)}`, { viewColumn: columnFor('runbook'), preserveFocus: false }, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, 'dist', 'media')],
    });
    const panel = new RunbookPanel(uri, webviewPanel, context.extensionUri, mode, doc.getText(), () => panels.delete(key));
    webviewPanel.title = `Runbook: ${panel.title}`;
    panels.set(key, panel);
    const resume = panel.offerResume(options.resume ?? 'ask');
    if (options.resume === 'always') await resume;
    return panel;
  };

  const reg = (id: string, fn: (...args: unknown[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, fn));

  reg('breakglass.openRunbook', async (arg?: unknown, options?: unknown) => {
    const uri = resolveUri(arg);
    if (!uri) {
      void vscode.window.showInformationMessage('Breakglass: open a runbook (markdown) first.');
      return undefined;
    }
    const panel = await openRunbook(uri, (options ?? {}) as OpenOptions);
    return panel ? panel.uri.toString() : undefined;
  });

  reg('breakglass.runAll', async (arg?: unknown) => {
    const uri = resolveUri(arg);
    if (!uri) return undefined;
    const panel = await openRunbook(uri, { resume: 'never' });
    return panel?.runAll();
  });

  reg('breakglass.runStep', async (arg?: unknown, stepId?: unknown) => {
    const uri = resolveUri(arg);
    if (!uri || typeof stepId !== 'string') return undefined;
    const panel = panels.get(uri.toString()) ?? (await openRunbook(uri, { resume: 'never' }));
    return panel?.currentSession.runStep(stepId);
  });

  reg('breakglass.enterRealMode', (args?: unknown) => mode.enterReal((args ?? undefined) as Parameters<ModeController['enterReal']>[0]));
  reg('breakglass.enterSimulatedMode', () => mode.enterSimulated());
  reg('breakglass.switchMode', async () => {
    const pick = await vscode.window.showQuickPick(
      [
        { label: '$(beaker) SIMULATED', description: 'steps act on the simulated cluster', id: 'sim' },
        { label: '$(warning) REAL…', description: 'choose a kube context; asks for confirmation', id: 'real' },
      ],
      { title: `Breakglass mode (now ${mode.current.mode === 'real' ? `REAL: ${mode.current.context}` : 'SIMULATED'})` },
    );
    if (pick?.id === 'sim') mode.enterSimulated();
    else if (pick?.id === 'real') await mode.enterReal();
  });

  reg('breakglass.exportReport', async (arg?: unknown) => {
    let journal: string | undefined;
    let dir: string | undefined;
    if (typeof arg === 'string' && arg.endsWith('.jsonl')) journal = arg;
    else {
      const uri = resolveUri(arg);
      const panel = uri ? panels.get(uri.toString()) : undefined;
      journal = panel?.currentSession.journalFile;
      dir = uri ? journalDirFor(uri) : undefined;
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
  });

  context.subscriptions.push({ dispose: () => [...panels.values()].forEach((p) => p.dispose()) });

  return {
    openRunbook,
    panelFor: (uri) => panels.get(uri.toString()),
    stepStates: (uri) => {
      const p = panels.get(uri.toString());
      return p ? Object.fromEntries(p.currentSession.states) : undefined;
    },
    mode: () => (mode.current.mode === 'real' ? `REAL: ${mode.current.context}` : 'SIMULATED'),
    tabletop: () => tabletops.tabletop,
    facilitator: () => tabletops.facilitatorStatus(),
    facilitatorIntent: async (msg) => {
      const m = parseTabletopToHost(msg);
      if (!m) return false;
      await tabletops.intent(m);
      return true;
    },
  };
}

/** Steps still running when VS Code shuts the extension down are killed with their process groups. */
export function deactivate(): void {
  killAllRunning();
}
