// Tabletop exercises in VS Code: `Breakglass: Start Tabletop` serves a scenario's clusters on
// 127.0.0.1 (src/tabletop/tabletop.ts) and puts the workspace in SIMULATED mode on them, so the
// Runbook view's steps and participants' own terminals act on the simulation; the facilitator
// panel shows the clock, events, scores, hints and a live chart with a marker per step, and posts
// the facilitator's intents (clock, injections, hints), which are checked and carried out here.
// `End Tabletop` and `Export Tabletop Report` write the after-action report from the journal.
// The simulator is loaded by the commands that need it, never at activation.
import * as vscode from 'vscode';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { arrangeForTabletop, columnFor } from './layout';
import type { JournalEvent } from '../runbook/events';
import { journalTimestamp, readJournal } from '../runbook/journal';
import { escapeHtml } from '../runbook/render';
import type { Scenario } from '../sim/scenario';
import type { Tabletop, TabletopUpdate } from '../tabletop/tabletop';
import {
  parseTabletopToHost, TABLETOP_SPEEDS, validateTabletopToWebview, type TabletopDrawn, type TabletopEventView, type TabletopMarkerView, type TabletopScoresView,
  type TabletopStateView, type TabletopToHost, type TabletopToWebview,
} from './messages/tabletop';
import type { ModeController } from './mode';
import { copyShipped, resolveShipped } from './shipped';
import { clockLabel, eventView, fmtClock, injectionAction, markerView, readingView, scoresView, workloadsView } from './tabletopView';
import { injectableActions, INJECT_PARAMS, scenarioAction, type InjectParam, type ScenarioActionDef } from '../sim/actions';
import { webviewHtml, webviewPanelOptions } from './webview';
import { formatElapsed } from '../common/duration';

/** What `breakglass.startTabletop` accepts as its argument (tests, walkthroughs). */
export interface StartTabletopArgs {
  /** The scenario file (absolute, or relative to the workspace folder). */
  scenario: string;
  /** Simulated seconds per real second (default 1). */
  speed?: number;
  /** Start with the clock paused (the facilitator presses play). */
  paused?: boolean;
}

export interface TabletopStarted {
  scenario: string;
  file: string;
  journal: string;
  kubeconfig: string;
  clusters: string[];
  focus: string;
}

export interface TabletopReportFiles {
  report: string;
  chart: string;
  journal: string;
  /** The exercise had ended when the report was written (else: the scores so far). */
  final: boolean;
  scores?: TabletopScoresView;
}

/** What the extension's tests can ask about the facilitator panel. */
export interface FacilitatorStatus {
  open: boolean;
  ready: boolean;
  /** Messages posted to the page since it opened. */
  posted: number;
  /** The state the panel shows (as posted whole on its next load). */
  state?: TabletopStateView;
  /** What the page says it drew last. */
  drawn?: TabletopDrawn;
  /** The KUBECONFIG new terminals get (undefined when none). */
  terminalKubeconfig?: string;
}

/** Events kept for the panel (newest); the journal has all of them. */
const EVENTS_KEPT = 2000;
/** Readings sent whole: the most recent (one per 15 simulated seconds: 20 h). */
const READINGS_SENT = 4800;
const CLOCK_POST_MS = 250;
const SCORES_POST_MS = 1000;

interface Exercise {
  tt: Tabletop;
  scenario: Scenario;
  file: string;
  events: TabletopEventView[];
  markers: TabletopMarkerView[];
  ended: boolean;
  report?: string;
  chart?: string;
  /** The exercise's one report file: the first export names it, later exports and the end rewrite it. */
  reportFile?: string;
  off: () => void;
}

