// Activation only wires: commands, the mode, diagnostics, the views. Heavy modules (the Kubernetes
// client, the simulator) are loaded by the commands that need them, never here.
import type * as vscode from 'vscode';
import { killAllRunning } from './runbook/executor';
import type { StepRuntime } from './runbook/session';
import { ModeController, registerModeCommands } from './views/mode';
import { RunbookDiagnostics } from './views/diagnostics';
import { registerAnalysis } from './views/analysis';
import { HealthHub, registerHealth } from './views/healthPanel';
import { registerReadiness } from './views/readiness';
import { journalDirFor, type OpenOptions, type RunbookPanel } from './views/runbookPanel';
import { registerRunbooks } from './views/runbookController';
import { registerTabletop, type FacilitatorStatus } from './views/tabletopPanel';
import { setShippedRoot } from './views/shipped';
import type { Tabletop } from './tabletop/tabletop';
import { parseTabletopToHost } from './views/messages/tabletop';
import { targetLabel } from './runbook/target';

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
  const mode = new ModeController();
  context.subscriptions.push(mode, new RunbookDiagnostics());
  // One registry of health pollers for the window: the Cluster Health page and every Runbook view's
  // ```health fences share it (one poller per cluster).
  const health = new HealthHub(mode);
  context.subscriptions.push(registerHealth(context, health), health);
  registerReadiness(context, journalDirFor);
  context.subscriptions.push(registerAnalysis(context, mode));
  setShippedRoot(context.extensionPath);
  const tabletops = registerTabletop(context, mode, journalDirFor);
  context.subscriptions.push(tabletops);
  const runbooks = registerRunbooks(context, mode, health);
  registerModeCommands(context, mode);

  return {
    openRunbook: (uri, options) => runbooks.openRunbook(uri, options),
    panelFor: (uri) => runbooks.panelFor(uri),
    stepStates: (uri) => runbooks.stepStates(uri),
    mode: () => targetLabel(mode.current),
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
