// The Runbook view: one webview per runbook file, driving one RunSession. The webview only draws
// and posts intents; every decision (trust, mode, confirmation) is taken here.
import * as vscode from 'vscode';
import { dirname, join, isAbsolute } from 'node:path';
import { parseRunbook, type ParseResult } from '../runbook/parse';
import { RunSession, namesMatch, type ActTarget, type Prompter, type StepRuntime } from '../runbook/session';
import { listJournals, readJournal, replay } from '../runbook/journal';
import { parseDuration } from '../common/duration';
import { targetLabel } from '../runbook/target';
import type { Param, Step } from '../runbook/model';
import { kindOfStep } from '../runbook/kinds';
import { runInVsCodeTerminal } from './terminal';
import type { PromptVariable } from '../runbook/prompts';
import { isOpenableLink } from '../runbook/links';
import { parseToHost, type StepView, type ToWebview } from './messages/runbook';
import type { ModeController } from './mode';
import { HEALTH_STYLES, HealthBinding, type HealthHub } from './healthPanel';
import { readinessBadges } from '../breakglass/readiness';
import { Masker, maskEnvSecrets } from '../common/mask';
import { preflightConfigFor, readinessState } from './readiness';
import { ClusterTableThrottle, clusterRows } from './clusterTable';
import { runbookPageHtml } from './runbookPage';
import { webviewPageContext } from './webview';

export interface OpenOptions {
  /** What to do with the runbook's last journal: ask (default), resume it, or start afresh. */
  resume?: 'ask' | 'always' | 'never';
}

function stepView(rt: StepRuntime): StepView {
  const end = rt.state === 'running' ? Date.now() : rt.finishedAt;
  return {
    state: rt.state,
    elapsedMs: rt.startedAt && end ? Math.max(0, end - rt.startedAt) : undefined,
    exitCode: rt.exitCode,
    reason: rt.reason,
  };
}

export function journalDirFor(uri: vscode.Uri): string {
  const setting = vscode.workspace.getConfiguration('breakglass', uri).get<string>('journalDirectory', '.breakglass/journal');
  if (isAbsolute(setting)) return setting;
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  return join(folder ? folder.uri.fsPath : dirname(uri.fsPath), setting);
}

const vscodePrompter: Prompter = {
  async confirm(step: Step, message: string) {
    const choice = await vscode.window.showWarningMessage(message, { modal: true, detail: kindOfStep(step).confirmShowsBody ? step.body.slice(0, 2000) : undefined }, 'Run');
    return choice === 'Run';
  },
  async confirmTargets(step: Step, targets: ActTarget[]) {
    const names = targets.map((t) => t.name);
    const want = names.join(', ');
    const same = (v: string): boolean => namesMatch(v, names);
    // What it acts on stays in view while the person types (a validation message replaces the prompt).
    const actsOn = `acts on ${targets.map((t) => `${t.name} (${t.where.join('; ')})`).join(', ')}`;
    const typed = await vscode.window.showInputBox({
      title: `${kindOfStep(step).realRunLabel} step '${step.id}' on REAL ${names.length === 1 ? `'${names[0]}'` : `clusters ${want}`}`,
      prompt: `It ${actsOn}. Type ${want} to run it.`,
      placeHolder: want,
      ignoreFocusOut: true,
      validateInput: (v) => (v === '' || same(v) ? undefined : `Type exactly ${want}: it ${actsOn}.`),
    });
    return typed !== undefined && same(typed);
  },
  async askParam(p: Param) {
    return vscode.window.showInputBox({ title: `Runbook parameter ${p.name}`, prompt: p.description, value: p.default, password: p.secret, ignoreFocusOut: true });
  },
  // Runme's question for an export nobody set (cmd/common.go resolveInputParams): a placeholder is
  // offered as the answer, a message shown as the hint, a secret typed unseen.
  async askVariable(step: Step, v: PromptVariable) {
    return vscode.window.showInputBox({
      title: `Set environment variable ${v.name} (step '${step.id}')`,
      prompt: v.status === 'message' ? v.original : undefined,
      placeHolder: v.status === 'message' ? v.original : v.status === 'secret' ? 'typed unseen, masked in outputs' : 'Enter a value',
      value: v.status === 'placeholder' ? (v.value ?? v.original) : undefined,
      password: v.status === 'secret',
      ignoreFocusOut: true,
    });
  },
};

