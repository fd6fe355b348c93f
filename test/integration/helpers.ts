// What the in-host suites share: the extension, the workspace folder, and waiting for a condition.
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BreakglassApi } from '../../src/extension';

export const EXT_ID = 'breakglass.breakglass';

export function folder(): string {
  const f = vscode.workspace.workspaceFolders?.[0];
  assert.ok(f, 'a workspace folder is open');
  return f.uri.fsPath;
}

export async function api(): Promise<BreakglassApi> {
  const ext = vscode.extensions.getExtension<BreakglassApi>(EXT_ID);
  assert.ok(ext, 'the extension is installed');
  return ext.isActive ? ext.exports : await ext.activate();
}

/**
 * How long a webview may take to load its script and say ready. A page's first load in code-server
 * on a loaded two-core machine has taken over 20 s once in a full CI run; a wait that passes
 * returns as soon as it is ready.
 */
export const WEBVIEW_LOAD_MS = 60_000;

export type Until = <T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs?: number, show?: () => unknown) => Promise<T>;

/**
 * until(what, fn): polls fn every `intervalMs` until it is truthy; fails after the timeout, saying
 * what it waited for and what `show()` (or the waiter's `defaultShow()`) reports then.
 */
export function waiter(defaultTimeoutMs: number, intervalMs = 50, defaultShow?: () => unknown): Until {
  return async (what, fn, timeoutMs = defaultTimeoutMs, show = defaultShow) => {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const v = await fn();
      if (v) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}${show ? `; now: ${JSON.stringify(await show())}` : ''}`);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  };
}
