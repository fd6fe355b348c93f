// Live cluster-health panels: `Breakglass: Show Cluster Health` (a standalone webview) and the
// ```health fences of the Runbook view. Every panel of one cluster (kubeconfig + context) shares
// one budgeted HealthPoller from one PollerRegistry; a panel subscribes only while it is visible,
// so nothing polls when no panel is visible. The page only draws: what a panel watches, and when,
// is decided here.
import * as vscode from 'vscode';
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { yaml } from '../lazy';
import { KubeconfigRequester } from '../cluster/connection';
import { HEALTH_BUDGET_PER_MINUTE, HealthPoller, PollerRegistry, type HealthSnapshot } from '../cluster/poller';
import { PrometheusSource } from '../cluster/prometheus';
import { defaultKubeconfigFiles, isSimulatedDoc, listContexts } from '../runbook/target';
import { isOpenableLink } from '../runbook/links';
import { MAX_COMPARED, parseHealthToHost, type HealthClustersMessage, type HealthTargetView, type HealthToWebview } from './messages/health';
import { clusterChoices, resolveHealthTarget, type HealthFenceAttrs, type KubeconfigInfo, type ResolvedHealthTarget } from './healthView';
import type { ModeController } from './mode';
import { healthColumn } from './layout';
import { webviewHtml, webviewPanelOptions } from './webview';

/** Snapshots a panel receives when it (re)subscribes: its charts' history. */
const HISTORY_SENT = 240;

/** A kubeconfig's contexts and their clusters (YAML only: no Kubernetes client, no credential plugin). */
export function readKubeconfigInfo(file: string): KubeconfigInfo {
  const doc = yaml().parse(readFileSync(file, 'utf8')) as unknown;
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not a kubeconfig (not a YAML mapping)');
  const d = doc as { contexts?: unknown; 'current-context'?: unknown };
  const contexts: KubeconfigInfo['contexts'] = [];
  for (const c of Array.isArray(d.contexts) ? d.contexts : []) {
    const name = (c as { name?: unknown })?.name;
    const cluster = (c as { context?: { cluster?: unknown } })?.context?.cluster;
    const user = (c as { context?: { user?: unknown } })?.context?.user;
    if (typeof name === 'string') contexts.push({ name, cluster: typeof cluster === 'string' ? cluster : undefined, user: typeof user === 'string' ? user : undefined });
  }
  return { file, contexts, current: typeof d['current-context'] === 'string' ? d['current-context'] : undefined, simulated: isSimulatedDoc(doc) };
}

interface PollerEntry {
  poller: HealthPoller;
  kubeconfig: string;
  context: string;
  fallback?: string;
}

/** What the extension's own tests (and other tools) can ask about the panels. */
export interface HealthStatus {
  /** Pollers in the registry: one per cluster ever watched. */
  registrySize: number;
  /** The standalone page: the clusters its picker offers (contexts) and those it shows, side by side. */
  standalone?: { choices: string[]; shown: string[] };
  pollers: { key: string; kubeconfig: string; context: string; fallback?: string; watchers: number; cost: { requests: number; bytes: number }; polls: number; state: string; summary: string; at: number }[];
  panels: { id: string; page: string; where: 'standalone' | 'runbook'; active: boolean; subscribed: boolean; status?: string; key?: string; label?: string; snapshot?: HealthSnapshot }[];
}

/**
 * The registry of pollers and every panel bound to one. One per window: activate() makes it and
 * hands it to the Cluster Health command and to every Runbook view (their ```health fences).
 */
