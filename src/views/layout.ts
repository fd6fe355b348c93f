// Where each Breakglass panel opens. Outside a tabletop every panel opens beside the editor it was
// asked from. During a tabletop the window is a console on a facilitator's screen (1600×1000 and up):
// three columns, so that no panel hides another —
//
//   ┌────────────────┬──────────────────┬──────────────────┐
//   │ walkthrough,   │ runbook          │ facilitator      │
//   │ editors        │ (then the report)├──────────────────┤
//   │                │                  │ cluster health   │
//   └────────────────┴──────────────────┴──────────────────┘
//
// (the health panel's group is split off under the facilitator's when it first opens).
//
// The layout is set once, when a tabletop starts in a window that has a single editor group (the
// side bar is closed to give the console the window's width), and
// kept after it ends (the report opens in it); a window the person has already arranged is left
// alone and panels open beside, as outside one.
// ViewColumn N is the Nth editor group in grid order (left to right, top to bottom).
import * as vscode from 'vscode';

export type PanelRole = 'runbook' | 'facilitator' | 'health' | 'report';

/** The columns of the tabletop layout, by role (health: a group opened under the facilitator's when first needed). */
const TABLETOP_COLUMNS: Record<PanelRole, vscode.ViewColumn> = {
  runbook: vscode.ViewColumn.Two,
  report: vscode.ViewColumn.Two,
  facilitator: vscode.ViewColumn.Three,
  health: vscode.ViewColumn.Four,
};

/** vscode.setEditorLayout's argument: sizes are shares of the window's width. */
export const TABLETOP_LAYOUT = {
  orientation: 0, // columns side by side
  groups: [{ size: 0.28 }, { size: 0.38 }, { size: 0.34 }],
};

let arranged = false;

/** A tabletop starts: arrange the window (only a single-group window), so its panels sit side by side. */
export async function arrangeForTabletop(): Promise<boolean> {
  arranged = false;
  if (vscode.window.tabGroups.all.length > 1) return false;
  try {
    await vscode.commands.executeCommand('vscode.setEditorLayout', TABLETOP_LAYOUT);
    // The whole width for the console: the side bar comes back with its view's key (Ctrl+B).
    await vscode.commands.executeCommand('workbench.action.closeSidebar');
    arranged = true;
  } catch {
    arranged = false;
  }
  return arranged;
}

/** Where a panel of this role opens now (the health panel: see healthColumn). */
export function columnFor(role: PanelRole): vscode.ViewColumn {
  if (!arranged) return vscode.ViewColumn.Beside;
  const column = TABLETOP_COLUMNS[role];
  // A group the person closed since: the panel opens beside the active one instead.
  return vscode.window.tabGroups.all.length >= column ? column : vscode.ViewColumn.Beside;
}

/** Where the health panel opens: its group is split off under the facilitator's the first time. */
export async function healthColumn(): Promise<vscode.ViewColumn> {
  if (arranged && vscode.window.tabGroups.all.length === 3) {
    try {
      await vscode.commands.executeCommand('workbench.action.focusThirdEditorGroup');
      await vscode.commands.executeCommand('workbench.action.newGroupBelow');
      // The new group by its number (4th in grid order: below the facilitator, the rightmost), not
      // ViewColumn.Active: on a busy machine the focus move may not have reached the extension
      // host when the panel is created, and it opened in the facilitator's group instead.
      return vscode.ViewColumn.Four;
    } catch {
      return vscode.ViewColumn.Beside;
    }
  }
  return columnFor('health');
}