export class RunbookPanel implements vscode.Disposable {
  private session: RunSession;
  private parsed: ParseResult;
  private readonly disposables: vscode.Disposable[] = [];
  private sessionSub?: { dispose(): void };
  private runAllActive = false;
  private rerender?: NodeJS.Timeout;
  private disposed = false;
  /** Messages are queued until the page says it is ready. */
  private ready = false;
  /** One per ```health fence: bound to its cluster's shared poller while the view is visible. */
  private health: HealthBinding[] = [];
  /** The tabletop told that this view's health panels are in view (told again after they left it). */
  private healthNotedFor?: object;

  /** In a tabletop, a runbook's health panels in view count as looking at the cluster (diagnosis). */
  private noteHealthInView(): void {
    const host = this.mode.simHost;
    if (!(this.ready && !this.disposed && this.panel.visible)) {
      this.healthNotedFor = undefined;
      return;
    }
    if (!host || !this.health.length || this.healthNotedFor === host) return;
    this.healthNotedFor = host;
    host.noteActivity?.('health-panel-opened', `${this.parsed.runbook.title}: ${this.health.length} health panel(s)`);
  }
  /** What the page last said it drew on each ```breakglass step card (readiness). */
  private shownReadiness: Record<string, string> = {};
  /** Per-cluster tables of break-glass steps run across clusters: at most one post per step every 200 ms. */
  private readonly clusterTables = new ClusterTableThrottle((stepId, clusters) => this.post({ type: 'clusters', stepId, clusters }));
  /** What the page last said it drew for each step's clusters table and retry button. */
  private shownClusters: Record<string, { rows: string[]; retry: string }> = {};
  /** Cluster summaries can quote configuration (endpoints, users): masked like step output. */
  private readonly masker = new Masker(maskEnvSecrets(process.env));