export class HealthHub implements vscode.Disposable {
  readonly registry = new PollerRegistry();
  private readonly entries = new Map<string, PollerEntry>();
  readonly bindings = new Set<HealthBinding>();
  /** What the standalone page offers and shows, while it is open. */
  standalone?: { choices: string[]; shown: string[] };
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly mode: ModeController) {
    this.disposables.push(
      mode.onDidChange(() => this.refreshAll()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.refreshAll()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('breakglass.simulatedKubeconfig')) this.syncSimulatedTarget();
        if (e.affectsConfiguration('breakglass.breakglassContexts')) this.refreshAll();
      }),
    );
  }

  /**
   * The simulated target follows breakglass.simulatedKubeconfig: when the setting changes in
   * SIMULATED mode the mode is re-entered, so panels and steps see the same kubeconfig.
   */
  syncSimulatedTarget(): void {
    const t = this.mode.current;
    if (t.mode !== 'sim') return;
    const setting = vscode.workspace.getConfiguration('breakglass').get<string>('simulatedKubeconfig', '') || process.env.BREAKGLASS_SIM_KUBECONFIG || '';
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const file = setting && !isAbsolute(setting) && folder ? join(folder, setting) : setting;
    if ((file || undefined) !== t.kubeconfig) this.mode.enterSimulated();
  }

  resolve(attrs: HealthFenceAttrs): ResolvedHealthTarget {
    const t = this.mode.current;
    const realSetting = vscode.workspace.getConfiguration('breakglass').get<string>('realKubeconfig', '');
    return resolveHealthTarget(
      { mode: t.mode, context: t.context, kubeconfig: t.kubeconfig, trusted: vscode.workspace.isTrusted, endedTabletop: this.mode.endedTabletop },
      attrs,
      readKubeconfigInfo,
      (ctx) => listContexts(realSetting ? [realSetting] : defaultKubeconfigFiles()).find((c) => c.name === ctx)?.file,
      breakglassContextsSetting(),
    );
  }

  /**
   * The clusters the standalone panel may show: every cluster of the target's kubeconfig (a
   * tabletop's: each of its clusters), and the one it shows by default (the target's).
   */
  choices(): { choices: { context: string; cluster: string }[]; current?: string } {
    const t = this.resolve({});
    if (t.status !== 'watching') return { choices: [] };
    try {
      return { choices: clusterChoices(readKubeconfigInfo(t.kubeconfig)), current: t.context };
    } catch {
      return { choices: [], current: t.context };
    }
  }

  /** The one poller of a cluster, made on first use. */
  pollerFor(t: Extract<ResolvedHealthTarget, { status: 'watching' }>): HealthPoller {
    const known = this.entries.get(t.key);
    if (known && known.fallback !== t.breakglassContext) {
      // breakglass.breakglassContexts (or the kubeconfig) changed: the same poller, another break-glass path.
      known.fallback = t.breakglassContext;
      known.poller.setFallback(t.breakglassContext ? new KubeconfigRequester(t.kubeconfig, t.breakglassContext) : undefined);
    }
    return this.registry.get(t.key, () => {
      const poller = new HealthPoller(new KubeconfigRequester(t.kubeconfig, t.context), {
        budgetPerMinute: HEALTH_BUDGET_PER_MINUTE,
        simClients: t.simulated,
        prometheus: prometheusSource(),
        // The path that survives the API server's saturation: the cluster's exempt break-glass identity.
        fallback: t.breakglassContext ? new KubeconfigRequester(t.kubeconfig, t.breakglassContext) : undefined,
      });
      this.entries.set(t.key, { poller, kubeconfig: t.kubeconfig, context: t.context, fallback: t.breakglassContext });
      return poller;
    });
  }

  refreshAll(): void {
    for (const b of this.bindings) b.refresh();
  }

  status(): HealthStatus {
    return {
      registrySize: this.registry.size,
      standalone: this.standalone,
      pollers: [...this.entries].map(([key, e]) => ({
        key,
        kubeconfig: e.kubeconfig,
        context: e.context,
        fallback: e.fallback,
        watchers: e.poller.watchers,
        cost: e.poller.cost,
        polls: e.poller.history.length,
        state: e.poller.latest.state,
        summary: e.poller.latest.summary,
        at: e.poller.latest.at,
      })),
      panels: [...this.bindings].map((b) => b.status()),
    };
  }

  dispose(): void {
    for (const b of [...this.bindings]) b.dispose();
    for (const d of this.disposables) d.dispose();
  }
}

function targetView(t: ResolvedHealthTarget): HealthTargetView {
  if (t.status === 'watching') {
    const notes = t.note ? [t.note] : [];
    const promUrl = vscode.workspace.getConfiguration('breakglass').get<string>('prometheusUrl', '');
    if (promUrl && !prometheusSource()) notes.push(`breakglass.prometheusUrl is not a valid http(s) URL: ${promUrl}`);
    return { status: 'watching', label: t.label, simulated: t.simulated, note: notes.join('; ') || undefined, budgetPerMinute: HEALTH_BUDGET_PER_MINUTE, fallback: t.breakglassContext };
  }
  return { status: t.status, label: t.label, simulated: t.simulated, message: t.message };
}

/**
 * One panel in a page bound to its cluster's poller. Active (visible, page ready): subscribed,
 * its history sent, then every snapshot. Inactive: unsubscribed; the last subscriber leaving
 * stops the poller.
 */
export class HealthBinding implements vscode.Disposable {
  private active = false;
  private sub?: { dispose(): void };
  private target?: ResolvedHealthTarget;
  private poller?: HealthPoller;
  private disposed = false;

