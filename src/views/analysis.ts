// The manifest load analysis in the editor: for YAML files with Kubernetes workloads, findings in
// the Problems panel, a CodeLens with each workload's estimated API-server load at every cluster
// profile, a hover with the breakdown per call, and quick fixes that make the YAML cheaper.
//
// Activation stays light: the analyzer, the cost model and the YAML parser are loaded with a
// dynamic import on the first analysis (in dist/ the lazy module dist/analysis.js, see LAZY in
// esbuild.config.mjs: not even read before). Re-analysis on edit is debounced per
// document and incremental (the analyzer re-parses only the YAML documents whose text changed).
// Nothing here throws into the extension host: a failed analysis becomes one diagnostic at line 1.
import * as vscode from 'vscode';
import type { ModeController } from './mode';
import type { AnalysisResult } from '../analysis';
import type { ClusterProfile } from '../cost/model';

/** The analyzer, its rules, explanations and fix planners (src/analysis): no `vscode` there. */
type Engine = typeof import('../analysis');

const SOURCE = 'breakglass';
const COLLECTION = 'breakglass-manifests';
const DEBOUNCE_MS = 200;
/** Read-only documents that explain a rule (the target of a diagnostic's code). */
const RULE_SCHEME = 'breakglass-rule';
const SETTING = 'clusterProfiles';
const SELECTOR: vscode.DocumentSelector = [{ language: 'yaml' }, { pattern: '**/*.{yaml,yml}' }];
const SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata']);
/** Above this analysis time (ms), quick fixes are checked for valid YAML but not re-analysed. */
const VERIFY_BUDGET_MS = 60;
const MAX_PROFILES = 10;

let enginePromise: Promise<Engine> | undefined;

function loadEngine(): Promise<Engine> {
  enginePromise ??= import('../analysis').then(
    (analysis) => analysis,
    (e: unknown) => {
      enginePromise = undefined;
      throw e;
    },
  );
  return enginePromise;
}

// ---- settings -----------------------------------------------------------------------------------

export interface ProfilesSetting {
  /** undefined: the analyzer's defaults. */
  profiles?: ClusterProfile[];
  /** Why the setting was not used (one sentence), when it was not. */
  problem?: string;
}

const PROFILE_KEYS = new Set(['name', 'nodes', 'podsPerNode']);

/** Validates `breakglass.clusterProfiles`. Never throws; a bad value means the defaults and a reason. */
export function validateProfiles(raw: unknown): ProfilesSetting {
  if (raw === undefined || raw === null) return {};
  if (!Array.isArray(raw)) return { problem: `must be a list of {name, nodes, podsPerNode}, not ${describeValue(raw)}` };
  if (raw.length === 0) return {};
  if (raw.length > MAX_PROFILES) return { problem: `has ${raw.length} entries; at most ${MAX_PROFILES} are shown` };
  const out: ClusterProfile[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const e: unknown = raw[i];
    const at = `entry ${i + 1}`;
    if (!e || typeof e !== 'object' || Array.isArray(e)) return { problem: `${at} must be an object {name, nodes, podsPerNode}, not ${describeValue(e)}` };
    const o = e as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => !PROFILE_KEYS.has(k));
    if (unknown.length) return { problem: `${at} has unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')} (known: name, nodes, podsPerNode)` };
    const name = typeof o.name === 'string' ? o.name.trim() : '';
    if (!name || name.length > 64 || /[\r\n]/.test(name)) return { problem: `${at}: name must be a non-empty text of at most 64 characters` };
    if (seen.has(name)) return { problem: `${at}: the name "${name}" is used twice` };
    seen.add(name);
    const nodes = o.nodes;
    if (typeof nodes !== 'number' || !Number.isInteger(nodes) || nodes < 1 || nodes > 1_000_000) return { problem: `${at} (${name}): nodes must be a whole number from 1 to 1,000,000, not ${describeValue(nodes)}` };
    const ppn = o.podsPerNode === undefined ? 30 : o.podsPerNode;
    if (typeof ppn !== 'number' || !Number.isInteger(ppn) || ppn < 1 || ppn > 1000) return { problem: `${at} (${name}): podsPerNode must be a whole number from 1 to 1,000, not ${describeValue(ppn)}` };
    out.push({ name, nodes, podsPerNode: ppn });
  }
  return { profiles: out };
}