export class TabletopController implements vscode.Disposable {
  private current?: Exercise;
  private starting = false;
  private panel?: FacilitatorPanel;
  private status?: vscode.StatusBarItem;
  private diagnostics?: vscode.DiagnosticCollection;
  private clockTimer?: NodeJS.Timeout;
  private lastClockPost = 0;
  private scoresTimer?: NodeJS.Timeout;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly mode: ModeController,
    private readonly journalDirFor: (uri: vscode.Uri) => string,
  ) {}

  /** The running tabletop (undefined once it ended). */
  get tabletop(): Tabletop | undefined {
    return this.current && !this.current.ended ? this.current.tt : undefined;
  }

  facilitatorStatus(): FacilitatorStatus {
    const p = this.panel;
    return {
      open: !!p,
      ready: !!p?.ready,
      posted: p?.posted ?? 0,
      state: this.current ? this.state(this.current) : undefined,
      drawn: p?.drawn,
      terminalKubeconfig: this.context.environmentVariableCollection.get('KUBECONFIG')?.value,
    };
  }

  // ---- start ------------------------------------------------------------------------------------

  async start(arg: unknown): Promise<TabletopStarted | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showErrorMessage('Breakglass: a tabletop serves simulated clusters and runs steps against them: not in Restricted Mode. Trust this workspace to start one.');
      return undefined;
    }
    if (this.tabletop || this.starting) {
      const name = this.current?.scenario.name ?? 'another one';
      void vscode.window.showWarningMessage(`Breakglass: a tabletop (${name}) is already running: one at a time. End it first (Breakglass: End Tabletop).`, 'Show Facilitator Panel').then((c) => {
        if (c) this.showFacilitator();
      });
      return undefined;
    }
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showErrorMessage('Breakglass: open a folder first: a tabletop writes its journal and report into .breakglass/ of the workspace.');
      return undefined;
    }
    const args = parseStartArgs(arg);
    if (typeof args === 'string') {
      void vscode.window.showErrorMessage(`Breakglass: Start Tabletop: ${args}`);
      return undefined;
    }
    this.starting = true;
    try {
      const file = args.scenario ? (resolveShipped(args.scenario) ?? join(folder.uri.fsPath, args.scenario)) : await this.pickScenario(folder);
      if (!file) return undefined;
      const scenario = await this.loadScenario(file, folder);
      if (!scenario) return undefined;
      const { Tabletop } = await import('../tabletop/tabletop');
      const speed = args.speed ?? 1;
      const tt = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Breakglass: starting the tabletop ${scenario.name}…` }, () =>
        Tabletop.start(scenario, { speed, paused: args.paused, journalDir: this.journalDirFor(folder.uri), scenarioFile: file, via: 'vscode' }),
      );
      await arrangeForTabletop();
      this.begin(tt, scenario, file);
      const clusters = tt.clusters().map((c) => c.name);
      void vscode.window.showInformationMessage(
        `Breakglass: tabletop '${scenario.name}' started: ${tt.clusters().map((c) => `${c.name} (${c.nodes} nodes)`).join(', ')}; clock ×${speed}${args.paused ? ', paused' : ''}. ` +
          `SIMULATED mode on its clusters (context ${tt.focus()}); new terminals get KUBECONFIG for them.`,
      );
      return { scenario: scenario.name, file, journal: tt.journal.file, kubeconfig: tt.kubeconfig, clusters, focus: tt.focus() };
    } catch (e) {
      void vscode.window.showErrorMessage(`Breakglass: the tabletop did not start: ${(e as Error).message}`);
      return undefined;
    } finally {
      this.starting = false;
    }
  }

  private async pickScenario(folder: vscode.WorkspaceFolder): Promise<string | undefined> {
    let found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '{runbooks/scenarios,scenarios}/*.{yaml,yml}'), undefined, 200);
    if (!found.length && copyShipped(folder.uri.fsPath)) {
      void vscode.window.showInformationMessage('Breakglass copied its sample runbooks and scenarios into runbooks/ of this workspace.');
      found = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, 'runbooks/scenarios/*.{yaml,yml}'), undefined, 200);
    }
    found.sort((a, b) => a.fsPath.localeCompare(b.fsPath));
    type Item = vscode.QuickPickItem & { file?: string };
    const items: Item[] = found.map((u) => {
      let description = '';
      try {
        description = /^description:\s*(.+)$/m.exec(readFileSync(u.fsPath, 'utf8'))?.[1]?.replace(/^['"]|['"]$/g, '') ?? '';
      } catch {
        /* unreadable: shown without */
      }
      return { label: basename(u.fsPath).replace(/\.ya?ml$/, ''), description: relative(folder.uri.fsPath, u.fsPath), detail: description || undefined, file: u.fsPath };
    });
    items.push({ label: '$(folder-opened) Choose a scenario file…', description: 'a YAML scenario anywhere' });
    const pick = await vscode.window.showQuickPick(items, {
      title: 'Breakglass: start a tabletop',
      placeHolder: found.length ? 'The scenario to play (runbooks/scenarios/)' : 'No scenario in runbooks/scenarios/ of this workspace: choose a file',
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!pick) return undefined;
    if (pick.file) return pick.file;
    const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, defaultUri: folder.uri, filters: { 'Scenario (YAML)': ['yaml', 'yml'] }, title: 'Tabletop scenario' });
    return chosen?.[0]?.fsPath;
  }

  /** Reads and validates a scenario; its problems go to the Problems panel with their lines. */
  private async loadScenario(file: string, folder: vscode.WorkspaceFolder): Promise<Scenario | undefined> {
    const uri = vscode.Uri.file(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(`Breakglass: cannot read the scenario ${file}: ${(e as Error).message}`);
      return undefined;
    }
    const { parseScenario, ScenarioError } = await import('../sim/scenario');
    const shown = relative(folder.uri.fsPath, file).startsWith('..') ? file : relative(folder.uri.fsPath, file);
    this.diagnostics ??= vscode.languages.createDiagnosticCollection('breakglass-scenario');
    try {
      const scenario = parseScenario(text, shown);
      this.diagnostics.delete(uri);
      return scenario;
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      this.diagnostics.set(
        uri,
        e.problems.map((p) => {
          const line = Math.max(0, p.line - 1);
          const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, 1000), p.message, vscode.DiagnosticSeverity.Error);
          d.source = 'breakglass';
          d.code = 'scenario';
          return d;
        }),
      );
      const first = e.problems.slice(0, 3).map((p) => `line ${p.line}: ${p.message}`).join('; ');
      const more = e.problems.length > 3 ? ` (and ${e.problems.length - 3} more)` : '';
      void vscode.window.showErrorMessage(`Breakglass: ${shown} is not a valid scenario: ${first}${more}.`, 'Open Scenario', 'Show Problems').then(async (c) => {
        if (c === 'Open Scenario') await vscode.window.showTextDocument(uri, { selection: new vscode.Range(Math.max(0, e.problems[0].line - 1), 0, Math.max(0, e.problems[0].line - 1), 0) });
        else if (c === 'Show Problems') await vscode.commands.executeCommand('workbench.actions.view.problems');
      });
      return undefined;
    }
  }

  /** A started tabletop: the mode, terminals, status bar, the panel, and its updates. */
  private begin(tt: Tabletop, scenario: Scenario, file: string): void {
    const ex: Exercise = { tt, scenario, file, events: [], markers: [], ended: false, off: () => undefined };
    // What was recorded before anyone could listen (the scenario's T+0 events) is in the journal.
    for (const e of readJournal(tt.journal.file).events) this.take(ex, e, false);
    ex.off = tt.onUpdate((u) => this.onUpdate(ex, u));
    this.current = ex;

    this.mode.enterTabletop({ mode: 'sim', kubeconfig: tt.kubeconfig, context: tt.focus() }, tt);
    const env = this.context.environmentVariableCollection;
    env.persistent = false;
    env.description = new vscode.MarkdownString(`Breakglass tabletop **${escapeMd(scenario.name)}**: \`kubectl\` in new terminals acts on its simulated clusters (contexts ${tt.clusters().map((c) => `\`${c.name}\``).join(', ')}).`);
    env.replace('KUBECONFIG', tt.kubeconfig);

    this.status?.dispose();
    this.status = vscode.window.createStatusBarItem('breakglass.tabletop', vscode.StatusBarAlignment.Left, 999);
    this.status.name = 'Breakglass tabletop clock';
    this.status.command = 'breakglass.showFacilitator';
    this.renderStatus();
    this.status.show();

    if (this.panel) this.panel.postState(this.state(ex));
    this.showFacilitator();
  }

  // ---- updates from the tabletop ------------------------------------------------------------

  private onUpdate(ex: Exercise, u: TabletopUpdate): void {
    if (ex !== this.current) return;
    switch (u.type) {
      case 'clock':
        this.clockChanged();
        break;
      case 'reading':
        this.panel?.post({ type: 'ttReading', reading: readingView(u.reading) });
        this.scoresChanged();
        break;
      case 'event':
        this.take(ex, u.event, true);
        break;
      case 'finished':
        this.finish(ex);
        break;
    }
  }

  /** A journal event: events and markers for the panel, clock changes and activity to the page now. */
  private take(ex: Exercise, e: JournalEvent, live: boolean): void {
    if (e.type === 'sim-event') {
      const v = eventView(e);
      ex.events.push(v);
      if (ex.events.length > EVENTS_KEPT) ex.events.splice(0, ex.events.length - EVENTS_KEPT);
      if (live) this.panel?.post({ type: 'ttEvent', event: v });
    } else if (e.type === 'sim-step') {
      const m = markerView(e, ex.markers.length + 1);
      if (!m) return;
      ex.markers.push(m);
      if (live) {
        this.panel?.post({ type: 'ttMarker', marker: m });
        this.scoresChanged();
      }
    } else if (live && e.type === 'sim-clock') this.clockChanged(true);
    else if (live && e.type === 'sim-activity') this.scoresChanged();
  }

  private clockChanged(now = false): void {
    const wait = CLOCK_POST_MS - (Date.now() - this.lastClockPost);
    if (!now && wait > 0) {
      this.clockTimer ??= setTimeout(() => {
        this.clockTimer = undefined;
        this.postClock();
      }, wait);
      return;
    }
    if (this.clockTimer) clearTimeout(this.clockTimer);
    this.clockTimer = undefined;
    this.postClock();
  }

  private postClock(): void {
    const tt = this.tabletop;
    if (!tt) return;
    this.lastClockPost = Date.now();
    const s = tt.clock.state;
    this.panel?.post({ type: 'ttClock', clock: { t: s.t, speed: s.speed, paused: s.paused } });
    this.renderStatus();
  }

  private scoresChanged(): void {
    this.scoresTimer ??= setTimeout(() => {
      this.scoresTimer = undefined;
      const tt = this.tabletop;
      if (tt) this.panel?.post({ type: 'ttScores', scores: scoresView(tt.scores()), hints: tt.hints() });
    }, SCORES_POST_MS);
  }

  private renderStatus(): void {
    const tt = this.tabletop;
    if (!this.status || !tt) return;
    const s = tt.clock.state;
    this.status.text = `${s.paused ? '$(debug-pause)' : '$(watch)'} ${clockLabel(s)}`;
    this.status.tooltip = `Breakglass tabletop ${tt.scenario.name}: simulated time ${fmtClock(s.t)}${s.paused ? ' (paused)' : `, ${s.speed} simulated seconds per second`}. Click for the facilitator panel.`;
  }

  /** The exercise ended (however): back to the ordinary simulated target, terminals without it. */
  private finish(ex: Exercise): void {
    if (ex.ended) return;
    ex.ended = true;
    ex.off();
    if (this.clockTimer) clearTimeout(this.clockTimer);
    if (this.scoresTimer) clearTimeout(this.scoresTimer);
    this.clockTimer = this.scoresTimer = undefined;
    this.mode.leaveTabletop(ex.tt, ex.tt.scenario.name);
    if (this.context.environmentVariableCollection.get('KUBECONFIG')?.value === ex.tt.kubeconfig) this.context.environmentVariableCollection.delete('KUBECONFIG');
    this.status?.dispose();
    this.status = undefined;
  }

  // ---- end and report -----------------------------------------------------------------------

  async stop(): Promise<TabletopReportFiles | undefined> {
    const ex = this.current;
    if (!ex || ex.ended) {
      void vscode.window.showInformationMessage('Breakglass: no tabletop is running.');
      return undefined;
    }
    const scores = await ex.tt.stop();
    this.finish(ex);
    let files: TabletopReportFiles | undefined;
    try {
      files = await this.writeReport(ex);
    } catch (e) {
      void vscode.window.showErrorMessage(`Breakglass: the tabletop ended, but its report could not be written: ${(e as Error).message} (journal: ${ex.tt.journal.file})`);
    }
    const view = scoresView(scores);
    this.panel?.post(files ? { type: 'ttEnded', scores: view, report: files.report } : { type: 'ttEnded', scores: view });
    if (files) {
      // The report is what an ended exercise is for: it opens at once, in the runbook's column.
      await this.openReport(files.report);
      void vscode.window.showInformationMessage(`Breakglass: tabletop '${ex.scenario.name}' ended at ${fmtClock(ex.tt.now())}: ${summaryLine(view)}. Report: ${this.shown(files.report)}`);
    }
    return files && { ...files, scores: view };
  }

  /** `Export Tabletop Report`: the report of the running exercise (scores so far) or of the last one. */
  async exportReport(arg: unknown): Promise<TabletopReportFiles | undefined> {
    const ex = this.current;
    if (!ex) {
      void vscode.window.showInformationMessage('Breakglass: no tabletop yet: start one with Breakglass: Start Tabletop.');
      return undefined;
    }
    const open = !(typeof arg === 'object' && arg !== null && (arg as { open?: unknown }).open === false);
    const files = await this.writeReport(ex);
    if (open) await this.openReport(files.report);
    return files;
  }

  private async writeReport(ex: Exercise): Promise<TabletopReportFiles> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const dir = folder ? join(folder, '.breakglass', 'reports') : join(ex.tt.journal.file, '..', '..', 'reports');
    mkdirSync(dir, { recursive: true });
    let out = ex.reportFile;
    if (!out || !existsSync(dirname(out))) {
      const stem = `tabletop-${ex.scenario.name}-${journalTimestamp(new Date())}`;
      out = join(dir, `${stem}.md`);
      for (let i = 2; existsSync(out); i++) out = join(dir, `${stem}-${i}.md`);
      ex.reportFile = out;
    }
    const journal = ex.tt.journal.file;
    const { renderTabletopReport, writeTabletopReport } = await import('../tabletop/report');
    if (ex.ended) {
      const w = writeTabletopReport(journal, out);
      ex.report = w.report;
      ex.chart = w.chart;
      return { report: w.report, chart: w.chart, journal, final: true, scores: w.scores && scoresView(w.scores) };
    }
    // Still running: the journal so far, the latest reading, and the scores as of now.
    const tt = ex.tt;
    const simT = tt.now();
    const scores = tt.scores();
    const note = `Scores so far: the exercise is still running (this report was exported at ${fmtClock(simT)} of simulated time; the clock ${tt.clock.state.paused ? 'is paused' : `runs at ×${tt.clock.state.speed}`}).`;
    const chart = out.replace(/\.md$/, '.svg');
    const r = renderTabletopReport(readJournal(journal).events, { chartFile: chart, journalFile: journal, soFar: { simT, scores, note, reading: tt.readings[tt.readings.length - 1] } });
    writeFileSync(chart, r.svg);
    writeFileSync(out, r.markdown);
    return { report: out, chart, journal, final: false, scores: scoresView(scores) };
  }

  private async openReport(file: string): Promise<void> {
    const uri = vscode.Uri.file(file);
    try {
      // The markdown preview as an editor, in the report's column of the tabletop layout.
      await vscode.commands.executeCommand('vscode.openWith', uri, 'vscode.markdown.preview.editor', columnFor('report'));
    } catch {
      await vscode.window.showTextDocument(uri, { preview: false });
    }
  }

  private shown(file: string): string {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const rel = folder ? relative(folder, file) : file;
    return rel.startsWith('..') ? file : rel;
  }

  // ---- the facilitator panel ----------------------------------------------------------------

  showFacilitator(): string | undefined {
    const ex = this.current;
    if (!ex) {
      void vscode.window.showInformationMessage('Breakglass: no tabletop yet: start one with Breakglass: Start Tabletop.');
      return undefined;
    }
    if (this.panel) {
      this.panel.reveal();
      return 'revealed';
    }
    const webviewPanel = vscode.window.createWebviewPanel('breakglass.tabletop', `Facilitator: ${ex.scenario.name}`, { viewColumn: columnFor('facilitator'), preserveFocus: false }, webviewPanelOptions(this.context.extensionUri));
    this.panel = new FacilitatorPanel(webviewPanel, this.context.extensionUri, (m) => this.intent(m), () => this.current && this.state(this.current), () => (this.panel = undefined));
    if (!ex.ended) ex.tt.noteActivity('facilitator-panel-opened', 'Breakglass: Show Facilitator Panel', false);
    return 'opened';
  }

  private state(ex: Exercise): TabletopStateView {
    const tt = ex.tt;
    const s = tt.clock.state;
    const state: TabletopStateView = {
      scenario: ex.scenario.name,
      description: ex.scenario.description,
      clusters: tt.clusters().map((c) => ({ name: c.name, nodes: c.nodes })),
      focus: tt.focus(),
      durationSeconds: ex.scenario.durationSeconds,
      recoveredErrorRatio: ex.scenario.recoveredErrorRatio,
      running: !ex.ended,
      workloads: workloadsView(tt.workloads()),
      clock: { t: tt.now(), speed: s.speed, paused: ex.ended || s.paused },
      readings: tt.readings.slice(-READINGS_SENT).map(readingView),
      events: ex.events.slice(),
      markers: ex.markers.slice(),
      hints: tt.hints(),
      scores: scoresView(tt.scores()),
    };
    if (!ex.ended) state.kubeconfig = tt.kubeconfig;
    if (ex.report) state.report = ex.report;
    return state;
  }

  /** An intent from the page (already validated), or from the tests through the same path. */
  async intent(m: TabletopToHost): Promise<void> {
    const ex = this.current;
    switch (m.type) {
      case 'ready':
      case 'ttDrawn':
        return; // the panel handles these itself
      case 'ttEnd': {
        if (!this.tabletop) return;
        const ok = await vscode.window.showWarningMessage('End the tabletop?', { modal: true, detail: 'The clusters stop, participants’ kubectl loses them, and the after-action report is written.' }, 'End Tabletop');
        if (ok === 'End Tabletop') await vscode.commands.executeCommand('breakglass.stopTabletop');
        return;
      }
      case 'ttExport':
        await vscode.commands.executeCommand('breakglass.exportTabletopReport');
        return;
      case 'ttOpenReport':
        if (ex?.report) await this.openReport(ex.report);
        return;
    }
    const tt = this.tabletop;
    if (!tt || !ex) {
      this.notice('warning', 'The exercise has ended: start a new one with Breakglass: Start Tabletop.');
      return;
    }
    switch (m.type) {
      case 'ttPlay':
        tt.resume();
        break;
      case 'ttPause':
        tt.pause();
        break;
      case 'ttSpeed':
        tt.setSpeed(m.speed);
        break;
      case 'ttRevealHint': {
        const h = tt.revealHint();
        if (!h) {
          const { total, revealed } = tt.hints();
          this.notice('info', total === 0 ? 'This scenario has no hints.' : revealed.length >= total ? 'Every hint is revealed.' : `The next hint comes after ${fmtClock(tt.scenario.hints[revealed.length].after)}.`);
        }
        this.panel?.post({ type: 'ttScores', scores: scoresView(tt.scores()), hints: tt.hints() });
        break;
      }
      case 'ttInject': {
        const names = tt.clusters().map((c) => c.name);
        if (m.cluster !== '*' && !names.includes(m.cluster)) {
          this.notice('error', `No cluster '${m.cluster}' in this tabletop (clusters: ${names.join(', ')}).`);
          return;
        }
        const workloads = tt.workloads();
        const where = m.cluster === '*' ? [] : [m.cluster];
        // The message check let through only panel actions of the registry.
        const def = scenarioAction(m.action)!;
        const title = def.title;
        const what = `${title[0].toLowerCase()}${title.slice(1)}${(def.inject?.params ?? []).map((p) => INJECT_PARAMS[p].describe(m)).join('')} on ${m.cluster === '*' ? 'every cluster' : m.cluster}`;
        const before = ex.events.length;
        try {
          tt.inject(injectionAction(m, workloads), where);
        } catch (e) {
          this.notice('error', `${title}: ${(e as Error).message}`);
          return;
        }
        if (ex.events.length === before) {
          // The model had nothing to change (e.g. every replica is down already): still on record.
          tt.noteActivity('injection-without-effect', what, false);
          this.notice('warning', `Injected at ${fmtClock(tt.now())}: ${what}: it changed nothing in the model (already so?).`);
        } else this.notice('info', `Injected at ${fmtClock(tt.now())}: ${what}.`);
        this.scoresChanged();
        break;
      }
    }
    this.clockChanged(true);
  }

  private notice(level: 'info' | 'warning' | 'error', message: string): void {
    this.panel?.post({ type: 'ttNotice', level, message });
  }

  dispose(): void {
    this.panel?.dispose();
    const ex = this.current;
    if (ex && !ex.ended) {
      void ex.tt.stop().catch(() => undefined);
      this.finish(ex);
    }
    this.status?.dispose();
    this.diagnostics?.dispose();
  }
}

/** `{scenario, speed?, paused?}`, checked; a string says what is wrong. No argument: ask. */
export function parseStartArgs(arg: unknown): Partial<StartTabletopArgs> | string {
  if (arg === undefined || arg === null) return {};
  if (arg instanceof vscode.Uri) return { scenario: arg.fsPath };
  if (typeof arg === 'string') return { scenario: arg };
  if (typeof arg !== 'object' || Array.isArray(arg)) return 'the argument is {scenario, speed?, paused?}';
  const a = arg as Record<string, unknown>;
  const out: Partial<StartTabletopArgs> = {};
  if (a.scenario !== undefined) {
    if (typeof a.scenario !== 'string' || a.scenario === '') return 'scenario must be a file path';
    out.scenario = a.scenario;
  }
  if (a.speed !== undefined) {
    if (typeof a.speed !== 'number' || !(a.speed > 0) || a.speed > 10_000) return 'speed must be a number from 0 (exclusive) to 10000';
    out.speed = a.speed;
  }
  if (a.paused !== undefined) {
    if (typeof a.paused !== 'boolean') return 'paused must be true or false';
    out.paused = a.paused;
  }
  return out;
}

function summaryLine(s: TabletopScoresView): string {
  if (s.impactAt === undefined) return 'no impact';
  return `detected after ${formatElapsed(s.timeToDetect)}, mitigated after ${formatElapsed(s.timeToMitigate)}, ${s.recovered ? `recovered after ${formatElapsed(s.timeToRecover)}` : 'not recovered'} (seed incident: ${formatElapsed(s.referenceSeconds)})`;
}

function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/** The webview of the facilitator panel: draws what it is sent, posts intents. */
class FacilitatorPanel implements vscode.Disposable {
  ready = false;
  posted = 0;
  drawn?: TabletopDrawn;
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly onIntent: (m: TabletopToHost) => Promise<void>,
    private readonly currentState: () => TabletopStateView | undefined,
    private readonly onDisposed: () => void,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.onMessage(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  private async onMessage(raw: unknown): Promise<void> {
    const m = parseTabletopToHost(raw);
    if (!m) return;
    if (m.type === 'ready') {
      // A page that loads again starts from nothing: the whole state.
      this.ready = true;
      const s = this.currentState();
      if (s) this.postState(s);
      return;
    }
    if (m.type === 'ttDrawn') {
      this.drawn = m.drawn;
      return;
    }
    try {
      await this.onIntent(m);
    } catch (e) {
      this.post({ type: 'ttNotice', level: 'error', message: (e as Error).message });
    }
  }

  postState(state: TabletopStateView): void {
    this.panel.title = `Facilitator: ${state.scenario}`;
    // The page drops a message its check refuses, and would then stay empty: say why instead.
    const checked = validateTabletopToWebview({ type: 'ttState', state });
    if (!checked.ok) {
      console.error(`Breakglass: the facilitator's state fails the page's check: ${checked.error}`);
      this.post({ type: 'ttNotice', level: 'error', message: `Breakglass could not draw this exercise: ${checked.error}`.slice(0, 4000) });
      return;
    }
    this.post({ type: 'ttState', state });
  }

  post(m: TabletopToWebview): void {
    if (!this.ready || this.disposed) return;
    this.posted++;
    void this.panel.webview.postMessage(m);
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private html(): string {
    const speeds = TABLETOP_SPEEDS.map((s) => `<button type="button" class="bg-btn tt-speed" data-speed="${s}" aria-pressed="false">${s}×</button>`).join('');
    const inject = injectRows(injectableActions('panel'));
    const body = `<header class="tt-head">
  <h1><span class="codicon codicon-organization"></span> <span id="tt-title">Tabletop</span></h1>
  <p id="tt-desc" class="tt-muted"></p>