  constructor(
    private readonly hub: HealthHub,
    /** The panel's name in its page: a step id, or `main`. */
    readonly id: string,
    /** The page: "Cluster Health" or the runbook's path. */
    readonly page: string,
    readonly where: 'standalone' | 'runbook',
    private readonly attrs: HealthFenceAttrs,
    private readonly post: (m: HealthToWebview) => void,
  ) {
    hub.bindings.add(this);
  }

  get label(): string | undefined {
    return this.target?.label;
  }

  setActive(on: boolean): void {
    if (this.disposed || on === this.active) return;
    this.active = on;
    if (on) this.connect();
    else this.disconnect();
  }

  /** The target may have changed (mode, trust, settings): watch whatever it is now. */
  refresh(): void {
    if (!this.active || this.disposed) return;
    const t = this.hub.resolve(this.attrs);
    const cur = this.target;
    if (this.sub && cur?.status === 'watching' && t.status === 'watching' && t.key === cur.key) {
      // Still the same cluster: keep the subscription (and the poller's rhythm) as it is; only its
      // break-glass path may have changed.
      this.target = t;
      this.hub.pollerFor(t);
      this.post({ type: 'healthTarget', panel: this.id, target: targetView(t) });
      return;
    }
    this.disconnect();
    this.connect(t);
  }

  private connect(resolved?: ResolvedHealthTarget): void {
    const t = resolved ?? this.hub.resolve(this.attrs);
    this.target = t;
    this.post({ type: 'healthTarget', panel: this.id, target: targetView(t) });
    if (t.status !== 'watching') return;
    const p = this.hub.pollerFor(t);
    this.poller = p;
    this.post({ type: 'healthHistory', panel: this.id, sentAt: Date.now(), snapshots: p.history.slice(-HISTORY_SENT) });
    this.sub = p.subscribe((s) => {
      if (p.history.length === 0) return; // the placeholder before the first poll: nothing to show yet
      this.post({ type: 'health', panel: this.id, sentAt: Date.now(), snapshot: s });
    });
  }

  private disconnect(): void {
    this.sub?.dispose();
    this.sub = undefined;
  }