function describeValue(v: unknown): string {
  if (v === undefined) return 'missing';
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

const looksLikeKubernetes = (text: string) => /^[ \t]*(?:-[ \t]+)?apiVersion[ \t]*:/m.test(text) && /^[ \t]*(?:-[ \t]+)?kind[ \t]*:/m.test(text);

function isCandidate(doc: vscode.TextDocument): boolean {
  if (!SCHEMES.has(doc.uri.scheme)) return false;
  return doc.languageId === 'yaml' || /\.ya?ml$/i.test(doc.uri.path);
}

// ---- the controller -----------------------------------------------------------------------------

interface Analysed {
  uri: string;
  version: number;
  path: string;
  text: string;
  profiles: ClusterProfile[];
  /** undefined: not a Kubernetes file (or the analysis failed). */
  result?: AnalysisResult;
  error?: string;
  /** Time of the analysis itself, in milliseconds. */
  ms: number;
}

interface DocState {
  version: number;
  gen: number;
  promise: Promise<Analysed>;
}

const SEVERITY: Record<string, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

class ManifestAnalysis implements vscode.Disposable, vscode.CodeLensProvider, vscode.HoverProvider, vscode.CodeActionProvider, vscode.TextDocumentContentProvider {
  private readonly collection = vscode.languages.createDiagnosticCollection(COLLECTION);
  private readonly states = new Map<string, DocState>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly lensChanged = new vscode.EventEmitter<void>();
  private readonly disposables: vscode.Disposable[] = [];
  private gen = 0;
  private setting: ProfilesSetting = {};
  private settingKey = '';
  private warned?: string;
  private disposed = false;
  /** The connected cluster's size, as one more profile (read once per target, cheaply). */
  private live?: ClusterProfile;
  private liveRequested = false;
  liveProvider?: () => Promise<ClusterProfile | undefined>;
  /** A running tabletop's clusters: while there are any, they are the profiles (names and sizes agree with the exercise). */
  scenarioProfiles?: () => ClusterProfile[] | undefined;
  private scenarioKey = '';
  readonly onDidChangeCodeLenses = this.lensChanged.event;

  constructor() {
    this.readSetting();
    this.disposables.push(
      this.collection,
      this.lensChanged,
      vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d, 0)),
      vscode.workspace.onDidChangeTextDocument((ev) => {
        if (ev.contentChanges.length) this.schedule(ev.document, DEBOUNCE_MS);
      }),
      vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)),
      vscode.workspace.onDidChangeConfiguration((ev) => {
        if (!ev.affectsConfiguration(`breakglass.${SETTING}`)) return;
        this.readSetting();
        this.gen++;
        for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
        this.lensChanged.fire();
      }),
      vscode.languages.registerCodeLensProvider(SELECTOR, this),
      vscode.languages.registerHoverProvider(SELECTOR, this),
      vscode.languages.registerCodeActionsProvider(SELECTOR, this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.registerTextDocumentContentProvider(RULE_SCHEME, this),
      vscode.commands.registerCommand('breakglass.analyzeManifest', (arg?: unknown) => this.analyzeCommand(arg)),
      vscode.commands.registerCommand('breakglass.showLoadBreakdown', (uri?: unknown, line?: unknown) => this.showBreakdown(uri, line)),
    );
    // Documents already open: analysed after activation has returned.
    for (const d of vscode.workspace.textDocuments) this.schedule(d, DEBOUNCE_MS);
  }

  private readSetting(): void {
    let raw: unknown;
    try {
      raw = vscode.workspace.getConfiguration('breakglass').get<unknown>(SETTING);
    } catch {
      raw = undefined;
    }
    this.setting = validateProfiles(raw);
    this.settingKey = JSON.stringify(raw ?? null) ?? '';
    if (!this.setting.problem) this.warned = undefined;
  }

  /** One warning per distinct bad value of the setting, when it is first needed. */
  private warnOnce(): void {
    if (!this.setting.problem || this.warned === this.settingKey) return;
    this.warned = this.settingKey;
    void vscode.window.showWarningMessage(`Breakglass: the setting breakglass.${SETTING} ${this.setting.problem}. Using the default profiles (staging: 20 nodes, prod-large: 5,000 nodes).`);
  }

  private schedule(doc: vscode.TextDocument, delay: number): void {
    if (this.disposed || !isCandidate(doc)) return;
    const key = doc.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        void this.refresh(doc);
      }, delay),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.states.delete(key);
    this.collection.delete(uri);
  }

  /** Analyses (if needed) and publishes the diagnostics of a document. */
  private async refresh(doc: vscode.TextDocument): Promise<void> {
    try {
      if (doc.isClosed) return;
      const a = await this.ensure(doc);
      if (this.disposed || doc.isClosed || a.version !== doc.version) return;
      this.collection.set(doc.uri, this.diagnostics(doc, a));
      this.lensChanged.fire();
    } catch (e) {
      // ensure() does not reject; this is the last line of defence.
      console.error('[breakglass] manifest analysis:', e);
    }
  }

  /** The analysis of the document's current version (shared by diagnostics, lenses, hovers and fixes). */
  ensure(doc: vscode.TextDocument): Promise<Analysed> {
    const key = doc.uri.toString();
    const s = this.states.get(key);
    if (s && s.version === doc.version && s.gen === this.gen) return s.promise;
    const version = doc.version;
    const text = doc.getText();
    const path = doc.uri.scheme === 'file' ? doc.uri.fsPath : doc.uri.toString();
    const promise = this.run(key, version, path, text);
    this.states.set(key, { version, gen: this.gen, promise });
    return promise;
  }

  /** The target changed (or was first needed): read its live size in the background. */
  refreshLive(): void {
    const key = JSON.stringify(this.scenarioProfiles?.() ?? []);
    if (key !== this.scenarioKey) {
      // A tabletop started or ended: every open manifest is priced again at its clusters.
      this.scenarioKey = key;
      this.gen++;
      for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
      this.lensChanged.fire();
    }
    this.liveRequested = true;
    const provider = this.liveProvider;
    if (!provider) return;
    void provider().then(
      (p) => this.setLive(p),
      () => this.setLive(undefined),
    );
  }

  private setLive(p: ClusterProfile | undefined): void {
    if (this.disposed || JSON.stringify(p) === JSON.stringify(this.live)) return;
    this.live = p;
    this.gen++;
    for (const d of vscode.workspace.textDocuments) this.schedule(d, 0);
    this.lensChanged.fire();
  }

  private async run(uri: string, version: number, path: string, text: string): Promise<Analysed> {
    const out: Analysed = { uri, version, path, text, profiles: this.setting.profiles ?? [], ms: 0 };
    if (!looksLikeKubernetes(text)) return out;
    this.warnOnce();
    if (!this.liveRequested) this.refreshLive();
    try {
      const e = await loadEngine();
      const scenario = this.scenarioProfiles?.();
      const configured = scenario?.length ? scenario : (this.setting.profiles ?? e.DEFAULT_PROFILES);
      const profiles = !scenario?.length && this.live && !configured.some((p) => p.name === this.live!.name) ? [...configured, this.live] : configured;
      out.profiles = profiles;
      const t0 = performance.now();
      out.result = e.analyzeDocument(path, text, profiles);
      out.ms = performance.now() - t0;
    } catch (err) {
      out.result = undefined;
      out.error = err instanceof Error ? err.message || err.name : String(err);
    }
    return out;
  }

  private diagnostics(doc: vscode.TextDocument, a: Analysed): vscode.Diagnostic[] {
    const lineRange = (line1: number) => {
      const l = Math.min(Math.max(line1 - 1, 0), Math.max(doc.lineCount - 1, 0));
      const t = doc.lineAt(l);
      return t.isEmptyOrWhitespace ? t.range : new vscode.Range(l, t.firstNonWhitespaceCharacterIndex, l, t.range.end.character);
    };
    if (a.error !== undefined) {
      const d = new vscode.Diagnostic(lineRange(1), `Breakglass could not analyse this file: ${a.error}`, vscode.DiagnosticSeverity.Warning);
      d.source = SOURCE;
      d.code = 'analysis-failed';
      return [d];
    }
    const r = a.result;
    if (!r) return [];
    const out: vscode.Diagnostic[] = [];
    for (const f of r.findings) {
      if (f.file !== a.path) continue;
      const d = new vscode.Diagnostic(lineRange(f.line), f.message, SEVERITY[f.severity] ?? vscode.DiagnosticSeverity.Information);
      d.source = SOURCE;
      d.code = { value: f.rule, target: vscode.Uri.from({ scheme: RULE_SCHEME, path: `/${f.rule}.md` }) };
      const related = f.evidence.filter((ev) => ev.file === a.path && ev.line !== f.line).slice(0, 5);
      if (related.length) d.relatedInformation = related.map((ev) => new vscode.DiagnosticRelatedInformation(new vscode.Location(doc.uri, lineRange(ev.line)), ev.detail));
      out.push(d);
    }
    for (const n of r.notes) {
      if (n.file !== a.path || n.severity === 'info') continue;
      const d = new vscode.Diagnostic(lineRange(n.line), n.message, SEVERITY[n.severity]);
      d.source = SOURCE;
      d.code = n.code;
      out.push(d);
    }
    return out;
  }

  // -- CodeLens ----------------------------------------------------------------------------------

  async provideCodeLenses(doc: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    try {
      if (!isCandidate(doc)) return [];
      const a = await this.ensure(doc);
      if (!a.result?.workloads.length) return [];
      const e = await loadEngine();
      return a.result.workloads
        .filter((w) => w.file === a.path && w.line >= 1 && w.line <= doc.lineCount)
        .map((w) => {
          const line = w.line - 1;
          return new vscode.CodeLens(new vscode.Range(line, 0, line, 0), {
            title: e.lensTitle(w),
            tooltip: 'Estimated API-server load of this workload at each cluster profile (breakglass.clusterProfiles). Click for the breakdown.',
            command: 'breakglass.showLoadBreakdown',
            arguments: [doc.uri, line],
          });
        });
    } catch (err) {
      console.error('[breakglass] CodeLens:', err);
      return [];
    }
  }

  // -- hover ----------------------------------------------------------------------------------------

  async provideHover(doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.Hover | undefined> {
    try {
      if (!isCandidate(doc)) return undefined;
      const a = await this.ensure(doc);
      if (!a.result?.workloads.length) return undefined;
      const e = await loadEngine();
      const w = e.workloadAt(a.text, a.path, a.result.workloads, pos.line);
      if (!w) return undefined;
      const m = new vscode.MarkdownString(e.hoverMarkdown(w, a.profiles), false);
      m.isTrusted = false;
      m.supportHtml = false;
      return new vscode.Hover(m, doc.lineAt(pos.line).range);
    } catch (err) {
      console.error('[breakglass] hover:', err);
      return undefined;
    }
  }

  // -- quick fixes -----------------------------------------------------------------------------------

  async provideCodeActions(doc: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): Promise<vscode.CodeAction[]> {
    try {
      if (!isCandidate(doc)) return [];
      if (context.only && !vscode.CodeActionKind.QuickFix.intersects(context.only)) return [];
      const a = await this.ensure(doc);
      const r = a.result;
      if (!r) return [];
      // Findings on the requested lines, and those of the diagnostics VS Code passes.
      const wanted = new Set(context.diagnostics.filter((d) => d.source === SOURCE).map((d) => `${codeOf(d)}@${d.range.start.line}`));
      const findings = r.findings.filter((f) => f.file === a.path && ((f.line - 1 >= range.start.line && f.line - 1 <= range.end.line) || wanted.has(`${f.rule}@${f.line - 1}`)));
      if (!findings.length) return [];
      const e = await loadEngine();
      const L = new e.Lines(a.text);
      // Above the budget, fixes are checked for valid YAML but not re-analysed.
      const reanalyse = a.ms > VERIFY_BUDGET_MS ? undefined : (text: string) => e.analyzeDocument(a.path, text, a.profiles);
      const offered = e.offeredFixes(L, a.path, r, findings, reanalyse, (err) => console.error('[breakglass] quick fix:', err));
      const actions: vscode.CodeAction[] = [];
      let own: vscode.Diagnostic[] | undefined;
      for (const { plan: p, verdict, preferred } of offered) {
        if (verdict === 'broken') continue;
        const f = p.finding;
        const action = new vscode.CodeAction(p.title, vscode.CodeActionKind.QuickFix);
        const edit = new vscode.WorkspaceEdit();
        const at = (offset: number) => {
          const { line, character } = L.position(offset);
          return new vscode.Position(line, character);
        };
        for (const ed of p.edits) edit.replace(doc.uri, new vscode.Range(at(ed.start), at(ed.end)), ed.newText);
        action.edit = edit;
        const matching = context.diagnostics.filter((d) => d.source === SOURCE && codeOf(d) === f.rule && d.range.start.line === f.line - 1);
        action.diagnostics = matching.length ? matching : (own ??= this.diagnostics(doc, a)).filter((d) => codeOf(d) === f.rule && d.range.start.line === f.line - 1 && d.message === f.message);
        action.isPreferred = preferred;
        actions.push(action);
      }
      return actions;
    } catch (err) {
      console.error('[breakglass] code actions:', err);
      return [];
    }
  }

  // -- rule documents ---------------------------------------------------------------------------------

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const id = uri.path.replace(/^\//, '').replace(/\.md$/, '');
    try {
      return (await loadEngine()).ruleDocument(id);
    } catch (err) {
      return `# ${id}\n\nThe rule could not be loaded: ${(err as Error).message}\n`;
    }
  }

  // -- commands ---------------------------------------------------------------------------------------

  /** Breakglass: Analyse Manifest Load: analyses now, publishes, and returns a summary. */
  private async analyzeCommand(arg?: unknown): Promise<Record<string, unknown> | undefined> {
    const uri = arg instanceof vscode.Uri ? arg : typeof arg === 'string' ? vscode.Uri.file(arg) : vscode.window.activeTextEditor?.document.uri;
    if (!uri) {
      void vscode.window.showInformationMessage('Breakglass: open a Kubernetes manifest (YAML) first.');
      return undefined;
    }
    let doc: vscode.TextDocument;
    try {
      doc = await vscode.workspace.openTextDocument(uri);
    } catch (err) {
      void vscode.window.showErrorMessage(`Breakglass: cannot open ${uri.fsPath}: ${(err as Error).message}`);
      return undefined;
    }
    if (!isCandidate(doc)) {
      if (arg === undefined) void vscode.window.showInformationMessage('Breakglass: manifest load analysis works on YAML files.');
      return undefined;
    }
    const a = await this.ensure(doc);
    if (a.version === doc.version) this.collection.set(doc.uri, this.diagnostics(doc, a));
    this.lensChanged.fire();
    if (arg === undefined) void vscode.commands.executeCommand('workbench.actions.view.problems');
    return {
      uri: a.uri,
      version: a.version,
      kubernetes: !!a.result,
      profiles: a.profiles.map((p) => ({ ...p })),
      profileProblem: this.setting.problem,
      workloads: a.result?.workloads.length ?? 0,
      findings: a.result?.findings.length ?? 0,
      error: a.error,
      durationMs: a.ms,
    };
  }

  private async showBreakdown(uri?: unknown, line?: unknown): Promise<void> {
    if (!(uri instanceof vscode.Uri) || typeof line !== 'number') return;
    const editor = await vscode.window.showTextDocument(uri, { preserveFocus: false });
    const l = Math.min(Math.max(0, line), editor.document.lineCount - 1);
    const col = editor.document.lineAt(l).firstNonWhitespaceCharacterIndex;
    editor.selection = new vscode.Selection(l, col, l, col);
    editor.revealRange(new vscode.Range(l, 0, l, 0));
    await vscode.commands.executeCommand('editor.action.showHover');
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.states.clear();
    for (const d of this.disposables) d.dispose();
  }
}