</header>
<section class="tt-bar" aria-label="Simulation clock">
  <span class="tt-clock" id="tt-clock" aria-live="off">T+0m00s</span>
  <span class="tt-muted" id="tt-clock-note">simulated</span>
  <button type="button" class="bg-btn bg-primary" id="tt-play" data-action="play"><span class="codicon codicon-debug-pause"></span> <span>Pause</span></button>
  <span class="tt-speeds" role="group" aria-label="Clock speed">${speeds}</span>
  <span class="tt-spacer"></span>
  <button type="button" class="bg-btn" data-action="export"><span class="codicon codicon-output"></span> Export Report</button>
  <button type="button" class="bg-btn" data-action="end"><span class="codicon codicon-debug-stop"></span> End Tabletop</button>
</section>
<p id="tt-pace" class="tt-muted tt-pace"></p>
<div id="tt-banner" class="tt-banner" role="status" hidden></div>
<p id="tt-kube" class="tt-muted tt-kube"></p>
<div class="tt-grid">
  <section class="tt-card tt-chart-card" aria-label="Live chart">
    <h2>Cluster <select id="tt-cluster" aria-label="Cluster shown in the chart"></select> <span id="tt-now" class="tt-muted tt-now"></span></h2>
    <div id="tt-chart" class="tt-chart"></div>
    <p class="tt-muted tt-legend-note">Orange: API-server load (seats in use / limit, up to 150 %). Blue: DNS success. Red: user-visible errors. Verticals: steps participants ran (green succeeded, red failed; numbered), purple dashed: injected events.</p>
    <ol id="tt-steps" class="tt-steps"></ol>
  </section>
  <section class="tt-card" aria-label="Scores">
    <h2>Scores <span id="tt-scores-when" class="tt-muted tt-small">so far</span></h2>
    <table id="tt-scores" class="tt-table"></table>
  </section>
  <section class="tt-card" aria-label="Inject">
    <h2>Inject</h2>
    <p><label>on <select id="tt-inject-cluster" aria-label="Cluster to inject into"></select></label></p>