  constructor(
    readonly uri: vscode.Uri,
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly mode: ModeController,
    /** The window's health pollers, for the runbook's ```health fences. */
    private readonly hub: HealthHub,
    text: string,
    private readonly onDisposed: () => void,
  ) {
    this.parsed = parseRunbook(text, uri.fsPath);
    this.session = this.newSession();
    panel.webview.html = this.html();
    this.bindHealth();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => this.updateHealth()),
      panel.onDidDispose(() => this.dispose()),
      mode.onDidChange((t) => {
        this.session.setTarget(t);
        this.noteHealthInView();
        this.post({ type: 'mode', mode: { label: targetLabel(t), real: t.mode === 'real' }, trusted: vscode.workspace.isTrusted });
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.post({ type: 'mode', mode: this.modeView(), trusted: true })),
      readinessState.onDidChange(() => this.postReadiness()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document.uri.toString() === this.uri.toString()) this.scheduleRerender(e.document.getText());
      }),
    );
  }

  get title(): string {
    return this.parsed.runbook.title;
  }
  get currentSession(): RunSession {
    return this.session;
  }
  get webviewPanel(): vscode.WebviewPanel {
    return this.panel;
  }
  get isReady(): boolean {
    return this.ready;
  }
  /** The readiness text the page shows on each ```breakglass step card, as it reported it. */
  get readinessShown(): Readonly<Record<string, string>> {
    return this.shownReadiness;
  }
  /** The clusters table (one text per row) and retry button label of each step, as the page reported them. */
  get clustersShown(): Readonly<Record<string, { rows: string[]; retry: string }>> {
    return this.shownClusters;
  }

  /** "Retry failed (N)" on a break-glass step: N items failed in its last run (0 while it runs). */
  private postRetry(s: RunSession, stepId: string): void {
    const step = this.parsed.runbook.steps.find((x) => x.id === stepId);
    if (!step || !kindOfStep(step).retriesFailedItems) return;
    this.post({ type: 'retry', stepId, failed: s.isRunning(stepId) ? 0 : s.failedOf(stepId).length });
  }

  /** Sends the readiness badges of the ```breakglass steps (when the runbook has any). */
  private postReadiness(): void {
    const steps = readinessBadges(this.parsed.runbook.steps, readinessState.last);
    if (Object.keys(steps).length) this.post({ type: 'readiness', running: readinessState.running, steps });
  }

  /** (Re)creates the bindings of the ```health fences, inactive until the page is ready and visible. */
  private bindHealth(): void {
    for (const b of this.health) b.dispose();
    this.health = [];
    for (const step of this.parsed.runbook.steps) {
      if (!kindOfStep(step).livePanel) continue;
      const attr = (k: string) => (step.attrs[k] === undefined ? undefined : String(step.attrs[k]));
      this.health.push(new HealthBinding(this.hub, step.id, this.uri.fsPath, 'runbook', { context: attr('context'), cluster: attr('cluster') }, (m) => this.post(m)));
    }
  }

  /** Panels poll only while the view is visible: subscribe or unsubscribe them. */
  private updateHealth(): void {
    const on = this.ready && !this.disposed && this.panel.visible;
    this.noteHealthInView();
    for (const b of this.health) b.setActive(on);
  }

  private newSession(resumeFrom?: string): RunSession {
    this.sessionSub?.dispose();
    const s = new RunSession({
      runbookPath: this.uri.fsPath,
      runbook: this.parsed.runbook,
      journalDir: journalDirFor(this.uri),
      target: this.mode.current,
      prompter: vscodePrompter,
      via: 'vscode',
      terminal: runInVsCodeTerminal,
      isTrusted: () => vscode.workspace.isTrusted,
      defaultTimeoutMs: parseDuration(vscode.workspace.getConfiguration('breakglass', this.uri).get<string>('defaultStepTimeout', '10m')),
      resumeFrom,
      sim: () => this.mode.simHost,
      clustersConfig: this.clustersConfig(),
    });
    // Tables of an earlier session (a resumed run starts from its journal, which has none).
    this.clusterTables.dispose();
    this.clusterTables.latest.clear();
    this.sessionSub = s.onEvent((e) => {
      if (e.type === 'state') {
        // The step's final table before its final state.
        if (e.runtime.state !== 'running') this.clusterTables.flush(e.stepId);
        this.post({ type: 'state', stepId: e.stepId, view: stepView(e.runtime) });
        this.postRetry(s, e.stepId);
      } else if (e.type === 'clusters') this.clusterTables.update(e.stepId, clusterRows(e.clusters, (t) => this.masker.mask(t)));
      else if (e.type === 'output') this.post({ type: 'output', stepId: e.stepId, stream: e.stream, text: e.text });
      else if (e.type === 'notice') {
        this.post({ type: 'notice', level: e.level, message: e.message });
        const show = e.level === 'error' ? vscode.window.showErrorMessage : e.level === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
        void show(`Breakglass: ${e.message}`);
      }
    });
    return s;
  }

  /** Where a step with `clusters:` finds each cluster's paths: the same config as the readiness check. */
  private clustersConfig(): string | undefined {
    const folder = vscode.workspace.getWorkspaceFolder(this.uri);
    return folder ? preflightConfigFor(folder) : undefined;
  }

  /** Offers (or applies) the runbook's last journal. */
  async offerResume(mode: OpenOptions['resume'] = 'ask'): Promise<boolean> {
    if (mode === 'never') return false;
    const last = listJournals(journalDirFor(this.uri), this.uri.fsPath)[0];
    if (!last) return false;
    const r = replay(readJournal(last.file).events);
    const done = Object.values(r.steps).filter((s) => s.state !== 'pending').length;
    if (done === 0) return false;
    if (mode === 'ask') {
      const when = new Date(last.startedAt).toLocaleString();
      const pick = await vscode.window.showInformationMessage(
        `Breakglass: resume the run of '${this.title}' started ${when} (${done} step${done === 1 ? '' : 's'} recorded${r.finished ? '' : ', not finished'})?`,
        'Resume',
        'Start New',
      );
      if (pick !== 'Resume') return false;
    }
    if (this.disposed || this.session.isRunning()) return false;
    this.session.dispose();
    this.session = this.newSession(last.file);
    this.sendSnapshot();
    return true;
  }

  reveal(): void {
    this.panel.reveal(undefined, true);
  }

  private modeView(): { label: string; real: boolean } {
    const t = this.mode.current;
    return { label: targetLabel(t), real: t.mode === 'real' };
  }

  private post(msg: ToWebview): void {
    if (!this.ready || this.disposed) return;
    void this.panel.webview.postMessage(msg);
  }

  private sendSnapshot(): void {
    const steps: Record<string, StepView & { output: string }> = {};
    for (const [id, rt] of this.session.states) steps[id] = { ...stepView(rt), output: rt.output };
    this.post({ type: 'snapshot', mode: this.modeView(), trusted: vscode.workspace.isTrusted, runAll: this.runAllActive, journal: this.session.journalFile, steps });
    for (const [stepId, clusters] of this.clusterTables.latest) this.post({ type: 'clusters', stepId, clusters });
    for (const id of this.session.states.keys()) this.postRetry(this.session, id);
  }

  private scheduleRerender(text: string): void {
    if (this.rerender) clearTimeout(this.rerender);
    this.rerender = setTimeout(() => {
      this.parsed = parseRunbook(text, this.uri.fsPath);
      this.session.updateRunbook(this.parsed.runbook);
      this.panel.title = `Runbook: ${this.title}`;
      this.ready = false;
      this.panel.webview.html = this.html();
      this.bindHealth();
    }, 300);
  }

  async runAll(): Promise<string> {
    if (this.runAllActive) return 'running';
    this.runAllActive = true;
    this.post({ type: 'runAll', running: true });
    try {
      return await this.session.runAll();
    } finally {
      this.runAllActive = false;
      this.post({ type: 'runAll', running: false });
    }
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseToHost(raw);
    if (!msg) return; // not a message we accept: ignored
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.sendSnapshot();
        this.postReadiness();
        // A page that loaded again starts from nothing: its panels are bound afresh.
        for (const b of this.health) b.setActive(false);
        this.updateHealth();
        break;
      case 'run':
        await this.session.runStep(msg.stepId);
        break;
      case 'cancel':
        this.session.cancel(msg.stepId);
        break;
      case 'skip':
        this.session.skip(msg.stepId);
        break;
      case 'runAll':
        await this.runAll();
        break;
      case 'cancelAll':
        this.session.cancelAll();
        break;
      case 'reveal': {
        const editor = await vscode.window.showTextDocument(this.uri, { viewColumn: vscode.ViewColumn.One, preserveFocus: false });
        const pos = new vscode.Position(msg.line, 0);
        editor.selection = new vscode.Selection(pos, pos);
        editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenter);
        break;
      }
      case 'openLink':
        // Checked again here (parse*ToHost already did): only http(s), and as the URL parser reads it.
        if (isOpenableLink(msg.href)) await vscode.env.openExternal(vscode.Uri.parse(new URL(msg.href).href, true));
        break;
      case 'openSetting':
        await vscode.commands.executeCommand('workbench.action.openSettings', msg.setting);
        break;
      case 'checkReadiness':
        await vscode.commands.executeCommand('breakglass.checkReadiness');
        break;
      case 'readinessShown':
        this.shownReadiness = msg.steps;
        break;
      case 'retryFailed':
        await this.session.retryFailed(msg.stepId);
        break;
      case 'clustersShown':
        this.shownClusters = { ...this.shownClusters, [msg.stepId]: { rows: msg.rows, retry: msg.retry } };
        break;
    }
  }

  private html(): string {
    return runbookPageHtml({
      ...webviewPageContext(this.panel.webview, this.extensionUri),
      parsed: this.parsed,
      modeLabel: targetLabel(this.mode.current),
      styles: HEALTH_STYLES,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.rerender) clearTimeout(this.rerender);
    this.clusterTables.dispose();
    for (const b of this.health) b.dispose();
    this.health = [];
    this.session.dispose();
    this.sessionSub?.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDisposed();
  }
}