const codeOf = (d: vscode.Diagnostic): string => (typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code ?? ''));

/**
 * Registers the manifest load analysis: diagnostics, CodeLens, hover, quick fixes, the
 * `breakglass.clusterProfiles` setting and the `breakglass.analyzeManifest` command.
 */
export function registerAnalysis(context: vscode.ExtensionContext, mode?: ModeController): vscode.Disposable {
  const controller = new ManifestAnalysis();
  context.subscriptions.push(controller);
  if (mode) {
    // The connected cluster's live size becomes one more profile. Read cheaply (one scrape of
    // apiserver_storage_objects, or one-item pages), only in a trusted workspace (a kubeconfig
    // can run credential plugins), and only once a Kubernetes file is analysed.
    controller.liveProvider = async () => {
      const t = mode.current;
      if (!vscode.workspace.isTrusted || !t.kubeconfig) return undefined;
      const { ClusterConnection } = await import('../cluster/connection');
      const { liveClusterSize } = await import('../cluster/size');
      const conn = await ClusterConnection.fromKubeconfig(t.kubeconfig, t.context, 'breakglass-analysis/0.1');
      const size = await liveClusterSize(conn);
      if (!size || size.nodes <= 0) return undefined;
      return { name: `live ${conn.context}`, nodes: size.nodes, podsPerNode: Math.max(1, Math.round(size.pods / size.nodes)) };
    };
    controller.scenarioProfiles = () => mode.simHost?.clusters().map((c) => c.model.profile());
    context.subscriptions.push(mode.onDidChange(() => controller.refreshLive()));
  }
  return controller;
}
