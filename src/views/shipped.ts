// The runbooks and scenarios Breakglass ships (runbooks/ in the extension). A relative path given
// to Open Runbook or Start Tabletop (the walkthrough's links) is looked up in the workspace first
// (`<folder>/<path>`, `<folder>/runbooks/<path>`); if the workspace does not have it, the shipped
// runbooks are copied into `<folder>/runbooks/` — files already there are never overwritten — so
// that a newcomer's first tabletop writes its journal and report into their own workspace.
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import * as vscode from 'vscode';

let shippedRoot: string | undefined;

export function setShippedRoot(extensionPath: string): void {
  shippedRoot = join(extensionPath, 'runbooks');
}

function inWorkspace(rel: string): string | undefined {
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    for (const p of [join(f.uri.fsPath, rel), join(f.uri.fsPath, 'runbooks', rel)]) if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return undefined;
}

/** Copies what is missing of the shipped runbooks into `<folder>/runbooks/`; returns how many files. */
export function copyShipped(folder: string): number {
  if (!shippedRoot || !existsSync(shippedRoot)) return 0;
  let n = 0;
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir)) {
      const src = join(dir, name);
      const r = rel ? `${rel}/${name}` : name;
      if (statSync(src).isDirectory()) walk(src, r);
      else if (!existsSync(join(folder, 'runbooks', r))) {
        cpSync(src, join(folder, 'runbooks', r));
        n++;
      }
    }
  };
  walk(shippedRoot, '');
  return n;
}

/**
 * An absolute path for a path given to a command: absolute as is; relative from the workspace, or
 * else from the shipped runbooks (copied into the workspace first when there is one).
 */
export function resolveShipped(path: string): string | undefined {
  if (isAbsolute(path)) return path;
  const found = inWorkspace(path);
  if (found) return found;
  if (!shippedRoot) return undefined;
  const shipped = [join(shippedRoot, path), join(shippedRoot, path.replace(/^runbooks\//, ''))].find((p) => existsSync(p));
  if (!shipped) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // Restricted Mode: read the shipped file where it is; nothing is written into the workspace.
  if (!folder || !vscode.workspace.isTrusted) return shipped;
  const copied = copyShipped(folder);
  if (copied) void vscode.window.showInformationMessage(`Breakglass copied its ${copied} sample runbook and scenario file(s) into runbooks/ of this workspace.`);
  return inWorkspace(path) ?? shipped;
}