  status(): HealthStatus['panels'][number] {
    const t = this.target;
    return {
      id: this.id,
      page: this.page,
      where: this.where,
      active: this.active,
      subscribed: !!this.sub,
      status: t?.status,
      key: t?.status === 'watching' ? t.key : undefined,
      label: t?.label,
      snapshot: this.sub && this.poller && this.poller.history.length ? this.poller.latest : undefined,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disconnect();
    this.disposed = true;
    this.hub.bindings.delete(this);
  }
}

/** The stylesheets (in dist/media) a page with health panels needs. */
export const HEALTH_STYLES = ['uPlot.min.css', 'health.css'] as const;

/**
 * `Breakglass: Show Cluster Health`: the standalone page. It shows the active target's cluster,
 * or the clusters chosen in its picker (every cluster of the target's kubeconfig: a tabletop's
 * each), side by side, each panel bound to its cluster's shared poller.
 */
class ClusterHealthPanel implements vscode.Disposable {
  private ready = false;
  private bindings: HealthBinding[] = [];
  /** The contexts chosen in the picker; empty: the target's. */
  private chosen: string[] = [];
  /** What the bindings were made for: the layout is remade only when it changes. */
  private laidOut = '';
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    private readonly hub: HealthHub,
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly onDisposed: () => void,
  ) {
    panel.webview.html = this.html();
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => void this.onMessage(m)),
      panel.onDidChangeViewState(() => this.update()),
      panel.onDidDispose(() => this.dispose()),
      hub.mode.onDidChange(() => {
        this.layout();
        this.retitle();
      }),
    );
  }

  private post(m: unknown): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  /** The picker's choices and a panel per chosen cluster (the first is `main`). */
  private layout(force = false): void {
    if (this.disposed || !this.ready) return;
    const { choices, current } = this.hub.choices();
    let chosen = this.chosen.filter((c) => choices.some((x) => x.context === c));
    if (!chosen.length) chosen = current ? [current] : [];
    const panels: { id: string; context?: string }[] = chosen.length ? chosen.slice(0, MAX_COMPARED).map((context, i) => ({ id: i === 0 ? 'main' : `compare-${i}`, context })) : [{ id: 'main' }];
    const key = JSON.stringify({ choices, panels });
    if (!force && key === this.laidOut) return;
    this.laidOut = key;
    this.hub.standalone = { choices: choices.map((c) => c.context), shown: panels.map((p) => p.context ?? '') };
    for (const b of this.bindings) b.dispose();
    const msg: HealthClustersMessage = { type: 'healthClusters', choices, panels };
    this.post(msg);
    this.bindings = panels.map(
      (p) => new HealthBinding(this.hub, p.id, 'Cluster Health', 'standalone', p.context ? { context: p.context } : {}, (m) => this.post(m)),
    );
    this.update();
  }

  private update(): void {
    if (this.disposed) return;
    for (const b of this.bindings) b.setActive(this.ready && this.panel.visible);
    this.retitle();
  }

  private retitle(): void {
    if (this.disposed) return;
    const labels = this.bindings.map((b) => b.label?.replace(/ \(context .*\)$/, '').replace(/^(SIMULATED|REAL): /, '')).filter(Boolean);
    const mode = this.bindings[0]?.label?.match(/^(SIMULATED|REAL): /)?.[0] ?? '';
    this.panel.title = labels.length ? `Cluster Health: ${mode}${labels.join(' | ')}` : 'Cluster Health';
  }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseHealthToHost(raw);
    if (!msg) return;
    switch (msg.type) {
      case 'ready':
        // A page that loads again (after a reload) starts from nothing: bind afresh.
        for (const b of this.bindings) b.setActive(false);
        this.ready = true;
        this.layout(true);
        break;
      case 'healthChoose': {
        const { choices } = this.hub.choices();
        const known = msg.contexts.filter((c) => choices.some((x) => x.context === c));
        if (known.length) {
          this.chosen = known;
          this.layout();
        }
        break;
      }
      case 'openSetting':
        await vscode.commands.executeCommand('workbench.action.openSettings', msg.setting);
        break;
      case 'openLink':
        // Checked again here (parse*ToHost already did): only http(s), and as the URL parser reads it.
        if (isOpenableLink(msg.href)) await vscode.env.openExternal(vscode.Uri.parse(new URL(msg.href).href, true));
        break;
    }
  }

  reveal(): void {
    this.panel.reveal(undefined, false);
  }

  private html(): string {
    return webviewHtml(this.panel.webview, this.extensionUri, {
      title: 'Cluster Health',
      styles: ['codicon.css', ...HEALTH_STYLES],
      script: 'health.js',
      bodyAttributes: { 'data-page': 'health' },
      body: `<div class="bg-health-picker" hidden></div>
<div class="bg-health-columns"><div class="bg-health bg-health-standalone" data-health-id="main" data-title="Cluster health"></div></div>`,
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.hub.standalone = undefined;
    for (const b of this.bindings) b.dispose();
    for (const d of this.disposables) d.dispose();
    this.panel.dispose();
    this.onDisposed();
  }
}

/**
 * Registers `breakglass.showClusterHealth`, whose panel binds to `h`, the PollerRegistry every
 * health panel of the window shares (the standalone panel and the Runbook view's ```health
 * fences). `breakglass.healthStatus` (not in the Command Palette) returns a HealthStatus. Add the
 * result to the context's subscriptions; its disposal closes the panel (the hub is its creator's).
 */
export function registerHealth(context: vscode.ExtensionContext, h: HealthHub): vscode.Disposable {
  const mode = h.mode;
  let standalone: ClusterHealthPanel | undefined;

  const show = async (): Promise<string> => {
    h.syncSimulatedTarget();
    // During a tabletop, looking at the cluster's health counts as diagnosis.
    mode.simHost?.noteActivity?.('health-panel-opened', 'Breakglass: Show Cluster Health');
    if (standalone) {
      standalone.reveal();
      return 'revealed';
    }
    const panel = vscode.window.createWebviewPanel('breakglass.health', 'Cluster Health', { viewColumn: await healthColumn(), preserveFocus: false }, webviewPanelOptions(context.extensionUri));
    standalone = new ClusterHealthPanel(h, panel, context.extensionUri, () => (standalone = undefined));
    return 'opened';
  };

  const disposables: vscode.Disposable[] = [
    vscode.commands.registerCommand('breakglass.showClusterHealth', show),
    vscode.commands.registerCommand('breakglass.healthStatus', () => h.status()),
  ];
  return vscode.Disposable.from(...disposables, {
    dispose: () => standalone?.dispose(),
  });
}

/** The optional Prometheus source from `breakglass.prometheusUrl`; undefined when unset or invalid. */
function prometheusSource(): PrometheusSource | undefined {
  const url = vscode.workspace.getConfiguration('breakglass').get<string>('prometheusUrl', '');
  if (!url) return undefined;
  try {
    return new PrometheusSource(url);
  } catch {
    return undefined;
  }
}

/** breakglass.breakglassContexts: context → its break-glass context (strings only). */
function breakglassContextsSetting(): Record<string, string> {
  const v = vscode.workspace.getConfiguration('breakglass').get<unknown>('breakglassContexts', {});
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string' && x) out[k] = x;
  return out;
}
