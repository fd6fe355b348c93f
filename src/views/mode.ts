// The mode (SIMULATED / REAL: <context>) and its status-bar item. The extension always starts
// SIMULATED; REAL is entered only through an explicit command and a confirmation.
import * as vscode from 'vscode';
import type { SimHost } from '../runbook/simhost';
import { isAbsolute, join } from 'node:path';
import { defaultKubeconfigFiles, listContexts, targetLabel, type Target } from '../runbook/target';

export class ModeController implements vscode.Disposable {
  private target: Target;
  private readonly item: vscode.StatusBarItem;
  private readonly changed = new vscode.EventEmitter<Target>();
  readonly onDidChange = this.changed.event;

  constructor() {
    this.target = this.simTarget();
    this.item = vscode.window.createStatusBarItem('breakglass.mode', vscode.StatusBarAlignment.Left, 1000);
    this.item.name = 'Breakglass mode';
    this.item.command = 'breakglass.switchMode';
    this.render();
    this.item.show();
  }

  get current(): Target {
    return this.target;
  }

  private simTarget(): Target {
    const cfg = vscode.workspace.getConfiguration('breakglass').get<string>('simulatedKubeconfig', '') || process.env.BREAKGLASS_SIM_KUBECONFIG || '';
    if (!cfg) return { mode: 'sim' };
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    const kubeconfig = isAbsolute(cfg) || !folder ? cfg : join(folder, cfg);
    return { mode: 'sim', kubeconfig };
  }

  private render(): void {
    const real = this.target.mode === 'real';
    this.item.text = real ? `$(warning) ${targetLabel(this.target)}` : `$(beaker) ${targetLabel(this.target)}`;
    this.item.backgroundColor = new vscode.ThemeColor(real ? 'statusBarItem.errorBackground' : 'statusBarItem.warningBackground');
    this.item.tooltip = real
      ? `Breakglass is in REAL mode: steps act on context '${this.target.context}' (${this.target.kubeconfig}). Click to switch.`
      : 'Breakglass is in SIMULATED mode: steps act on the simulated cluster only. Click to switch.';
  }

  private set(t: Target): void {
    this.target = t;
    this.render();
    this.changed.fire(t);
  }

  private host?: SimHost;

  /** The running tabletop, while the workspace is in SIMULATED mode on it. */
  get simHost(): SimHost | undefined {
    return this.target.mode === 'sim' ? this.host : undefined;
  }

  enterSimulated(): void {
    this.set(this.host && this.tabletopTarget ? this.tabletopTarget : this.simTarget());
  }

  private tabletopTarget?: Target;

  /** The scenario of the tabletop that ended last, while nothing else took its place (for panels that watched it). */
  endedTabletop?: string;

  /** A tabletop started: SIMULATED mode on its kubeconfig and cluster models. */
  enterTabletop(target: Target, host: SimHost): void {
    this.endedTabletop = undefined;
    this.host = host;
    this.tabletopTarget = { ...target, mode: 'sim' };
    this.set(this.tabletopTarget);
  }

  /** The tabletop ended: back to the configured simulated target (if this one was in use). */
  leaveTabletop(host: SimHost, scenario?: string): void {
    if (this.host !== host) return;
    this.host = undefined;
    this.tabletopTarget = undefined;
    this.endedTabletop = scenario;
    if (this.target.mode === 'sim') this.set(this.simTarget());
  }

  /**
   * Enter real mode. `args.context` preselects the context; `args.confirmed` skips the modal
   * (only callers that already asked the person, e.g. tests, pass it).
   */
  async enterReal(args?: { context?: string; kubeconfig?: string; confirmed?: boolean }): Promise<boolean> {
    const setting = vscode.workspace.getConfiguration('breakglass').get<string>('realKubeconfig', '');
    const files = args?.kubeconfig ? [args.kubeconfig] : setting ? [setting] : defaultKubeconfigFiles();
    const contexts = listContexts(files);
    if (contexts.length === 0) {
      void vscode.window.showErrorMessage(`Breakglass: no kube contexts found in ${files.join(', ')}.`);
      return false;
    }
    let pick = args?.context ? contexts.find((c) => c.name === args.context) : undefined;
    if (args?.context && !pick) {
      void vscode.window.showErrorMessage(`Breakglass: context '${args.context}' is not in ${files.join(', ')}.`);
      return false;
    }
    if (!pick) {
      const chosen = await vscode.window.showQuickPick(
        contexts.map((c) => ({ label: c.name, description: c.current ? 'current' : '', detail: c.file, c })),
        { title: 'Breakglass: enter REAL mode', placeHolder: 'The kube context that steps will act on' },
      );
      pick = chosen?.c;
    }
    if (!pick) return false;
    if (!args?.confirmed) {
      const ok = await vscode.window.showWarningMessage(
        `Enter REAL mode on '${pick.name}'?`,
        { modal: true, detail: 'Runbook steps will act on this cluster. Destructive steps will ask you to type the context name.' },
        'Enter Real Mode',
      );
      if (ok !== 'Enter Real Mode') return false;
    }
    this.set({ mode: 'real', context: pick.name, kubeconfig: pick.file });
    return true;
  }

  dispose(): void {
    this.item.dispose();
    this.changed.dispose();
  }
}

/** Registers the mode's commands: Enter Real Mode, Enter Simulated Mode, Switch Mode (the status-bar item's). */
export function registerModeCommands(context: vscode.ExtensionContext, mode: ModeController): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('breakglass.enterRealMode', (args?: unknown) => mode.enterReal((args ?? undefined) as Parameters<ModeController['enterReal']>[0])),
    vscode.commands.registerCommand('breakglass.enterSimulatedMode', () => mode.enterSimulated()),
    vscode.commands.registerCommand('breakglass.switchMode', async () => {
      const pick = await vscode.window.showQuickPick(
        [
          { label: '$(beaker) SIMULATED', description: 'steps act on the simulated cluster', id: 'sim' },
          { label: '$(warning) REAL…', description: 'choose a kube context; asks for confirmation', id: 'real' },
        ],
        { title: `Breakglass mode (now ${targetLabel(mode.current)})` },
      );
      if (pick?.id === 'sim') mode.enterSimulated();
      else if (pick?.id === 'real') await mode.enterReal();
    }),
  );
}