${inject}
  </section>
  <section class="tt-card" aria-label="Hints">
    <h2>Hints <span id="tt-hint-count" class="tt-muted tt-small"></span></h2>
    <button type="button" class="bg-btn" data-action="hint"><span class="codicon codicon-lightbulb"></span> Reveal Next Hint</button>
    <ol id="tt-hints" class="tt-hints"></ol>
  </section>
  <section class="tt-card tt-events-card" aria-label="Events">
    <h2>Events <span class="tt-muted tt-small">newest first</span></h2>
    <ol id="tt-events" class="tt-events"></ol>
  </section>
</div>`;
    return webviewHtml(this.panel.webview, this.extensionUri, {
      title: 'Facilitator',
      styles: ['codicon.css', 'uPlot.min.css', 'tabletop.css'],
      script: 'tabletop.js',
      bodyAttributes: { 'data-page': 'tabletop' },
      body,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDisposed();
  }
}

/** The input of the Inject card for each kind of value an injection takes (read by media/tabletop.ts). */
const INJECT_INPUTS: Record<InjectParam, string> = {
  replicas: '<label>to <input id="tt-replicas" type="number" min="1" max="50" value="3" aria-label="API-server replicas"></label>',
  client: '<label>client <input id="tt-client" type="text" list="tt-workloads" placeholder="namespace/name" aria-label="Client (namespace/name)"></label><datalist id="tt-workloads"></datalist>',
  workload: '<label><select id="tt-deploy" aria-label="Workload to deploy"></select></label>',
  latency: '<label>to <input id="tt-etcd-latency" type="text" size="7" value="200ms" aria-label="etcd request latency"></label>',
  duration: '<label>for <input id="tt-etcd-for" type="text" size="7" placeholder="the rest" aria-label="How long etcd stays slow (empty: the rest of the exercise)"></label>',
};

/**
 * The Inject card's rows, from the scenario-action registry in its order: the buttons of one
 * panel row, then the inputs their parameters need. A button names its action and parameters.
 */
function injectRows(actions: readonly ScenarioActionDef[]): string {
  const rows = new Map<string, ScenarioActionDef[]>();
  for (const a of actions) {
    const row = a.inject?.panelRow ?? a.name;
    rows.set(row, [...(rows.get(row) ?? []), a]);
  }
  return [...rows.values()]
    .map((list) => {
      const buttons = list.map((a) => {
        const params = a.inject?.params ?? [];
        return `<button type="button" class="bg-btn tt-inject" data-inject="${escapeHtml(a.name)}"${params.length ? ` data-params="${params.join(' ')}"` : ''}>${escapeHtml(a.title)}</button>`;
      });
      const inputs = [...new Set(list.flatMap((a) => a.inject?.params ?? []))].map((p) => INJECT_INPUTS[p]);
      return `    <div class="tt-inject-row">${buttons.join('')}${inputs.length ? ` ${inputs.join(' ')}` : ''}</div>`;
    })
    .join('\n');
}

/**
 * Registers the tabletop commands: Start Tabletop, End Tabletop, Export Tabletop Report, Show
 * Facilitator Panel. Add the result to the context's subscriptions.
 */
export function registerTabletop(context: vscode.ExtensionContext, mode: ModeController, journalDirFor: (uri: vscode.Uri) => string): TabletopController {
  const c = new TabletopController(context, mode, journalDirFor);
  context.subscriptions.push(
    vscode.commands.registerCommand('breakglass.startTabletop', (arg?: unknown) => c.start(arg)),
    vscode.commands.registerCommand('breakglass.stopTabletop', () => c.stop()),
    vscode.commands.registerCommand('breakglass.exportTabletopReport', (arg?: unknown) => c.exportReport(arg)),
    vscode.commands.registerCommand('breakglass.showFacilitator', () => c.showFacilitator()),
  );
  return c;
}
